"""An upload's rows however they came, each with its spreadsheet row number and its cells.

A JSON array, a CSV body, or a file sent as multipart/form-data (CSV, JSON or an Excel
.xlsx sheet). Every row keeps the text the user sent (`cells`), so a row that fails can be
handed back as it was, with its error, to be fixed and uploaded again.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from talentbridge.csvsafe import FORMULA_STARTS
from talentbridge.errors import Invalid
from talentbridge.ingestion import sheets
from talentbridge.ingestion.columns import (
    COLUMNS,
    REQUIRED_COLUMNS,
    CellError,
    from_text,
    to_text,
)
from talentbridge.ingestion.sheets import Limits

# A column the failed-rows file adds; read back, it is ignored.
ERROR_COLUMN = "error"


@dataclass
class CellProblem:
    field: str | None
    message: str


@dataclass
class SourceRow:
    """One record of an upload: CSV and Excel rows are numbered as the spreadsheet shows them
    (the header is row 1, the first record row 2); JSON records by position from 1."""

    number: int
    cells: dict[str, str]
    record: Any
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def external_id(self) -> str | None:
        value = self.cells.get("external_id", "").strip()
        return value[:100] or None


@dataclass
class Parsed:
    columns: list[str]
    rows: list[SourceRow]


def _records(rows: Iterator[sheets.Row], limits: Limits, *, field: str) -> Parsed:
    """The records under a header row, blank rows skipped; refused as soon as one more than
    `limits.max_rows` is seen, not once the whole file is read."""
    header: list[str] | None = None
    records: list[SourceRow] = []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            while header and not header[-1]:
                header.pop()  # cells a spreadsheet keeps empty past the last column
            _check_header(header)
            continue
        if len(records) == limits.max_rows:
            raise Invalid(
                f"at most {limits.max_rows} rows per upload; row {number} is one more",
                field=field,
                code="too_many_rows",
                params={"max_rows": limits.max_rows},
            )
        records.append(_row(number, header, cells))
    if header is None:
        raise Invalid("the file has no header row", field=field, code="no_header")
    return Parsed([name for name in header if name != ERROR_COLUMN], records)


def _row(number: int, header: list[str], cells: list[str]) -> SourceRow:
    texts = {name: cell for name, cell in zip(header, cells, strict=False) if name != ERROR_COLUMN}
    row = SourceRow(number, texts, {})
    for name, text in texts.items():
        try:
            value = from_text(name, _unneutralised(text))
        except CellError as exc:
            row.problems.append(CellProblem(name, str(exc)))
            continue
        if value is not None:
            row.record[name] = value
    extra = [cell for cell in cells[len(header) :] if cell.strip()]
    if extra:
        row.cells["(more values)"] = "; ".join(extra)
        row.problems.append(
            CellProblem(None, f"more values than the header has columns ({len(header)})")
        )
    return row


def _unneutralised(text: str) -> str:
    """A cell this service neutralised when it wrote a failed-rows file ('=...), as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _check_header(names: list[str]) -> None:
    """The first row must name known columns, each once, the required ones included: a
    file without a header would otherwise have its first person read as the header."""
    known = (*COLUMNS, ERROR_COLUMN)
    unknown = [n for n in dict.fromkeys(names) if n not in known]
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
            code="bad_header",
            params={
                "unknown": ", ".join(unknown),
                "missing": ", ".join(missing),
                "repeated": ", ".join(repeated),
            },
        )


def parse_csv(data: bytes, limits: Limits | None = None) -> Parsed:
    """Rows of a CSV file with a header row; list fields separated by ';'."""
    return _records(sheets.csv_rows(data), limits or Limits(), field="body")


def parse_xlsx(data: bytes, limits: Limits | None = None) -> Parsed:
    limits = limits or Limits()
    return _records(sheets.xlsx_rows(data, limits), limits, field="file")


def parse_json(data: bytes) -> Parsed:
    try:
        items = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Invalid(f"the body is not valid JSON: {exc}", field="body") from exc
    except RecursionError as exc:
        raise Invalid("the JSON body is nested too deeply", field="body") from exc
    if not isinstance(items, list):
        raise Invalid("expected a JSON array of candidates", field="body")
    rows = []
    columns: dict[str, None] = {}
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            cells = {str(k): to_text(v) for k, v in item.items()}
        else:
            cells = {"(record)": to_text(item)}
        columns.update(dict.fromkeys(cells))
        rows.append(SourceRow(number, cells, item))
    order = [c for c in COLUMNS if c in columns] + [c for c in columns if c not in COLUMNS]
    return Parsed(order, rows)


CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPES = {"application/json", ""}
ACCEPTED = "send a JSON array, text/csv, or a multipart/form-data file (.csv, .json or .xlsx)"


def rows_from_upload(data: bytes, content_type: str, limits: Limits | None = None) -> Parsed:
    """The records of an upload however it came: a JSON array, a CSV body, or a file sent as
    multipart/form-data (curl -F file=@people.csv; CSV, JSON or an Excel .xlsx sheet)."""
    limits = limits or Limits()
    media = content_type.split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        return parse_csv(data, limits)
    if media in JSON_TYPES:
        return parse_json(data)
    if media == XLSX_TYPE:
        return parse_xlsx(data, limits)
    if media == "multipart/form-data":
        name, kind, body = _uploaded_file(data, content_type)
        if name.endswith(".xlsx") or kind == XLSX_TYPE:
            return parse_xlsx(body, limits)
        if name.endswith(".json") or kind == "application/json":
            return parse_json(body)
        if name.endswith((".csv", ".txt")) or kind in CSV_TYPES or not name:
            return parse_csv(body, limits)
        raise Invalid(
            f"cannot read {name!r}: upload a .csv, .json or .xlsx file",
            field="file",
            code="file_type",
            params={"name": name},
        )
    raise Invalid(ACCEPTED, field="Content-Type")


def _uploaded_file(data: bytes, content_type: str) -> tuple[str, str, bytes]:
    """(file name in lower case, its media type, its bytes) of the form's 'file' field, or of
    its only field."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    parser = BytesParser(policy=policy.HTTP)
    parts = _split(data, parser.parsebytes(head, headersonly=True).get_param("boundary"), parser)
    if not parts:  # not as HTTP clients write it (bare line feeds, say): email reads it all
        message = parser.parsebytes(head + data)
        parts = [
            (part, part.get_payload(decode=True))
            for part in (message.iter_parts() if message.is_multipart() else [])
        ]
    if not parts:
        raise Invalid("the multipart/form-data body holds no file", field="file")
    chosen = [p for p in parts if p[0].get_param("name", header="content-disposition") == "file"]
    if not chosen and len(parts) > 1:
        raise Invalid("send the file in a form field named 'file'", field="file")
    part, body = (chosen or parts)[0]
    return (
        (part.get_filename() or "").strip().lower(),
        part.get_content_type().lower(),
        body if isinstance(body, bytes) else b"",
    )


def _split(
    data: bytes, boundary: object, parser: "BytesParser[EmailMessage]"
) -> list[tuple[Any, Any]]:
    """The parts of a multipart body as HTTP clients send it (CRLF, `--boundary` lines), cut
    with bytes.split: email's parser reads a 2 MB file line by line (22 ms of the 27 a hostile
    workbook cost its reader); only each part's few header lines go through it. Empty when
    the body is not written so (email then reads it)."""
    if not isinstance(boundary, str) or not boundary:
        return []
    pieces = (b"\r\n" + data).split(b"\r\n--" + boundary.encode("latin-1"))
    if len(pieces) < 3 or not pieces[-1].startswith(b"--"):
        return []
    parts: list[tuple[Any, Any]] = []
    for piece in pieces[1:-1]:
        headers, separator, body = piece.partition(b"\r\n\r\n")
        if not separator or not headers.startswith(b"\r\n"):
            return []
        part = parser.parsebytes(headers[2:] + b"\r\n\r\n", headersonly=True)
        if part.get("content-transfer-encoding"):
            return []  # an encoded part: email decodes it
        parts.append((part, body))
    return parts
