"""What text each side is embedded from (documented in models/MODEL_CARD.md)."""

import hashlib
from typing import Protocol


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


def _text(title: str | None, sector: str, skills: list[str], details: str | None) -> str:
    listed = ", ".join(skills or [])
    parts = [title, f"{sector} sector", listed and f"Skills: {listed}", details]
    return ". ".join(part.strip() for part in parts if part and part.strip())


def candidate_text(candidate: CandidateLike) -> str:
    """Job title, sector, skills and summary: what the person can do, no identifying data."""
    return _text(candidate.job_title, candidate.sector, candidate.skills, candidate.summary)


def vacancy_text(vacancy: VacancyLike) -> str:
    """Title, sector, required skills and description."""
    return _text(vacancy.title, vacancy.sector, vacancy.required_skills, vacancy.description)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
