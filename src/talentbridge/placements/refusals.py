"""The pipeline's refusals of a record's state, each by its code: the API answers the
English sentence (its `detail`, with the field to blame); the pages say the code in the
reader's language (web/problems.py)."""

from talentbridge.errors import Conflict

CONFLICTS = {
    "placed_as_another_record": (
        "the candidate is already in a placement as another record",
        "candidate_id",
    ),
    "vacancy_closed": ("the vacancy is closed or all its openings are placed", "vacancy_id"),
    "already_placed": ("the candidate is already placed", "candidate_id"),
    "already_in_pipeline": ("the candidate is already in this vacancy's pipeline", "candidate_id"),
    "placed_elsewhere": ("the candidate is already placed in another vacancy", "candidate_id"),
    "openings_full": ("all openings of this vacancy are already placed", "status"),
}


def conflict(code: str) -> Conflict:
    """The 409 for `code`, with its sentence and field."""
    message, field = CONFLICTS[code]
    return Conflict(message, field=field, code=code)
