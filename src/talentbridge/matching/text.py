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


def _join(parts: list[str | None]) -> str:
    return ". ".join(part.strip() for part in parts if part and part.strip())


def candidate_text(candidate: CandidateLike) -> str:
    """Job title, sector, skills and summary: what the person can do, no identifying data."""
    skills = ", ".join(candidate.skills or [])
    return _join(
        [
            candidate.job_title,
            f"{candidate.sector} sector",
            skills and f"Skills: {skills}",
            candidate.summary,
        ]
    )


def vacancy_text(vacancy: VacancyLike) -> str:
    """Title, sector, required skills and description."""
    skills = ", ".join(vacancy.required_skills or [])
    return _join(
        [
            vacancy.title,
            f"{vacancy.sector} sector",
            skills and f"Skills: {skills}",
            vacancy.description,
        ]
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
