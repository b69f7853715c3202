"""The institute's flow in a real Chromium: sign in, upload a file with bad rows (keyboard
alone), read the failed rows by spreadsheet row, download them, fix one and upload again,
open a candidate's page, sign out; axe-core on every page; another institute's candidate is
404; a `<script>` name is text."""

import csv
import io
import re
from pathlib import Path

from tests.web.conftest import Live, Tab

SHEET = (
    "external_id,full_name,date_of_birth,sector,consent_to_share\n"
    "W-1,Lakshmi Pillai,1996-04-02,care,true\n"
    "W-2,Gopal Reddy,12/05/1998,construction,true\n"
    "W-3,Farah Khan,1995-11-30,care,maybe\n"
    "W-4,Joseph Thomas,1994-08-15,Manufacturing,TRUE\n"
)


def _focus(tab: Tab, selector: str, limit: int = 40) -> None:
    """Tab through the page until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} never got the focus with Tab")


def _choose_with_space(tab: Tab, sheet: Path) -> None:
    """Space on the focused file field opens the chooser; Chromium may drop the first press
    while Playwright starts intercepting choosers, so it is pressed again (3 tries)."""
    from playwright.sync_api import TimeoutError as Timeout

    for _ in range(3):
        try:
            with tab.page.expect_file_chooser(timeout=5000) as chooser:
                tab.page.keyboard.press("Space")
        except Timeout:
            continue
        chooser.value.set_files(str(sheet))
        return
    raise AssertionError("Space on the Spreadsheet field never opened the file chooser")


def test_an_institute_uploads_fixes_and_reads_a_candidate(
    tab: Tab, live: Live, tmp_path: Path
) -> None:
    member = live.member("institute")
    dialogs: list[str] = []
    tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.sign_in(member)
    tab.check_axe()
    tab.page.get_by_role("link", name="Upload a spreadsheet").click()
    tab.page.wait_for_url(re.compile(r"/app/uploads$"))
    tab.check_axe()

    # the keyboard alone: Tab to the file field, Space opens the chooser, Tab, Enter
    sheet = tmp_path / "people.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    _focus(tab, "#spreadsheet")
    _choose_with_space(tab, sheet)
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.textContent.trim()") == "Upload"
    tab.page.keyboard.press("Enter")
    tab.page.get_by_text("2 created").wait_for()
    tab.check_axe()

    rows = tab.page.locator("table.failed-rows tbody tr")
    cells = [
        [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]
    assert cells[0][:3] == ["3", "W-2", "date_of_birth"]
    assert cells[1][:3] == ["4", "W-3", "consent_to_share"]
    assert "true or false" in cells[1][3]
    assert tab.page.locator("progress#job-progress").is_visible()

    with tab.page.expect_download() as download:
        tab.page.get_by_role("link", name=re.compile("Download the failed rows")).click()
    failed = download.value.path().read_text(encoding="utf-8-sig")
    records = list(csv.DictReader(io.StringIO(failed)))
    assert [r["external_id"] for r in records] == ["W-2", "W-3"]

    fixed = tmp_path / "fixed.csv"
    records[0]["date_of_birth"] = "1998-05-12"  # one fixed, the other left as it was
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    fixed.write_text(out.getvalue(), encoding="utf-8")
    tab.page.get_by_label("Spreadsheet").set_input_files(str(fixed))
    tab.page.get_by_role("button", name="Upload").click()
    tab.page.get_by_text("1 created").wait_for()
    assert tab.page.locator("table.failed-rows tbody tr").count() == 1

    tab.page.get_by_role("link", name="Candidates").first.click()
    tab.page.get_by_text("3 candidates").wait_for()
    tab.page.get_by_label("Name or external ID").fill("gopal")
    tab.page.get_by_role("button", name="Search").click()
    tab.page.get_by_text("1 candidate", exact=True).wait_for()
    tab.check_axe()
    tab.page.get_by_role("link", name="Gopal Reddy").click()
    tab.page.get_by_role("heading", name="Gopal Reddy").wait_for()
    assert tab.page.get_by_role("heading", name="Pipeline history").is_visible()
    tab.check_axe()
    tab.page.get_by_role("link", name="Edit the record").click()
    tab.check_axe()

    # a new candidate through the form: the errors beside the fields, then a <script> name
    tab.page.goto(f"{live.url}/app/candidates/new")
    tab.check_axe()
    tab.page.get_by_role("button", name="Add candidate").click()
    tab.page.get_by_role("heading", name="There is a problem").wait_for()
    tab.check_axe()
    name = "<script>alert(1)</script>"
    tab.page.get_by_label("External ID").fill("S-1")
    tab.page.get_by_label("Full name").fill(name)
    tab.page.get_by_label("Date of birth").fill("1997-03-04")
    tab.page.get_by_label("Sector", exact=True).select_option("care")
    tab.page.get_by_role("button", name="Add candidate").click()
    tab.page.get_by_role("heading", name=name).wait_for()
    candidate_url = tab.page.url.split("?")[0]
    tab.page.goto(f"{live.url}/app/candidates?q=S-1")
    assert tab.page.get_by_role("link", name=name).is_visible()
    tab.page.goto(f"{live.url}/app/uploads?lang=ja")
    assert tab.page.get_by_label("スプレッドシート").is_visible()
    tab.check_axe()
    tab.page.goto(f"{live.url}/app/candidates?lang=en")
    tab.sign_out()

    # another institute: the same address is not found
    tab.sign_in(live.member("institute"))
    tab.page.goto(candidate_url)
    assert tab.page.get_by_role("heading", name="Page not found").is_visible()
    assert name not in tab.page.content()
    tab.check_axe()
    tab.sign_out()
    assert dialogs == []
    # the form's 422 and the other institute's 404 are the only resources that "failed"
    expected = re.compile(r"Failed to load resource: .* (422|404) ")
    assert tab.foreign == [] and [m for m in tab.console if not expected.match(m)] == []
