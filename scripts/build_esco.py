"""Build src/talentbridge/reference/data/esco_occupations.json.gz from the shared ESCO export.

Dev-time only (needs pandas and pyarrow); the product ships the output, not the inputs.
Usage: python scripts/build_esco.py [--source ../shared/data/esco] [--out PATH]
"""

import argparse
import csv
import gzip
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from talentbridge.reference._data import DATA_DIR  # noqa: E402
from talentbridge.reference.esco import ESCO_FILE  # noqa: E402
from talentbridge.reference.programme import sector_for_isco  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "esco"
DESCRIPTION_CHARS = 300
SOURCE_NOTE = (
    "ESCO v1.2.0, European Commission, via victoriano/future-of-work-data (commit e6aa2f1f); "
    "reused with attribution, see ESCO-NOTICE.md"
)


def clean(text: str) -> str:
    """Text with runs of whitespace collapsed to one space and the ends stripped."""
    return " ".join(text.split())


def unique(values: list[str], exclude: str = "") -> list[str]:
    """Non-empty cleaned values, first spelling kept per casefolded form, without exclude."""
    seen = {exclude.casefold()}
    result = []
    for value in map(clean, values):
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            result.append(value)
    return result


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """Text cut at the last word boundary within limit characters, with an ellipsis if cut."""
    text = clean(text)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def code_order(code: str) -> tuple[int, ...]:
    """Sort key that puts ESCO code 7112.2 before 7112.10."""
    return tuple(int(part) for part in code.split("."))


def read_csv(path: Path) -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV file as dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def profile_skills(source: Path) -> dict[str, tuple[list[str], list[str]]]:
    """ESCO occupation URI → (essential, optional) skill labels, from the profiles parquet."""
    profiles = pd.read_parquet(
        source / "esco_occupation_profiles.parquet",
        columns=["occupation_uri", "essential_skills", "optional_skills"],
    )
    return {
        uri: (
            [] if essential is None else [str(s) for s in essential],
            [] if optional is None else [str(s) for s in optional],
        )
        for uri, essential, optional in zip(
            profiles.occupation_uri,
            profiles.essential_skills,
            profiles.optional_skills,
            strict=True,
        )
    }


def sorted_unique(values: list[str], exclude: Sequence[str] = ()) -> list[str]:
    """Unique cleaned labels sorted case-insensitively, leaving out those in exclude."""
    excluded = {value.casefold() for value in exclude}
    return sorted(
        (value for value in unique(values) if value.casefold() not in excluded), key=str.casefold
    )


def build_records(source: Path) -> list[dict[str, Any]]:
    """One record per ESCO occupation whose ISCO-08 group is in a TalentBridge sector."""
    isco_labels = {
        r["code"]: clean(r["preferredLabel"]) for r in read_csv(source / "ISCOGroups_en.csv")
    }
    skills = profile_skills(source)
    records = []
    for row in read_csv(source / "occupations_en.csv"):
        group = row["iscoGroup"].strip()
        sector = sector_for_isco(group)
        if sector is None:
            continue
        label = clean(row["preferredLabel"])
        essential, optional = skills.get(row["conceptUri"], ([], []))
        essential = sorted_unique(essential)
        records.append(
            {
                "uri": row["conceptUri"].strip(),
                "code": row["code"].strip(),
                "isco_group": group,
                "isco_label": isco_labels[group],
                "sector": sector,
                "label": label,
                "alt_labels": unique(row["altLabels"].splitlines(), exclude=label),
                "essential_skills": essential,
                # A label ESCO lists as both is essential, so it appears once, there.
                "optional_skills": sorted_unique(optional, exclude=essential),
                "description": shorten(row["description"]),
            }
        )
    return sorted(records, key=lambda r: code_order(r["code"]))


def write(records: list[dict[str, Any]], out: Path) -> None:
    """Write the records as compact, byte-reproducible gzipped JSON."""
    payload = json.dumps(
        {"source": SOURCE_NOTE, "occupations": records}, ensure_ascii=False, separators=(",", ":")
    )
    with (
        out.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as handle,
    ):
        handle.write(payload.encode("utf-8"))


def main() -> None:
    """Build the file and print the count per sector and its size."""
    parser = argparse.ArgumentParser(description="Build the ESCO subset shipped in the package.")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DATA_DIR / ESCO_FILE)
    args = parser.parse_args()
    records = build_records(args.source)
    write(records, args.out)
    counts = Counter(r["sector"] for r in records)
    print(
        f"{len(records)} occupations {dict(sorted(counts.items()))}; "
        f"{args.out.stat().st_size:,} bytes -> {args.out}"
    )


if __name__ == "__main__":
    main()
