"""What a demo plan is made of: organisations, people, vacancies and pipeline steps to create."""

from dataclasses import dataclass, field
from datetime import date, datetime

from talentbridge.candidates.models import Candidate
from talentbridge.reference.esco import Occupation
from talentbridge.vacancies.models import Vacancy


@dataclass
class OrgSpec:
    kind: str
    name: str
    state: str | None = None
    prefecture: str | None = None
    town: str | None = None
    sector: str | None = None


@dataclass
class Seeker:
    """A candidate being planned: the ORM row plus what the simulation needs."""

    record: Candidate
    institute: int
    registered: datetime
    occupation: Occupation
    free_from: datetime
    placed: bool = False


@dataclass
class Job:
    """A vacancy being planned: the ORM row plus its posting, intake and commitments."""

    record: Vacancy
    employer: int
    posted: datetime
    intake: date
    occupation: Occupation
    interval_days: float
    committed: int = 0
    tried: set[int] = field(default_factory=set)
    eligible: list[int] = field(default_factory=list)


@dataclass
class Step:
    to: str
    at: datetime
    by_institute: bool = False
    reason: str | None = None


@dataclass
class Pipeline:
    seeker: int
    job: int
    shortlisted: datetime
    steps: list[Step]


@dataclass
class Plan:
    institutes: list[OrgSpec]
    employers: list[OrgSpec]
    seekers: list[Seeker]
    jobs: list[Job]
    pipelines: list[Pipeline]
    to_close: list[int]
