"""The candidate form, read from the API's schema: the same fields, types and checks as
`CandidateCreate` / `CandidateUpdate`, each field's problem said beside it in the reader's
language."""

import types
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import ValidationError
from starlette.datastructures import FormData

from talentbridge.candidates.models import Candidate
from talentbridge.candidates.schemas import CandidateCreate, CandidateUpdate
from talentbridge.web.i18n import N_, Translator

# The visible words of each field (the schema gives names and types, not sentences).
LABELS = {
    "external_id": N_("External ID"),
    "full_name": N_("Full name"),
    "date_of_birth": N_("Date of birth"),
    "state": N_("Indian state"),
    "sector": N_("Sector"),
    "job_title": N_("Job title"),
    "skills": N_("Skills"),
    "experience_years": N_("Years of experience"),
    "japanese_level": N_("Japanese level (JLPT)"),
    "jft_basic_passed": N_("Passed the JFT-Basic Japanese test"),
    "skill_test_passed": N_("Passed the sector's skill test"),
    "care_language_test_passed": N_("Passed the care Japanese test"),
    "summary": N_("Summary"),
    "preferred_prefectures": N_("Preferred prefectures"),
    "available_from": N_("Available from"),
    "consent_to_share": N_("Consents to share the profile with employers"),
    "guardian_consent": N_("A guardian's consent is held (needed under 18)"),
}
HINTS = {
    "external_id": N_("Your own reference for the person, unique among your candidates"),
    "date_of_birth": N_("For example 1998-05-12"),
    "state": N_("Leave empty for your institute's state"),
    "skills": N_("Separate skills with ;"),
    "preferred_prefectures": N_("Separate prefectures with ;, for example Aichi; Osaka"),
    "available_from": N_("For example 2027-04-01"),
}
# What to say when the schema refuses a field: what the field accepts.
PROBLEMS = {
    "external_id": N_("Enter an external ID of at most 100 characters on one line"),
    "full_name": N_("Enter the full name, at most 200 characters on one line"),
    "date_of_birth": N_("Enter a date of birth as YYYY-MM-DD; under 18 needs a guardian's consent"),
    "state": N_("Enter an Indian state or union territory, for example Kerala"),
    "sector": N_("Choose a sector"),
    "job_title": N_("Enter a job title of at most 200 characters on one line"),
    "skills": N_("Enter skills separated by ;, each on one line"),
    "experience_years": N_("Enter a number of years from 0 to 60"),
    "japanese_level": N_("Choose a Japanese level"),
    "summary": N_("Enter a summary of at most 5,000 characters"),
    "preferred_prefectures": N_("Enter Japanese prefectures separated by ;, each once"),
    "available_from": N_("Enter a date as YYYY-MM-DD within the programme's years"),
    "jft_basic_passed": N_("Tick the box or leave it empty"),
    "skill_test_passed": N_("Tick the box or leave it empty"),
    "care_language_test_passed": N_("Tick the box or leave it empty"),
    "consent_to_share": N_("Tick the box or leave it empty"),
    "guardian_consent": N_("Tick the box or leave it empty"),
}
TAKEN = N_("Another of your candidates already has this external ID")
SECTORS = {
    "care": N_("Care"),
    "construction": N_("Construction"),
    "manufacturing": N_("Manufacturing"),
    "agriculture": N_("Agriculture"),
}
LONG_TEXT = {"summary"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: Literal["text", "textarea", "date", "number", "checkbox", "select", "list"]
    label: str
    hint: str | None
    options: list[tuple[str, str]]


def _kind(name: str, annotation: Any) -> tuple[str, list[str]]:
    """The form control for a schema type: its kind and, for a choice, the choices."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if annotation is bool:
        return "checkbox", []
    if annotation is date:
        return "date", []
    if annotation in (float, int):
        return "number", []
    if get_origin(annotation) is Literal:
        return "select", [str(a) for a in get_args(annotation)]
    if get_origin(annotation) is list:
        return "list", []
    return ("textarea" if name in LONG_TEXT else "text"), []


# Every field of the create schema, in the order people fill them in.
NAMES = [name for name in LABELS if name in CandidateCreate.model_fields]
assert set(NAMES) == set(CandidateCreate.model_fields), "a schema field has no label"
KINDS = {name: _kind(name, CandidateCreate.model_fields[name].annotation) for name in NAMES}


def fields(t: Translator) -> list[Field]:
    found = []
    for name in NAMES:
        kind, choices = KINDS[name]
        options = [(c, t._(SECTORS[c]) if c in SECTORS else c) for c in choices]
        if kind == "select":
            options = [("", t._("Choose…"))] + options
        hint = HINTS.get(name)
        found.append(Field(name, kind, t._(LABELS[name]), t._(hint) if hint else None, options))  # type: ignore[arg-type]
    return found


def values_of(candidate: Candidate) -> dict[str, str]:
    """A record as the form shows it."""
    shown: dict[str, str] = {}
    for name in NAMES:
        value = getattr(candidate, name)
        if isinstance(value, list):
            shown[name] = "; ".join(value)
        elif isinstance(value, bool):
            shown[name] = "true" if value else ""
        elif value is None:
            shown[name] = ""
        elif isinstance(value, float):
            shown[name] = f"{value:g}"
        else:
            shown[name] = str(value)
    return shown


def typed(form: FormData) -> dict[str, str]:
    """What was typed, field by field (a ticked box is "true", an empty one "")."""
    return {name: str(form.get(name, "")).strip() for name in NAMES}


def _record(values: dict[str, str]) -> dict[str, Any]:
    """The form's text as the schema's input: lists split on ';', empty fields left out."""
    record: dict[str, Any] = {}
    for name, text in values.items():
        kind, _ = KINDS[name]
        if kind == "checkbox":
            record[name] = text == "true"
        elif not text:
            continue
        elif kind == "list":
            record[name] = [part.strip() for part in text.split(";") if part.strip()]
        else:
            record[name] = text
    return record


def _errors(t: Translator, exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "external_id"
        errors.setdefault(name, t._(PROBLEMS.get(name, PROBLEMS["external_id"])))
    return errors


def to_create(
    t: Translator, values: dict[str, str]
) -> tuple[CandidateCreate | None, dict[str, str]]:
    try:
        return CandidateCreate.model_validate(_record(values)), {}
    except ValidationError as exc:
        return None, _errors(t, exc)


def to_update(
    t: Translator, values: dict[str, str]
) -> tuple[CandidateUpdate | None, dict[str, str]]:
    """Every field as the form shows it: an emptied optional field is cleared; the record is
    checked whole, as a new one would be (a date of birth with the consent ticked beside it)."""
    _, errors = to_create(t, values)
    if errors:
        return None, errors
    record = _record(values)
    for name in NAMES:  # an emptied field goes back to what a new record would have
        if name not in record and name != "state":
            record[name] = CandidateCreate.model_fields[name].get_default(call_default_factory=True)
    try:
        return CandidateUpdate.model_validate(record), {}
    except ValidationError as exc:
        return None, _errors(t, exc)
