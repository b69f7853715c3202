"""Builds src/talentbridge/reference/data/esco_occupations.json.gz from ../shared/data/esco.

Dev-time only (needs pandas and pyarrow): the product ships the output, not the inputs.
Usage: python scripts/build_esco.py [path/to/shared/data/esco]
"""

import csv
import gzip
import json
import sys
from pathlib import Path

import pandas as pd

from talentbridge.reference.places import DATA, sector_for_isco


def _labels(raw: str | None) -> list[str]:
    return [s.strip() for s in (raw or "").splitlines() if s.strip()]


def main(source: Path) -> None:
    occupations = {r["conceptUri"]: r for r in csv.DictReader(open(source / "occupations_en.csv",
                                                                   encoding="utf-8"))}
    isco_labels = {r["code"]: r["preferredLabel"]
                   for r in csv.DictReader(open(source / "ISCOGroups_en.csv", encoding="utf-8"))}
    profiles = pd.read_parquet(source / "esco_occupation_profiles.parquet")
    skills = {row.occupation_uri: list(row.essential_skills) if row.essential_skills is not None
              else [] for row in profiles.itertuples()}
    records = []
    for uri, row in sorted(occupations.items(), key=lambda item: item[1]["code"]):
        group = row["iscoGroup"].strip()
        sector = sector_for_isco(group)
        if sector is None:
            continue
        label = row["preferredLabel"].strip()
        alts = [a for a in dict.fromkeys(_labels(row["altLabels"])) if a.casefold() != label.casefold()]
        records.append({
            "uri": uri, "code": row["code"], "isco_group": group,
            "isco_label": isco_labels.get(group, ""), "sector": sector, "label": label,
            "alt_labels": alts, "essential_skills": sorted({s.strip() for s in skills.get(uri, [])}),
            "description": " ".join(row["description"].split())[:300],
        })
    out = DATA / "esco_occupations.json.gz"
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(records, handle, ensure_ascii=False, separators=(",", ":"))
    counts: dict[str, int] = {}
    for r in records:
        counts[r["sector"]] = counts.get(r["sector"], 0) + 1
    print(f"{len(records)} occupations {counts}; {out.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/esco"))
