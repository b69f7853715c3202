"""The pages in the reader's language all the way down (SQLite and PostgreSQL): a refused
form, a service's refusal (409), an upload's refusal and the 404 page say it in Japanese on a
Japanese page; a candidate's fitting vacancies give their reasons in the page's language;
the dashboard pages are served in the language asked for."""

import json
import re
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import candidate_body
from tests.web.conftest import Member, make_member, sign_in_client

JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def _bearer(member: Member) -> dict[str, str]:
    return {"Authorization": f"Bearer {member.api_key}"}


def _visible(html: str) -> str:
    """The page's text as a reader sees it (no tags, no attributes)."""
    body = html.split("<body", 1)[-1]
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _problems(html: str) -> list[str]:
    """The messages beside the fields (`<p class="field-error" id="x-error">`)."""
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    return [
        unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r'<p id="[\w-]+-error"[^>]*>(.*?)</p>', html, re.S)
    ]


def _vacancy(http: TestClient, employer: Member, **fields: Any) -> dict[str, Any]:
    body = {"title": "Care worker", "sector": "care", "prefecture": "Aichi", **fields}
    made = http.post("/api/v1/vacancies", headers=_bearer(employer), json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _candidate(http: TestClient, institute: Member, **fields: Any) -> dict[str, Any]:
    body = candidate_body(**fields)
    made = http.post("/api/v1/candidates", headers=_bearer(institute), json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_a_refused_vacancy_form_on_a_japanese_page_says_each_problem_in_japanese(
    web_client: TestClient,
) -> None:
    employer = make_member(web_client, "employer")
    csrf = sign_in_client(web_client, employer)
    assert web_client.get("/app/vacancies/new?lang=ja").status_code == 200  # remembered
    refused = web_client.post(
        "/app/vacancies/new",
        data={
            "csrf_token": csrf,
            "title": "",  # missing
            "description": "あ" * 10_001,  # too long
            "sector": "fishing",  # not one of the choices
            "openings": "two",  # not a number
            "start_date": "next spring",  # not a date
            "min_japanese_level": "N9",  # not one of the levels
        },
    )
    assert refused.status_code == 422
    assert '<html lang="ja">' in refused.text
    problems = _problems(refused.text)
    assert len(problems) >= 6, problems
    assert all(JAPANESE.search(p) for p in problems), problems
    assert not any(re.search(r"\b(Enter|Choose|field|required|valid)\b", p) for p in problems)
    assert "two" in refused.text and "next spring" in refused.text  # what was typed, kept


def test_a_services_refusals_are_said_in_japanese_with_the_gates_reasons(
    web_client: TestClient,
) -> None:
    employer = make_member(web_client, "employer")
    institute = make_member(web_client, "institute")
    vacancy = _vacancy(web_client, employer, requires_skill_test=False)
    person = _candidate(web_client, institute, state="Kerala")
    builder = _candidate(
        web_client, institute, sector="construction", skill_test_passed=False, state="Kerala"
    )
    csrf = sign_in_client(web_client, employer)
    web_client.get("/app/vacancies?lang=ja")
    shortlist = f"/app/vacancies/{vacancy['id']}/shortlist"
    first = web_client.post(
        shortlist, data={"csrf_token": csrf, "candidate_id": person["id"]}, follow_redirects=False
    )
    assert first.status_code == 303, first.text
    again = web_client.post(shortlist, data={"csrf_token": csrf, "candidate_id": person["id"]})
    assert again.status_code == 409
    assert "この方はすでにこの求人の選考に入っています。" in again.text
    assert "already" not in _visible(again.text)  # not the API's English
    # An SSW gate's refusal: the sentence and each failed gate's reason, in Japanese.
    gated = web_client.post(shortlist, data={"csrf_token": csrf, "candidate_id": builder["id"]})
    assert gated.status_code == 409
    assert "特定技能の要件により、まだこの段階に進めません。" in gated.text
    reasons = re.findall(r'<ul class="reasons">(.*?)</ul>', gated.text, re.S)
    assert reasons and JAPANESE.search(reasons[0]) and "<li>" in reasons[0]
    # A move the stage does not allow names both stages in Japanese.
    placement = web_client.get("/api/v1/placements", headers=_bearer(employer)).json()
    placement_id = placement["items"][0]["id"]
    bad_move = web_client.post(
        f"/app/placements/{placement_id}/move", data={"csrf_token": csrf, "status": "placed"}
    )
    assert bad_move.status_code == 409
    assert "「候補リスト」の段階にある選考は「就労開始」に変更できません。" in bad_move.text
    # The API's answer is as it was: English detail, and the gates' reasons by Accept-Language.
    api = web_client.post(
        "/api/v1/placements",
        headers=_bearer(employer),
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
    )
    assert api.status_code == 409
    assert api.json()["detail"] == "the candidate is already in this vacancy's pipeline"
    # English readers get the English sentences from the same codes.
    web_client.get("/app/vacancies?lang=en")
    english = web_client.post(shortlist, data={"csrf_token": csrf, "candidate_id": person["id"]})
    assert "This person is already in this vacancy&#39;s pipeline." in english.text


def test_an_uploads_refusal_is_said_in_japanese(web_client: TestClient) -> None:
    institute = make_member(web_client, "institute")
    csrf = sign_in_client(web_client, institute)
    web_client.get("/app/uploads?lang=ja")

    def upload(name: str, body: bytes) -> str:
        sent = web_client.post(
            "/app/uploads",
            data={"csrf_token": csrf},
            files={"spreadsheet": (name, body, "application/octet-stream")},
        )
        assert sent.status_code == 422, sent.text
        [problem] = _problems(sent.text)
        return problem

    header = upload("people.csv", b"name,age\nA,3\n")
    assert header.startswith("ファイルを読み込めませんでした"), header
    assert "不明な列：name, age。" in header and "不足している必須列：" in header
    assert "unknown columns" not in header
    workbook = upload("people.xlsx", b"not a workbook at all")
    assert "このファイルは Excel の .xlsx ブックではありません。" in workbook
    latin = upload("people.csv", "external_id,full_name\nX1,Zoë\n".encode("latin-1"))
    assert "CSV ファイルは UTF-8 で保存してください。" in latin
    # A failed row: what its column accepts, in Japanese (the stored sentence is English).
    rows = (
        "external_id,full_name,date_of_birth,sector,consent_to_share\n"
        "B-1,Bina Das,12/05/1998,care,true\n"
    )
    stored = web_client.post(
        "/app/uploads",
        data={"csrf_token": csrf},
        files={"spreadsheet": ("people.csv", rows.encode(), "text/csv")},
    )
    assert stored.status_code == 200, stored.text
    assert "生年月日をYYYY-MM-DDの形式で入力してください。" in unescape(stored.text)


def test_the_404_page_in_japanese(web_client: TestClient) -> None:
    employer = make_member(web_client, "employer")
    sign_in_client(web_client, employer)
    for path in ("/app/vacancies/987654?lang=ja", "/app/no-such-page?lang=ja", "/app/vacancies/x"):
        page = web_client.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert '<html lang="ja">' in page.text, path
        assert "ページが見つかりません" in page.text, path
        assert "Page not found" not in page.text, path
    # Outside /app an unknown path is still the API's JSON.
    assert web_client.get("/api/v1/no-such-thing").headers["content-type"] == "application/json"


def test_the_dashboard_pages_are_served_in_the_readers_language(web_client: TestClient) -> None:
    pages = (("/dashboard", "就労開始の進捗"), ("/dashboard/demand", "日本の人材需要"))
    for path, heading in pages:
        web_client.cookies.clear()  # no remembered choice: Accept-Language decides
        japanese = web_client.get(path, headers={"Accept-Language": "ja,en;q=0.5"})
        assert japanese.status_code == 200
        assert '<html lang="ja">' in japanese.text and heading in japanese.text
        assert japanese.headers["content-language"] == "ja"
        assert "accept-language" in japanese.headers["vary"].lower()
        found = re.search(r"data-messages='([^']*)'", japanese.text)
        assert found, "the script's words are in the page"
        words = json.loads(unescape(found.group(1)))
        assert words["session_ended"].startswith("セッションが終了しました。")
        assert all(JAPANESE.search(v) for k, v in words.items() if k != "list_separator"), words
        listed = re.search(r"data-names='([^']*)'", japanese.text)
        assert listed, "the places' names are in the page"
        names = json.loads(unescape(listed.group(1)))
        assert names["prefectures"]["Aichi"] == "愛知県"
        english = web_client.get(f"{path}?lang=en", headers={"Accept-Language": "ja"})
        assert '<html lang="en">' in english.text and english.headers["content-language"] == "en"
        assert "tb_lang=en" in english.headers["set-cookie"]


def test_a_candidates_page_gives_the_reasons_in_the_pages_language(client: TestClient) -> None:
    """The real model and matcher (tests/conftest.py `client`): the fitting vacancy's reasons
    follow ?lang= (commit 904c7ae), and the English page keeps English sentences."""
    institute = make_member(client, "institute")
    employer = make_member(client, "employer")
    person = _candidate(client, institute, skills=["feed patients", "食事介助"])
    _vacancy(
        client,
        employer,
        title="介護職員（特定技能）",
        required_skills=["食事介助", "入浴介助", "feed patients"],
    )
    sign_in_client(client, institute)

    def reasons(lang: str) -> list[str]:
        page = client.get(f"/app/candidates/{person['id']}?lang={lang}")
        assert page.status_code == 200, page.text
        assert f'<html lang="{lang}">' in page.text
        return [unescape(r) for r in re.findall(r"<li>([^<]+)</li>", page.text)]

    japanese, english = reasons("ja"), reasons("en")
    assert any("必要なスキル3件のうち2件を保有" in r for r in japanese), japanese
    assert any(r.startswith("Holds 2 of 3 required skills") for r in english), english
    assert not any(r.startswith("Holds") for r in japanese), japanese
