"""What text each side is embedded from (documented in models/MODEL_CARD.md).

Two fields per record, each embedded on its own and stored with the hash of its text, so
a field is embedded again only when its text changes:
- the **title** alone ("care worker");
- the **profile**: title and summary (candidate) or description (vacancy); the skills
  stand in for a missing summary.
No boilerplate: the sector is a gate, not a word to match on, and a description that only
repeats the title is left out.
"""

import hashlib
from typing import Protocol

from talentbridge.matching.japanese import english

TEXT_LAYOUT = "fields-3"  # changes when what is embedded changes: every vector is then redone


class CandidateLike(Protocol):
    job_title: str | None
    sector: str
    skills: list[str]
    summary: str | None


class VacancyLike(Protocol):
    title: str
    sector: str
    required_skills: list[str]
    description: str | None


def _profile(title: str | None, skills: list[str], details: str | None) -> str:
    title = (title or "").strip()
    listed = ", ".join(s.strip() for s in skills or () if s and s.strip())
    details = (details or "").strip()
    if details.casefold().rstrip(".") == title.casefold():
        details = ""
    # Skills are compared on their own (skills, lexical); in the vector they only dilute a
    # summary, so they are embedded only when there is no summary to embed.
    parts = [title, details or (listed and f"Skills: {listed}")]
    # Japanese is embedded as its English reading (`japanese`); English text is unchanged.
    return english(". ".join(part for part in parts if part))


def candidate_text(candidate: CandidateLike) -> str:
    """Job title, skills and summary: what the person can do, no identifying data."""
    return _profile(candidate.job_title, candidate.skills, candidate.summary)


def vacancy_text(vacancy: VacancyLike) -> str:
    """Title, required skills and description."""
    return _profile(vacancy.title, vacancy.required_skills, vacancy.description)


def title_of(record: CandidateLike | VacancyLike) -> str | None:
    """The record's title field, whichever side it is."""
    return getattr(record, "job_title", None) or getattr(record, "title", None)


def profile_text(record: CandidateLike | VacancyLike) -> str:
    """The profile text of either side."""
    if hasattr(record, "job_title"):
        return candidate_text(record)  # type: ignore[arg-type]
    return vacancy_text(record)


def title_key(title: str | None) -> str:
    """A title as it is embedded and looked up: case and spacing do not make a new title."""
    return " ".join((title or "").casefold().split())


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
