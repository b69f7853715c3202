from pydantic import BaseModel, ConfigDict, Field

from talentbridge.accounts.models import Role

MIN_PASSWORD = 12
# Something@something: enough to catch a typo; the address is proved by signing in with it.
EMAIL = r"^[^@\s]+@[^@\s]+$"


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=254, pattern=EMAIL)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=MIN_PASSWORD, max_length=200)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    organisation_id: int
