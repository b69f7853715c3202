"""The names officers' pages show where a record's number alone would say nothing: a
vacancy's title and employer, a candidate's name and institute (officers see every name:
visibility.candidate_view), one query per kind for the whole page."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.candidates.models import Candidate
from talentbridge.organisations.models import Organisation
from talentbridge.vacancies.models import Vacancy


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    organisation_id: int
    organisation: str


def vacancies(session: Session, ids: Iterable[int | None]) -> dict[int, Named]:
    wanted = {i for i in ids if i is not None}
    rows = session.execute(
        select(Vacancy.id, Vacancy.title, Organisation.id, Organisation.name)
        .join(Organisation, Organisation.id == Vacancy.employer_id)
        .where(Vacancy.id.in_(wanted))
    )
    return {row[0]: Named(*row) for row in rows}


def candidates(session: Session, ids: Iterable[int | None]) -> dict[int, Named]:
    wanted = {i for i in ids if i is not None}
    rows = session.execute(
        select(Candidate.id, Candidate.full_name, Organisation.id, Organisation.name)
        .join(Organisation, Organisation.id == Candidate.institute_id)
        .where(Candidate.id.in_(wanted))
    )
    return {row[0]: Named(*row) for row in rows}
