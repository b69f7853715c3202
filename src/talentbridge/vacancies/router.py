from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, status

from talentbridge.deps import (
    Employer,
    EmployerOrOfficer,
    SessionDep,
    ToolsDep,
    WindowDep,
    owner_scope,
    record_of,
)
from talentbridge.vacancies import service
from talentbridge.vacancies.models import Vacancy
from talentbridge.vacancies.schemas import VacancyCreate, VacancyPage, VacancyRead, VacancyUpdate

router = APIRouter(prefix="/vacancies", tags=["vacancies"])


def _vacancy(caller: Any) -> Any:
    """A vacancy the caller sees: its employer's own, or any for an officer."""
    return Depends(record_of(service.get, path="vacancy_id", owner="employer_id", caller=caller))


VisibleVacancy = Annotated[Vacancy, _vacancy(EmployerOrOfficer)]
OwnedVacancy = Annotated[Vacancy, _vacancy(Employer)]  # its employer alone may change it


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
    window: WindowDep,
    status: Literal["open", "closed"] | None = None,
) -> VacancyPage:
    """Your vacancies (officers: all)."""
    found = service.page(
        session=session, employer_id=owner_scope(organisation), window=window, status=status
    )
    return VacancyPage.of(found, window)


@router.get("/{vacancy_id}", response_model=VacancyRead)
def read_vacancy(vacancy: VisibleVacancy) -> Vacancy:
    return vacancy


@router.patch("/{vacancy_id}", response_model=VacancyRead)
def update_vacancy(
    body: VacancyUpdate, vacancy: OwnedVacancy, session: SessionDep, tools: ToolsDep
) -> Vacancy:
    """Change the fields sent; close a vacancy with {"status": "closed"}."""
    return service.update_one(session=session, vacancy=vacancy, vacancy_in=body, tools=tools)
