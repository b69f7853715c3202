"""The ESCO v1.2.0 occupations of the four sectors, shipped in data/ (see ESCO-NOTICE.md)."""

import gzip
import json
from dataclasses import dataclass
from functools import cache

from talentbridge.reference.places import DATA


@dataclass(frozen=True)
class Occupation:
    uri: str
    code: str
    isco_group: str
    isco_label: str
    sector: str
    label: str
    alt_labels: tuple[str, ...]
    essential_skills: tuple[str, ...]
    description: str


@cache
def esco_occupations() -> tuple[Occupation, ...]:
    with gzip.open(DATA / "esco_occupations.json.gz", "rt", encoding="utf-8") as handle:
        records = json.load(handle)
    return tuple(
        Occupation(**{**r, "alt_labels": tuple(r["alt_labels"]),
                      "essential_skills": tuple(r["essential_skills"])})
        for r in records
    )


@cache
def _by_uri() -> dict[str, Occupation]:
    return {o.uri: o for o in esco_occupations()}


def occupation_by_uri(uri: str) -> Occupation | None:
    return _by_uri().get(uri)
