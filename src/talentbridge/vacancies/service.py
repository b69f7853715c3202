from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.crud import apply_changes, changes_of, get_owned, non_nullable
from talentbridge.errors import Conflict, Invalid
from talentbridge.matching.derived import refresh_derived_fields
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations.models import Organisation
from talentbridge.pages import Slice, Window, paginate
from talentbridge.vacancies.models import Vacancy
from talentbridge.vacancies.schemas import VacancyCreate, VacancyRead, VacancyUpdate

# What a vacancy always has (its read schema admits no None): a PATCH may not send null.
NOT_NULL = non_nullable(VacancyRead)


def create(
    *, session: Session, employer: Organisation, vacancy_in: VacancyCreate, tools: Toolkit | None
) -> Vacancy:
    values = vacancy_in.model_dump()
    values["prefecture"] = values["prefecture"] or employer.prefecture
    if values["prefecture"] is None:
        raise Invalid("the vacancy's prefecture is required", field="prefecture")
    vacancy = Vacancy(employer_id=employer.id, **values)
    refresh_derived_fields([vacancy], tools, session=session)
    session.add(vacancy)
    session.flush()
    return vacancy


def get(*, session: Session, vacancy_id: int, employer_id: int | None = None) -> Vacancy:
    """A vacancy, restricted to one employer's when employer_id is given; else NotFound."""
    return get_owned(session, Vacancy, vacancy_id, owner="employer_id", owner_id=employer_id)


def page(
    *, session: Session, employer_id: int | None, window: Window, status: str | None = None
) -> Slice[Vacancy]:
    """One employer's vacancies (None: everyone's), oldest first, of one status if given."""
    query = select(Vacancy)
    if employer_id is not None:
        query = query.where(Vacancy.employer_id == employer_id)
    if status is not None:
        query = query.where(Vacancy.status == status)
    return paginate(session, query, window, order_by=[Vacancy.id])


def update_one(
    *, session: Session, vacancy: Vacancy, vacancy_in: VacancyUpdate, tools: Toolkit | None
) -> Vacancy:
    changes = changes_of(vacancy_in, not_null=NOT_NULL)
    if changes.get("openings") is not None and changes["openings"] < vacancy.placed_count:
        raise Conflict(
            f"{vacancy.placed_count} people are already placed; openings cannot go below that",
            field="openings",
        )
    if apply_changes(vacancy, changes):
        refresh_derived_fields(
            [vacancy],
            tools,
            session=session,
            titles_changed=bool({"title", "sector"} & changes.keys()),
        )
        session.flush()
    return vacancy
