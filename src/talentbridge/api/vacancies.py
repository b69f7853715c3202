from typing import Literal

from fastapi import APIRouter, status

from talentbridge.deps import (
    Employer,
    EmployerOrOfficer,
    OwnedVacancy,
    SessionDep,
    ToolsDep,
    VisibleVacancy,
    WindowDep,
)
from talentbridge.vacancies import service
from talentbridge.vacancies.models import Vacancy
from talentbridge.vacancies.schemas import VacancyCreate, VacancyPage, VacancyRead, VacancyUpdate

router = APIRouter(prefix="/vacancies", tags=["vacancies"])


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
        session=session, employer_id=organisation.scope, window=window, status=status
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
