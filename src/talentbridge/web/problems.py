"""What a refused request says on a page, in the reader's language.

A service's `DomainError` carries an English `message` (the API's JSON `detail`, unchanged)
and, where a page shows it, a `code` with its `params`. The pages never show the English
message: they look the code up here and translate it through the catalogue; an error without
a known code gets its status's sentence."""

from typing import Any

from talentbridge.errors import DomainError
from talentbridge.serving.reasons import render as say_reasons
from talentbridge.web.i18n import N_, Translator
from talentbridge.web.pipeline import STAGES

# code -> sentence; the placeholders are the error's params (numbers formatted for the reader).
MESSAGES = {
    # placements
    "already_placed": N_("This person has already been placed."),
    "placed_elsewhere": N_("This person has already been placed in another vacancy."),
    "placed_as_another_record": N_(
        "This person is already in a placement under another of their records."
    ),
    "already_in_pipeline": N_("This person is already in this vacancy's pipeline."),
    "vacancy_closed": N_("This vacancy is closed, or all its openings have been filled."),
    "openings_full": N_("All openings of this vacancy have already been filled."),
    "gates_refused": N_("The SSW rules do not allow this step yet."),
    "move_not_allowed": N_("A placement that is %(stage)s cannot be moved to %(to)s."),
    "choose_a_move": N_("Choose one of the moves shown."),
    "officers": N_("Officers follow the pipeline; they do not change it."),
    "officers_only": N_("Only programme officers may override SSW gates."),
    "gate_not_overridable": N_("These gates cannot be overridden: %(gates)s."),
    # uploads
    "too_many_rows": N_("An upload may hold at most %(max_rows)s rows; split the file."),
    "too_large": N_(
        "The file holds more than an upload may: split it, or delete the unused rows and columns."
    ),
    "too_many_columns": N_("Row %(row)s has more than %(most)s columns."),
    "cell_too_long": N_(
        "The cell in row %(row)s, column %(column)s holds more than %(most)s characters."
    ),
    "not_a_workbook": N_("The file is not an Excel .xlsx workbook."),
    "unreadable_after_row": N_("The workbook cannot be read after row %(row)s."),
    "not_utf8": N_("The CSV file must be saved as UTF-8."),
    "bad_csv_row": N_("Row %(row)s cannot be read as CSV."),
    "no_header": N_("The file has no header row."),
    "bad_header": N_("The first row must name the known columns."),
    "file_type": N_("Choose an .xlsx or .csv file."),
}
# The parts of a refused header, each said only when it has names.
HEADER_PARTS = {
    "unknown": N_("Unknown columns: %(names)s."),
    "missing": N_("Required columns missing: %(names)s."),
    "repeated": N_("Columns given twice: %(names)s."),
}
BY_STATUS = {
    400: N_("The request could not be understood."),
    401: N_("Sign in to continue."),
    403: N_("Your organisation cannot use this page."),
    404: N_("There is no such page, or it is not yours to see."),
    409: N_("This cannot be done in the record's present state."),
    422: N_("Something entered was not accepted."),
    429: N_("Too many attempts. Wait a little and try again."),
    503: N_("This part of the service is not available at the moment."),
}
DEFAULT = N_("Go back and try again.")
STAGE_NAMES: dict[str, str] = {str(stage.value): label for stage, label in STAGES.items()}


def _values(t: Translator, params: dict[str, Any]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            text = str(value)
            stage = STAGE_NAMES.get(text)
            shown[name] = t._(stage) if stage else text
        else:
            shown[name] = t.number(value)
    return shown


def say(t: Translator, error: DomainError) -> str:
    """The error as a sentence in the reader's language (never the service's English)."""
    message = MESSAGES.get(error.code or "")
    if message is None:
        return t._(BY_STATUS.get(error.status_code, DEFAULT))
    text = t._(message, **_values(t, error.params)) if error.params else t._(message)
    if error.code == "bad_header":
        parts = [
            t._(part, names=str(error.params[name]))
            for name, part in HEADER_PARTS.items()
            if error.params.get(name)
        ]
        text = ("" if t.lang == "ja" else " ").join([text, *parts])
    return text


def reasons(t: Translator, error: DomainError) -> list[str]:
    """The error's reasons (a refused SSW gate's), as sentences in the reader's language."""
    return say_reasons(error.reasons, t.lang) if error.reasons else []
