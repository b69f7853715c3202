from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from talentbridge.accounts.models import Role
from talentbridge.fields import NoNul, SingleLine

MIN_PASSWORD = 12
# Something@something: enough to catch a typo; the address is proved by signing in with it.
EMAIL = r"^[^@\s]+@[^@\s]+$"


class UserCreate(BaseModel):
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=EMAIL), SingleLine]
    name: Annotated[str, Field(min_length=1, max_length=200), SingleLine]
    role: Role
    password: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=200), NoNul]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    organisation_id: int
