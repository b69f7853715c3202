"""Spreadsheets read as streams, with every limit checked as they are read.

A 2 MB .xlsx can unpack into gigabytes (one cell of 2**31 characters, a million rows,
a gigabyte of blanks between rows): such a file once crashed the server or grew it by
8 GB (issue 22). So an .xlsx is checked before anything is parsed (each member's declared
size, their total, the compression ratio, how many cells and strings its XML holds), and
then read row by row (openpyxl's read-only mode), the rows, columns and characters per cell
counted as they come. zipfile never inflates a member past its declared size, so sizes that
lie only make the file unreadable.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from talentbridge.errors import Invalid
from talentbridge.ingestion.columns import COLUMNS

# Excel itself cannot hold more in one cell; a longer one is no spreadsheet a person made.
EXCEL_CELL_CHARS = 32_767
# CSV cells may be longer (a row error then names the field): the body limit bounds them.
csv.field_size_limit(2**31 - 1)

# What an .xlsx's XML holds, counted before it is parsed: a sheet's rows, cells and values
# (<v> or <is>), a shared-strings part's strings; any namespace prefix.
SHEET_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|v|is)[\s/>]")
STRING_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(si)[\s/>]")
STRINGS_PART = "xl/sharedStrings.xml"
SHEETS_FOLDER = "xl/worksheets/"
OTHER_PART_BYTES = 4_000_000  # styles, workbook, themes: a few kilobytes in real files
MAX_PARTS = 1_000


@dataclass(frozen=True)
class Limits:
    """How much one upload may hold; refused (422 naming the file) past any of them."""

    max_rows: int = 10_000  # records, the header not counted
    max_unpacked_bytes: int = 32_000_000  # all of an .xlsx's members once inflated
    max_ratio: float = 100.0  # inflated / compressed size of any member over 1 MB
    max_cell_chars: int = EXCEL_CELL_CHARS
    max_columns: int = 1_024  # cells of one row, however many are empty
    cells_per_row: int = 64  # for the budget of cells (empty ones too) an .xlsx may hold

    @property
    def max_cells(self) -> int:
        return (self.max_rows + 1) * self.cells_per_row


Row = tuple[int, list[str]]
"""A row as the spreadsheet shows it: its number (the first row is 1) and its cells' text."""


def _refuse(message: str, code: str = "too_large", **params: Any) -> Invalid:
    """The file refused as a whole; `code` and `params` let the pages say why in the
    reader's language (web/problems.py)."""
    return Invalid(message, field="file", code=code, params=params)


# CSV ----------------------------------------------------------------------------------
DELIMITERS = (",", ";", "\t")


def csv_rows(data: bytes) -> Iterator[Row]:
    """The rows of a UTF-8 CSV file: any line ending (\\r, \\r\\n, \\n), a BOM or none,
    quoted line breaks; comma, semicolon or tab between cells (the header tells which)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"the CSV file must be UTF-8 encoded (byte {exc.start} is not)",
            field="body",
            code="not_utf8",
        ) from exc
    # newline="": lines end at \r, \n or \r\n, and line breaks inside quotes stay in the cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Invalid(
                f"row {number} cannot be read as CSV: {exc}",
                field="body",
                code="bad_csv_row",
                params={"row": number},
            ) from exc
        yield number, cells


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into the most cells (a comma when none does)."""
    first = re.split(r"\r\n|\r|\n", text.lstrip("\r\n"), maxsplit=1)[0]
    known = set(COLUMNS)

    def score(delimiter: str) -> int:
        return sum(cell.strip().strip('"') in known for cell in first.split(delimiter))

    best = max(DELIMITERS, key=score)
    return best if score(best) > 1 else ","


# XLSX ---------------------------------------------------------------------------------
def xlsx_rows(data: bytes, limits: Limits) -> Iterator[Row]:
    """The rows of an Excel workbook's first sheet, refused as soon as a limit is passed."""
    from openpyxl import load_workbook  # only an .xlsx upload pays for the import

    _check_archive(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        raise  # the reader's budget, not the file's format (parsers.py words it)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _refuse("the file is not an Excel .xlsx workbook", "not_a_workbook") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a declared size is not trusted: rows are as long as they are
        rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        number = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except (Invalid, MemoryError):
                raise
            except Exception as exc:
                raise _refuse(
                    f"the workbook cannot be read after row {number}: {exc}",
                    "unreadable_after_row",
                    row=number,
                ) from exc
            number += 1
            if len(row) > limits.max_columns:
                raise _refuse(
                    f"row {number} has cells out to column {len(row)}; "
                    f"a sheet may have at most {limits.max_columns} columns",
                    "too_many_columns",
                    row=number,
                    most=limits.max_columns,
                )
            cells = [_cell(value) for value in row]
            for column, cell in enumerate(cells, start=1):
                if len(cell) > limits.max_cell_chars:
                    raise _refuse(
                        f"the cell in row {number}, column {column} holds {len(cell):,} "
                        f"characters; a cell may hold at most {limits.max_cell_chars:,}",
                        "cell_too_long",
                        row=number,
                        column=column,
                        most=limits.max_cell_chars,
                    )
            yield number, cells
    finally:
        book.close()


def _check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose parts would unpack too big, before any is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse("the file is not an Excel .xlsx workbook", "not_a_workbook") from exc
    if len(members) > MAX_PARTS:
        raise _refuse(f"the workbook has {len(members):,} parts; a spreadsheet has far fewer")
    unpacked = 0
    for member in members:
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > limits.max_ratio:
            raise _refuse(
                f"the workbook's part {member.filename!r} unpacks {ratio:,.0f} times larger "
                f"than it is stored (at most {limits.max_ratio:,.0f}); it is not a plain "
                "spreadsheet"
            )
        if member.file_size > OTHER_PART_BYTES and not _holds_data(member.filename):
            raise _refuse(
                f"the workbook's part {member.filename!r} unpacks to {member.file_size:,} "
                f"bytes; besides the sheets and their strings, a part may hold at most "
                f"{OTHER_PART_BYTES:,}"
            )
    if unpacked > limits.max_unpacked_bytes:
        raise _refuse(
            f"the workbook unpacks to {unpacked:,} bytes, more than the "
            f"{limits.max_unpacked_bytes:,} an upload may hold; split it into smaller files"
        )
    cells = 0  # over every sheet: openpyxl looks at each when it opens the workbook
    with archive:
        for member in members:
            if member.filename == STRINGS_PART:
                counts = _scan(archive, member, STRING_TAGS, {b"si": limits.max_cells})
                _within(member.filename, counts.get(b"si", 0), limits.max_cells, "strings")
            elif member.filename.startswith(SHEETS_FOLDER):
                bounds = {b"c": limits.max_cells - cells, b"rows": limits.max_rows + 1}
                counts = _scan(archive, member, SHEET_TAGS, bounds)
                cells += counts.get(b"c", 0)
                _within("sheets", cells, limits.max_cells, "cells (empty ones too)")
                # the header and the records: the rows holding at least one value
                rows = counts.get(b"rows", 0)
                _within(member.filename, rows, limits.max_rows + 1, "rows with values")


def _holds_data(name: str) -> bool:
    return name == STRINGS_PART or name.startswith(SHEETS_FOLDER)


def _within(name: str, found: int, most: int, what: str) -> None:
    if found > most:
        where = "sheets" if name == "sheets" else f"part {name!r}"
        message = (
            f"the workbook's {where} holds more than {most:,} {what}, more than an "
            "upload may hold: split the file, or delete the unused rows and columns"
        )
        if what == "rows with values":
            raise _refuse(message, "too_many_rows", max_rows=most - 1)
        raise _refuse(message)


def _scan(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    tags: re.Pattern[bytes],
    bounds: dict[bytes, int],
) -> dict[bytes, int]:
    """How many of each tag a part holds, and (b"rows") how many rows hold a value; read in
    chunks, and stopped as soon as a count passes what any limit allows."""
    counts: dict[bytes, int] = {}
    tail = b""
    row_has_value = False
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                window = tail + chunk
                for match in tags.finditer(window):
                    if match.end() <= len(tail):
                        continue  # seen with the previous chunk
                    tag = match.group(1)
                    counts[tag] = counts.get(tag, 0) + 1
                    if tag == b"row":
                        row_has_value = False
                    elif tag in (b"v", b"is") and not row_has_value:
                        row_has_value = True
                        counts[b"rows"] = counts.get(b"rows", 0) + 1
                tail = window[-64:]
                if any(counts.get(tag, 0) > most for tag, most in bounds.items()):
                    break
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # also a lying size
        raise _refuse("the file is not a readable Excel .xlsx workbook", "not_a_workbook") from exc
    return counts


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
