"""The evaluation's people and vacancies, built from ESCO and the development set.

- Candidates: one per ESCO occupation of the four sectors, titled by one of its alternative
  labels, with its essential skills; in the leave-labels-out check also described by the
  occupation's description.
- Vacancies: the development set's real titles whose labelled occupation is in the four
  sectors, each in its occupation's sector (as an employer would post it). The right
  candidate is the labelled occupation's.
- Titles are split once, by a hash of the title, into a part the weights may be fitted on
  (`fit`) and a held-back part (`held`) that only measures.
"""

import csv
import hashlib
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from talentbridge import reference

DEFAULT_DATA = Path("../shared/data/jobbert/jobbert_titles_dev.csv")
ISCO_GROUPS = Path("../shared/data/esco/ISCOGroups_en.csv")  # ISCO-08, with task statements
HELD_SHARE = 0.3  # of the titles, kept back from fitting


@dataclass(frozen=True)
class Case:
    title: str
    uri: str  # the labelled occupation: its candidate is the right answer
    sector: str

    @property
    def held(self) -> bool:
        digest = hashlib.sha256(self.title.casefold().encode()).digest()
        return digest[0] < 256 * HELD_SHARE


def dev_set(data: str | None) -> Path | None:
    """The development set's path (given, or beside the project), or None with a message."""
    path = Path(data) if data else DEFAULT_DATA
    if path.exists():
        return path
    print(f"development set not found at {path}: pass --data PATH")
    return None


def load_cases(path: Path, limit: int | None = None) -> list[Case]:
    """Titles labelled with a sector occupation (a sample of `limit` if given)."""
    by_label = {o.label: o for o in reference.esco_occupations()}
    with path.open(encoding="utf-8") as handle:
        cases = [
            Case(r["text"].strip(), by_label[r["label"]].uri, by_label[r["label"]].sector)
            for r in csv.DictReader(handle)
            if r["label"] in by_label and r["text"].strip()
        ]
    return random.Random(0).sample(cases, limit) if limit and limit < len(cases) else cases


def candidates(*, described: bool, seed: int = 7) -> list[SimpleNamespace]:
    """One eligible candidate per sector occupation (ids from 1), shaped like a stored row."""
    rng = random.Random(seed)
    return [
        eligible_person(
            i,
            rng.choice(occupation.alt_labels) if occupation.alt_labels else occupation.label,
            occupation.sector,
            tuple(occupation.essential_skills[:8]),
            occupation.description if described else None,
            uri=occupation.uri,
        )
        for i, occupation in enumerate(reference.esco_occupations(), start=1)
    ]


def eligible_person(
    record_id: int,
    title: str,
    sector: str,
    skills: tuple[str, ...] = (),
    summary: str | None = None,
    *,
    uri: str = "",
) -> SimpleNamespace:
    """An eligible candidate (easy on every gate), shaped like a stored row; `uri` names
    the evaluation's right answer it stands for."""
    return SimpleNamespace(
        id=record_id,
        uri=uri,
        job_title=title,
        sector=sector,
        skills=skills,
        summary=summary,
        date_of_birth=date(1995, 1, 1),
        japanese_level="N4",
        jft_basic_passed=False,
        skill_test_passed=True,
        care_language_test_passed=True,
        consent_to_share=True,
        available_from=None,
        state="Kerala",
        preferred_prefectures=(),
        experience_years=2.0,
        placed=False,
        occupation_uri=None,
        isco_group=None,
        embedding=None,
        embedding_model=None,
    )


def group_candidates(path: Path = ISCO_GROUPS, seed: int = 7) -> list[SimpleNamespace]:
    """One candidate per ISCO-08 unit group of each sector (another taxonomy than ESCO's
    occupations, and coarser), titled by one of the group's example occupations and
    described by its definition and task statements; `uri` is "<sector>|<group code>".
    None if the file is missing."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        groups = {row["code"]: row for row in csv.DictReader(handle) if len(row["code"]) == 4}
    rng = random.Random(seed)
    pairs = sorted({(o.sector, o.isco_group) for o in reference.esco_occupations()})
    out: list[SimpleNamespace] = []
    for sector, code in pairs:
        text = groups[code]["description"] if code in groups else ""
        tasks, _, rest = text.partition("Examples of the occupations classified here:")
        examples = _examples(rest)
        if tasks.strip() and examples:
            title, summary = rng.choice(examples), " ".join(tasks.split())
            out.append(
                eligible_person(len(out) + 1, title, sector, (), summary, uri=f"{sector}|{code}")
            )
    return out


def _examples(text: str) -> list[str]:
    """The example occupations listed first ("- Factory hand"), up to the next heading: not
    those the group's notes list as "related occupations classified elsewhere"."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("-"):
            break
        out.append(line.strip(" -"))
    return [example for example in out if example]


def vacancy(case: Case, record_id: int) -> SimpleNamespace:
    """A vacancy with only a title (what the development set has), open and easy to meet."""
    return open_vacancy(record_id, case.title, case.sector)


def open_vacancy(
    record_id: int, title: str, sector: str, required_skills: tuple[str, ...] = ()
) -> SimpleNamespace:
    """An open vacancy easy to meet on every gate, shaped like a stored row."""
    return SimpleNamespace(
        id=record_id,
        title=title,
        sector=sector,
        required_skills=required_skills,
        description=None,
        start_date=None,
        min_japanese_level="N4",
        requires_skill_test=True,
        status="open",
        placed_count=0,
        openings=1,
        prefecture="Tokyo",
        min_experience_years=0.0,
        occupation_uri=None,
        isco_group=None,
        embedding=None,
        embedding_model=None,
    )
