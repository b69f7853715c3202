"""Uploads are read in processes of their own (ingestion/parsers.py): the same refusals in
the same words, the same rows stored, a memory and a time limit, and a reader that dies or
goes quiet replaced, its upload answered (issue 22, item 8)."""

import html
import io
import os
import signal
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from talentbridge import migrate
from talentbridge.app import create_app
from talentbridge.config import Settings
from talentbridge.errors import Invalid
from talentbridge.ingestion import parsers, reading
from talentbridge.ingestion.sheets import Limits
from talentbridge.web import problems
from talentbridge.web.i18n import Translator
from tests.conftest import ADMIN, Database, make_database
from tests.ingestion import hostile
from tests.web.conftest import csrf_of, make_member, sign_in_client

XLSX = reading.XLSX_TYPE


def _workbook(rows: int, *, bad: bool = False) -> bytes:
    book = Workbook()
    book.active.append(["external_id", "full_name", "date_of_birth", "sector"])
    for n in range(rows):
        book.active.append([f"W{n}", f"Person {n}", "1998-05-01", "care"])
    if bad:
        book.active.append(["BAD", "Bad Date", "01/05/1998", "care"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _in_process_refusal(data: bytes, limits: Limits) -> str:
    with pytest.raises(Invalid) as refused:
        reading.rows_from_upload(data, XLSX, limits)
    assert refused.value.field == "file"
    return refused.value.message


def _post(api, institute, data: bytes):
    return api.client.post(
        "/api/v1/candidates/bulk",
        files={"file": ("people.xlsx", data, XLSX)},
        headers=api.auth(institute),
    )


def _readers(settings: Settings) -> list[int]:
    """The process ids of the readers this budget's pool runs (children of this process)."""
    pool = parsers.start(settings)
    assert pool is not None
    mine = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as children:
            for pid in children.read().split():
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    words = cmdline.read().split(b"\0")
                budget = [str(settings.bulk_parse_memory_bytes), str(settings.bulk_parse_seconds)]
                if (
                    b"talentbridge.ingestion.parsers" in words
                    and [w.decode() for w in words[-3:-1]] == budget
                ):
                    mine.append(int(pid))
    return mine


def _wait_until_dead(pid: int) -> None:
    for _ in range(100):
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                return
        time.sleep(0.05)
    raise AssertionError(f"{pid} did not die")


HOSTILE = {
    "1 GiB of whitespace": lambda: hostile.whitespace(2**30),
    "20,000 rows as wide as Excel": lambda: hostile.wide_rows(20_000),
    "sizes that lie": lambda: hostile.lying_sizes(hostile.huge_inline_cell(300 * 10**6)),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_by_a_reader_in_the_words_of_the_reading(api, name):
    data = HOSTILE[name]()
    expected = _in_process_refusal(data, parsers.limits_of(api.client.app.state.settings))
    response = _post(api, api.org("institute"), data)
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": expected, "field": "file"}


def test_a_csv_past_the_row_limit_names_the_row_through_a_reader(api, settings):
    settings.bulk_max_rows = 20
    rows = "".join(f"C{n},Person {n},1998-05-01,care\n" for n in range(30))
    response = api.client.post(
        "/api/v1/candidates/bulk",
        content=("external_id,full_name,date_of_birth,sector\n" + rows).encode(),
        headers={**api.auth(api.org("institute")), "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "at most 20 rows per upload; row 22 is one more",
        "field": "body",
    }


def test_an_ordinary_workbook_read_by_a_reader_stores_every_row(api):
    institute = api.org("institute")
    count = parsers.CHUNK_ROWS * 2 + 10  # its rows come back in three pieces
    response = _post(api, institute, _workbook(count, bad=True))
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["failed"]) == (count, 1)
    [error] = response.json()["errors"]
    assert (error["row"], error["external_id"], error["field"]) == (
        count + 2,  # the header is row 1
        "BAD",
        "date_of_birth",
    )
    listed = api.client.get("/api/v1/candidates?limit=100", headers=api.auth(institute)).json()
    assert listed["total"] == count
    assert sorted(c["external_id"] for c in listed["items"]) == sorted(f"W{n}" for n in range(100))


def test_a_file_that_takes_too_long_to_read_is_refused_naming_the_limit(api, settings):
    settings.bulk_parse_processes, settings.bulk_parse_seconds = 1, 0.05
    response = _post(api, api.org("institute"), _workbook(10_000))
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": parsers.too_long(0.05), "field": "file"}
    settings.bulk_parse_seconds = 60.0  # the next upload with the usual time goes in
    assert _post(api, api.org("institute"), _workbook(5)).status_code == 200


def test_a_file_that_needs_too_much_memory_is_refused_naming_the_file(api, settings):
    settings.bulk_parse_processes, settings.bulk_parse_memory_bytes = 1, 10_000_000
    response = _post(api, api.org("institute"), _workbook(10_000))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "file"
    assert "more than 10 MB" in response.json()["detail"]


def test_a_reader_that_died_is_replaced_without_refusing_the_next_file(api, settings):
    settings.bulk_parse_processes, settings.bulk_parse_seconds = 1, 61.0
    assert _post(api, api.org("institute"), _workbook(3)).status_code == 200
    [reader] = _readers(settings)
    os.kill(reader, signal.SIGKILL)
    _wait_until_dead(reader)
    response = _post(api, api.org("institute"), _workbook(3))
    assert response.status_code == 200, response.text
    assert _readers(settings) != [reader]


def test_a_reader_that_goes_quiet_is_killed_and_its_upload_answered(api, settings):
    settings.bulk_parse_processes, settings.bulk_parse_seconds = 1, 0.5
    assert _post(api, api.org("institute"), _workbook(3)).status_code == 200
    [reader] = _readers(settings)
    os.kill(reader, signal.SIGSTOP)  # its own timer cannot ring: the server must act
    started = time.perf_counter()
    response = _post(api, api.org("institute"), _workbook(3))
    assert response.status_code == 422, response.text
    assert (
        response.json()["field"] == "file" and "stopped before the end" in response.json()["detail"]
    )
    assert time.perf_counter() - started < 0.5 + parsers.GRACE_SECONDS + 5
    assert _post(api, api.org("institute"), _workbook(3)).status_code == 200


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A database of its own: the page commits what it stores (the shared one is rolled back
    after each test, and rows committed there were seen by later tests)."""
    db = make_database(request.param, tmp_path)
    migrate.upgrade(db.url)
    yield db
    db.drop()


def test_the_upload_page_shows_a_readers_refusal_and_stores_a_good_file(own_database: Database):
    database = own_database
    settings = Settings(database_url=database.url, admin_token=ADMIN, inprocess_worker=False)
    app = create_app(settings, engine=database.engine, load_tools=False)
    with TestClient(app) as http:
        token = sign_in_client(http, member := make_member(http, "institute"))
        assert member
        wide = hostile.wide_rows(20_000)
        page = http.post(
            "/app/uploads",
            data={"csrf_token": token},
            files={"spreadsheet": ("people.xlsx", wide, XLSX)},
        )
        assert page.status_code == 422
        # The page says the refusal from its code, as it says the in-process one.
        with pytest.raises(Invalid) as refused:
            reading.rows_from_upload(wide, XLSX, parsers.limits_of(settings))
        expected = problems.say(Translator("en"), refused.value)
        assert refused.value.code and expected in html.unescape(page.text)
        stored = http.post(
            "/app/uploads",
            data={"csrf_token": csrf_of(http.get("/app/uploads").text)},
            files={"spreadsheet": ("people.xlsx", _workbook(12), XLSX)},
        )
        assert stored.status_code == 200 and "12 created" in stored.text


@pytest.mark.parametrize("line_end", [b"\r\n", b"\n"])
def test_a_multipart_file_is_read_with_crlf_or_bare_line_feeds(api, line_end):
    """HTTP clients end lines with CRLF (cut with bytes.split); anything else still goes
    through email's parser."""
    csv = b"external_id,full_name,date_of_birth,sector\r\nM1,Mira,1998-05-01,care\r\n"
    lines = [
        b"--XyZ",
        b'Content-Disposition: form-data; name="note"',
        b"",
        b"not the file",
        b"--XyZ",
        b'Content-Disposition: form-data; name="file"; filename="People.CSV"',
        b"Content-Type: text/csv",
        b"",
        csv.rstrip(b"\r\n"),
        b"--XyZ--",
        b"",
    ]
    institute = api.org("institute")
    response = api.client.post(
        "/api/v1/candidates/bulk",
        content=line_end.join(lines),
        headers={**api.auth(institute), "Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["failed"]) == (1, 0)
