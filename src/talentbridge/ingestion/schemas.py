from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from talentbridge.fields import UtcDateTime


class JobRead(BaseModel):
    """Progress of an upload's background work: records made matchable so far."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    total: int
    done: int
    failed: int
    created_at: UtcDateTime
    finished_at: UtcDateTime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Literal["running", "finished"]:
        return "running" if self.finished_at is None else "finished"
