"""Hostile spreadsheets built on the fly: small files that unpack into something huge.

Each is a minimal real .xlsx whose sheet and shared strings are streamed into the zip, so
a 2 GiB cell costs a 2 MB file and no memory to build.
"""

import io
import struct
import zipfile
from collections.abc import Callable, Iterable
from typing import BinaryIO

HEADER = ("external_id", "full_name", "date_of_birth", "sector")
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
CHUNK = 1 << 20

Writer = Callable[[BinaryIO], None]


PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        "</Relationships>"
    ),
}
NO_STRINGS = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + MAIN + b' count="0" uniqueCount="0"/>'


def workbook(sheet: Writer, strings: Writer | None = None) -> bytes:
    """An .xlsx whose first sheet (and shared strings) the writers stream into the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PACKAGE.items():
            archive.writestr(name, text)
        with archive.open(SHEET, "w", force_zip64=True) as out:
            sheet(out)
        with archive.open(STRINGS, "w", force_zip64=True) as out:
            if strings is None:
                out.write(NO_STRINGS)
            else:
                strings(out)
    return buffer.getvalue()


def _repeat(out: BinaryIO, byte: bytes, count: int) -> None:
    block = byte * CHUNK
    while count >= CHUNK:
        out.write(block)
        count -= CHUNK
    out.write(byte * count)


def _header_row() -> bytes:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(HEADER)
    )
    return f'<row r="1">{cells}</row>'.encode()


def _sheet(rows: Iterable[bytes]) -> Writer:
    def write(out: BinaryIO) -> None:
        out.write(b"<?xml version='1.0' encoding='UTF-8'?><worksheet " + MAIN + b"><sheetData>")
        out.write(_header_row())
        for row in rows:
            out.write(row)
        out.write(b"</sheetData></worksheet>")

    return write


def huge_shared_string(chars: int) -> bytes:
    """One cell (B2) referring to a shared string of `chars` letters (2**31: a 2 MB file)."""

    def strings(out: BinaryIO) -> None:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?><sst ' + MAIN + b' count="1" ')
        out.write(b'uniqueCount="1"><si><t>')
        _repeat(out, b"A", chars)
        out.write(b"</t></si></sst>")

    return workbook(_sheet([b'<row r="2"><c r="B2" t="s"><v>0</v></c></row>']), strings)


def huge_inline_cell(chars: int) -> bytes:
    """One cell written inline in the sheet itself, `chars` letters long."""

    def rows() -> Iterable[bytes]:
        yield b'<row r="2"><c r="B2" t="inlineStr"><is><t>'
        yield from _chunks(b"A", chars)
        yield b"</t></is></c></row>"

    return workbook(_sheet(rows()))


def _chunks(byte: bytes, count: int) -> Iterable[bytes]:
    block = byte * CHUNK
    while count >= CHUNK:
        yield block
        count -= CHUNK
    yield byte * count


def many_rows(count: int) -> bytes:
    """`count` records of one number each (1,048,576 rows: Excel's maximum)."""
    return workbook(_sheet(b"<row><c><v>1</v></c></row>" for _ in range(count)))


def whitespace(count: int) -> bytes:
    """`count` bytes of blanks between the header and one record."""

    def rows() -> Iterable[bytes]:
        yield from _chunks(b" ", count)
        yield b'<row r="2"><c r="A2"><v>1</v></c></row>'

    return workbook(_sheet(rows()))


def wide_rows(count: int) -> bytes:
    """`count` rows, each with one value in the last column Excel has (XFD)."""
    rows = (f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>'.encode() for n in range(2, count + 2))
    return workbook(_sheet(rows))


def lying_sizes(real: bytes) -> bytes:
    """`real` with every member's uncompressed size declared as 100 bytes (zip headers lie)."""
    data = bytearray(real)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            size = struct.unpack_from("<I", data, start + offset)[0]
            if size != 0xFFFFFFFF:  # zip64 members keep the size in an extra field
                struct.pack_into("<I", data, start + offset, 100)
            start = data.find(signature, start + 4)
    return bytes(data)


HOSTILE: dict[str, Callable[[], bytes]] = {
    "2 GiB shared string": lambda: huge_shared_string(2**31),
    "300 MB inline cell": lambda: huge_inline_cell(300 * 10**6),
    "1,048,576 rows": lambda: many_rows(1_048_576),
    "300,000 rows": lambda: many_rows(300_000),
    "1 GiB of whitespace": lambda: whitespace(2**30),
    "20,000 rows as wide as Excel": lambda: wide_rows(20_000),
    "sizes that lie": lambda: lying_sizes(huge_inline_cell(300 * 10**6)),
}
