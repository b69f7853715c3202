from datetime import date
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from talentbridge import visibility
from talentbridge.fields import (
    BirthDate,
    JapaneseLevel,
    MultiLine,
    Occupation,
    PrefectureList,
    ProgrammeDate,
    Sector,
    SingleLine,
    SkillList,
    StateName,
    Text200,
    UtcDateTime,
)
from talentbridge.pages import Page

ExternalId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine
]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MultiLine]
Years = Annotated[float, Field(ge=0, le=60)]
GUARDIAN = Field(
    False,
    description="The institute holds a verifiable guardian's consent; required under 18. "
    "Under-18 profiles are never shown to employers nor shortlisted.",
)


class CandidateFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    job_title: Text200 | None = None
    skills: SkillList = []
    experience_years: Years = 0
    japanese_level: JapaneseLevel | None = None
    jft_basic_passed: StrictBool = False
    skill_test_passed: StrictBool = False
    care_language_test_passed: StrictBool = False
    summary: Summary | None = None
    preferred_prefectures: PrefectureList = []
    available_from: ProgrammeDate | None = None
    consent_to_share: StrictBool = False
    guardian_consent: StrictBool = GUARDIAN


class CandidateCreate(CandidateFields):
    external_id: ExternalId
    full_name: Text200
    date_of_birth: BirthDate
    state: StateName | None = Field(None, description="Defaults to the institute's state")
    sector: Sector

    @field_validator("date_of_birth")
    @classmethod
    def _minor_needs_guardian(cls, value: date, info: ValidationInfo) -> date:
        visibility.check_guardian(value, info.data.get("guardian_consent"))
        return value


class CandidateUpdate(BaseModel):
    """Every field optional: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: ExternalId | None = None
    full_name: Text200 | None = None
    date_of_birth: BirthDate | None = None
    state: StateName | None = None
    sector: Sector | None = None
    job_title: Text200 | None = None
    skills: SkillList | None = None
    experience_years: Years | None = None
    japanese_level: JapaneseLevel | None = None
    jft_basic_passed: StrictBool | None = None
    skill_test_passed: StrictBool | None = None
    care_language_test_passed: StrictBool | None = None
    summary: Summary | None = None
    preferred_prefectures: PrefectureList | None = None
    available_from: ProgrammeDate | None = None
    consent_to_share: StrictBool | None = None
    guardian_consent: StrictBool | None = None


class CandidateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institute_id: int
    external_id: str
    full_name: str
    date_of_birth: date
    state: str
    sector: Sector
    job_title: str | None
    skills: list[str]
    experience_years: float
    japanese_level: JapaneseLevel | None
    jft_basic_passed: bool
    skill_test_passed: bool
    care_language_test_passed: bool
    summary: str | None
    preferred_prefectures: list[str]
    available_from: date | None
    consent_to_share: bool
    guardian_consent: bool
    occupation: Occupation | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class CandidatePage(Page[CandidateRead]):
    pass


class RowError(BaseModel):
    row: int = Field(
        description="The spreadsheet's own row number: the header is row 1, the first record "
        "row 2 (a JSON array: the record's position, from 1)"
    )
    external_id: str | None = Field(None, description="The row's external_id as sent, if any")
    field: str | None = Field(description="The column at fault (None: the whole row)")
    message: str = Field(description="What is wrong and what the column accepts")


class BulkResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    failed: int = Field(description="Rows not stored (the job's `failed` starts at this count)")
    errors: list[RowError]
    job_id: int = Field(
        description="GET /api/v1/jobs/{job_id}: the stored rows' vectors and occupations, "
        "computed in the background; each becomes matchable as soon as its vector exists. "
        "GET /api/v1/jobs/{job_id}/failed-rows.csv: the failed rows, to fix and upload again"
    )
