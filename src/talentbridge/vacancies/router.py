from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, status

from talentbridge.deps import Employer, EmployerOrOfficer, SessionDep, ToolsDep
from talentbridge.fields import MAX_ID
from talentbridge.organisations.models import Organisation, OrgKind
from talentbridge.vacancies import service
from talentbridge.vacancies.models import Vacancy
from talentbridge.vacancies.schemas import VacancyCreate, VacancyPage, VacancyRead, VacancyUpdate

router = APIRouter(prefix="/vacancies", tags=["vacancies"])


def _scope(organisation: Organisation) -> int | None:
    return None if organisation.kind == OrgKind.officer else organisation.id


def visible_vacancy(
    vacancy_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    organisation: EmployerOrOfficer,
    session: SessionDep,
) -> Vacancy:
    """The vacancy if the caller may see it: its employer, or any officer; else 404."""
    return service.get(session=session, vacancy_id=vacancy_id, employer_id=_scope(organisation))


def owned_vacancy(
    vacancy_id: Annotated[int, Path(ge=1, le=MAX_ID)], employer: Employer, session: SessionDep
) -> Vacancy:
    """The vacancy if the caller is its employer; else 404."""
    return service.get(session=session, vacancy_id=vacancy_id, employer_id=employer.id)


VisibleVacancy = Annotated[Vacancy, Depends(visible_vacancy)]
OwnedVacancy = Annotated[Vacancy, Depends(owned_vacancy)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=VacancyRead)
def create_vacancy(
    body: VacancyCreate, employer: Employer, session: SessionDep, tools: ToolsDep
) -> Vacancy:
    """Post a vacancy; the prefecture defaults to the employer's."""
    return service.create(session=session, employer=employer, vacancy_in=body, tools=tools)


@router.get("", response_model=VacancyPage)
def list_vacancies(
    organisation: EmployerOrOfficer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    status: Literal["open", "closed"] | None = None,
) -> VacancyPage:
    """Your vacancies (officers: all)."""
    items, total = service.page(
        session=session, employer_id=_scope(organisation), limit=limit, offset=offset, status=status
    )
    return VacancyPage(
        items=[VacancyRead.model_validate(v) for v in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{vacancy_id}", response_model=VacancyRead)
def read_vacancy(vacancy: VisibleVacancy) -> Vacancy:
    return vacancy


@router.patch("/{vacancy_id}", response_model=VacancyRead)
def update_vacancy(
    body: VacancyUpdate, vacancy: OwnedVacancy, session: SessionDep, tools: ToolsDep
) -> Vacancy:
    """Change the fields sent; close a vacancy with {"status": "closed"}."""
    return service.update_one(session=session, vacancy=vacancy, vacancy_in=body, tools=tools)
