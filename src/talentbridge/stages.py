"""The pipeline's stage names, written once: the placements service, its schemas, the
reports and the visibility policy all read them from here."""

from enum import StrEnum


class Stage(StrEnum):
    shortlisted = "shortlisted"
    interviewing = "interviewing"
    offered = "offered"
    visa_processing = "visa_processing"
    placed = "placed"
    rejected = "rejected"
    withdrawn = "withdrawn"


# The way forward, one step at a time.
FORWARD = (
    Stage.shortlisted,
    Stage.interviewing,
    Stage.offered,
    Stage.visa_processing,
    Stage.placed,
)
# Every stage in the order reports list them.
ALL = (*FORWARD, Stage.rejected, Stage.withdrawn)
# Still in the pipeline: a placement here may move on.
OPEN = frozenset(FORWARD[:-1])
# Going on or done (placed included): the employer works with the person.
ACTIVE = frozenset(FORWARD)
