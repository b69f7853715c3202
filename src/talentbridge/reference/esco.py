"""ESCO v1.2.0 occupations of the four sectors, shipped in data/ (see data/ESCO-NOTICE.md)."""

from dataclasses import dataclass
from functools import cache
from typing import Any

from talentbridge.reference._data import load_json

ESCO_FILE = "esco_occupations.json.gz"


@dataclass(frozen=True, slots=True)
class Occupation:
    """One ESCO occupation, with its ISCO-08 unit group and TalentBridge sector."""

    uri: str
    code: str
    isco_group: str
    isco_label: str
    sector: str
    label: str
    alt_labels: tuple[str, ...]
    essential_skills: tuple[str, ...]
    optional_skills: tuple[str, ...]
    description: str

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Occupation":
        """An occupation from one record of the shipped JSON file."""
        return cls(
            **{
                **record,
                "alt_labels": tuple(record["alt_labels"]),
                "essential_skills": tuple(record["essential_skills"]),
                "optional_skills": tuple(record["optional_skills"]),
            }
        )


@cache
def esco_occupations() -> tuple[Occupation, ...]:
    """Every shipped occupation, ordered by ESCO code."""
    return tuple(Occupation.from_record(r) for r in load_json(ESCO_FILE)["occupations"])


@cache
def _by_uri() -> dict[str, Occupation]:
    """ESCO URI → occupation."""
    return {occupation.uri: occupation for occupation in esco_occupations()}


def occupation_by_uri(uri: str) -> Occupation | None:
    """The shipped occupation with this ESCO URI, or None."""
    return _by_uri().get(uri.strip())
