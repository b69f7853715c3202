"""Bulk upload: every good row stored, every bad row reported by row number and field."""

import csv
import io
import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.audit import service as audit
from talentbridge.candidates.models import Candidate
from talentbridge.candidates.schemas import BulkResult, CandidateCreate, RowError
from talentbridge.candidates.service import _values, apply_update
from talentbridge.errors import DomainError, Invalid
from talentbridge.matching.prepare import prepare
from talentbridge.matching.toolkit import Toolkit
from talentbridge.organisations.models import Organisation

LIST_FIELDS = {"skills", "preferred_prefectures"}
BOOL_FIELDS = {
    "jft_basic_passed",
    "skill_test_passed",
    "care_language_test_passed",
    "consent_to_share",
}
# CSV is text, so booleans are the words true and false (any case); anything else
# ("yes", "1", "x") is reported as that row's error rather than guessed at.
TRUE = {"true"}
FALSE = {"false"}
COLUMNS = tuple(CandidateCreate.model_fields)
REQUIRED_COLUMNS = tuple(n for n, f in CandidateCreate.model_fields.items() if f.is_required())


def _csv_value(name: str, raw: str) -> Any:
    value = raw.strip()
    if name in LIST_FIELDS:
        return [item.strip() for item in value.split(";") if item.strip()]
    if value == "":
        return None
    if name in BOOL_FIELDS:
        lowered = value.casefold()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
    return value


def parse_csv(data: bytes) -> list[dict[str, Any]]:
    """Rows of a CSV file with a header row; list fields separated by ';'."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the CSV file must be UTF-8 encoded", field="body") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise Invalid("the CSV file has no header row", field="body")
    _check_header([name.strip() for name in reader.fieldnames])
    rows = []
    for row in reader:
        extra = row.pop(None, None)  # type: ignore[call-overload]
        record = {k.strip(): _csv_value(k.strip(), v or "") for k, v in row.items() if k}
        record = {k: v for k, v in record.items() if v is not None}
        if extra:
            record["__extra__"] = extra
        rows.append(record)
    return rows


def _check_header(names: list[str]) -> None:
    """The first row must name known columns, each once, the required ones included: a
    file without a header would otherwise have its first person read as the header."""
    unknown = [n for n in dict.fromkeys(names) if n not in COLUMNS]
    repeated = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    missing = [n for n in REQUIRED_COLUMNS if n not in names]
    problems = []
    if unknown:
        problems.append("unknown columns: " + ", ".join(repr(n) for n in unknown))
    if missing:
        problems.append("missing required columns: " + ", ".join(missing))
    if repeated:
        problems.append("duplicated columns: " + ", ".join(repeated))
    if problems:
        raise Invalid(
            "the first row must be a header of known columns ("
            + "; ".join(problems)
            + f"). Known columns: {', '.join(COLUMNS)}",
            field="header",
        )


def parse_json(data: bytes) -> list[Any]:
    try:
        rows = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Invalid(f"the body is not valid JSON: {exc}", field="body") from exc
    except RecursionError as exc:
        raise Invalid("the JSON body is nested too deeply", field="body") from exc
    if not isinstance(rows, list):
        raise Invalid("expected a JSON array of candidates", field="body")
    return rows


def _validate(rows: list[Any]) -> tuple[list[tuple[int, CandidateCreate]], list[RowError]]:
    valid: list[tuple[int, CandidateCreate]] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if isinstance(row, dict) and "__extra__" in row:
            errors.append(
                RowError(row=number, field=None, message="more values than header columns")
            )
            continue
        try:
            candidate = CandidateCreate.model_validate(row)
        except ValidationError as exc:
            errors.extend(
                RowError(
                    row=number,
                    field=".".join(str(p) for p in err["loc"]) or None,
                    message=err["msg"],
                )
                for err in exc.errors()
            )
            continue
        if candidate.external_id in first_row:
            errors.append(
                RowError(
                    row=number,
                    field="external_id",
                    message=f"duplicate of row {first_row[candidate.external_id]} in this upload",
                )
            )
            continue
        first_row[candidate.external_id] = number
        valid.append((number, candidate))
    return valid, errors


def upsert(
    *,
    session: Session,
    institute: Organisation,
    rows: list[Any],
    tools: Toolkit | None,
    max_rows: int,
) -> BulkResult:
    """Create or update candidates by external_id; the same file twice creates nothing new."""
    if len(rows) > max_rows:
        raise Invalid(f"at most {max_rows} rows per upload, got {len(rows)}", field="body")
    valid, errors = _validate(rows)
    existing = {
        c.external_id: c
        for c in session.scalars(
            select(Candidate).where(
                Candidate.institute_id == institute.id,
                Candidate.external_id.in_([c.external_id for _, c in valid]),
            )
        )
    }
    created: list[Candidate] = []
    changed: list[Candidate] = []
    unchanged = 0
    for number, candidate_in in valid:
        try:
            values = _values(candidate_in, institute)
        except DomainError as exc:
            errors.append(RowError(row=number, field=exc.field, message=exc.message))
            continue
        current = existing.get(candidate_in.external_id)
        if current is None:
            created.append(Candidate(institute_id=institute.id, **values))
        elif apply_update(current, values):
            changed.append(current)
        else:
            unchanged += 1
    touched = created + changed
    prepare(touched, **(tools.parts() if tools else {}))
    session.add_all(created)
    session.flush()
    audit.record(
        session=session,
        organisation_id=institute.id,
        action="bulk_upsert",
        entity="candidate",
        entity_ids=[c.id for c in touched],
    )
    errors.sort(key=lambda e: e.row)
    return BulkResult(
        created=len(created),
        updated=len(changed),
        unchanged=unchanged,
        failed=len({e.row for e in errors}),
        errors=errors,
    )
