"""A placement's conversation (SQLite and PostgreSQL): the employer and the institute write,
officers read, strangers get 404; each stage change adds a line in its own transaction."""

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from talentbridge.audit.models import AuditEntry
from talentbridge.errors import Conflict
from talentbridge.placements import conversation
from talentbridge.placements import service as placements
from talentbridge.placements.models import PlacementMessage
from tests.conftest import Api
from tests.notifications.test_events import _pipeline


def _shortlisted(api: Api) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    institute, employer = api.org("institute"), api.org("employer")
    candidate = api.candidate(institute)
    vacancy = api.vacancy(employer)
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    )
    assert placement.status_code == 201, placement.text
    return institute, employer, placement.json()


def _lines(api: Api, org: dict[str, str], placement_id: int) -> list[dict[str, Any]]:
    answer = api.client.get(f"/api/v1/placements/{placement_id}/messages", headers=api.auth(org))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _post(api: Api, org: dict[str, str], placement_id: int, body: Any) -> Any:
    return api.client.post(
        f"/api/v1/placements/{placement_id}/messages", json={"body": body}, headers=api.auth(org)
    )


def test_the_employer_writes_and_the_institute_reads_and_replies(api: Api) -> None:
    institute, employer, placement = _shortlisted(api)
    pid = placement["id"]
    sent = _post(api, employer, pid, "  Can she start in April? <script>x</script>\n")
    assert sent.status_code == 201, sent.text
    assert sent.json()["body"] == "Can she start in April? <script>x</script>"
    assert sent.json()["author"] is None  # an API key: no person
    assert sent.json()["created_at"].endswith("Z")
    assert _post(api, institute, pid, "Yes, from 1 April.").status_code == 201
    seen = _lines(api, institute, pid)
    assert [(line["kind"], line["body"]) for line in seen] == [
        ("stage_change", None),
        ("message", "Can she start in April? <script>x</script>"),
        ("message", "Yes, from 1 April."),
    ]
    assert seen[0]["data"] == {"from": None, "to": "shortlisted", "by": "employer"}
    assert seen[1]["organisation_id"] == int(employer["id"])
    assert seen[2]["organisation_id"] == int(institute["id"])
    assert _lines(api, employer, pid) == seen


def test_every_move_adds_a_line_on_both_sides(api: Api) -> None:
    institute, employer, placement = _shortlisted(api)
    pid = placement["id"]
    moved = api.client.patch(
        f"/api/v1/placements/{pid}", json={"status": "interviewing"}, headers=api.auth(employer)
    )
    assert moved.status_code == 200, moved.text
    withdrawn = api.client.patch(
        f"/api/v1/placements/{pid}", json={"status": "withdrawn"}, headers=api.auth(institute)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    for side in (employer, institute):
        assert [line["data"] for line in _lines(api, side, pid)] == [
            {"from": None, "to": "shortlisted", "by": "employer"},
            {"from": "shortlisted", "to": "interviewing", "by": "employer"},
            {"from": "interviewing", "to": "withdrawn", "by": "institute"},
        ]


def test_officers_read_but_do_not_write_and_strangers_see_nothing(api: Api) -> None:
    institute, employer, placement = _shortlisted(api)
    pid = placement["id"]
    assert _post(api, employer, pid, "Hello").status_code == 201
    officer = api.org("officer")
    assert [line["body"] for line in _lines(api, officer, pid)] == [None, "Hello"]
    refused = _post(api, officer, pid, "An officer's word")
    assert refused.status_code == 403, refused.text
    for stranger in (api.org("employer"), api.org("institute")):
        url = f"/api/v1/placements/{pid}/messages"
        assert api.client.get(url, headers=api.auth(stranger)).status_code == 404
        assert _post(api, stranger, pid, "Let me in").status_code == 404
    assert [line["body"] for line in _lines(api, employer, pid)] == [None, "Hello"]
    assert (
        api.client.get("/api/v1/placements/999999/messages", headers=api.auth(employer)).status_code
        == 404
    )


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 4001, "bad\x07bell", None, 7])
def test_a_bad_body_is_422_naming_body(api: Api, body: Any) -> None:
    _, employer, placement = _shortlisted(api)
    answer = _post(api, employer, placement["id"], body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "body"
    assert len(_lines(api, employer, placement["id"])) == 1  # only the shortlisting's line


def test_the_longest_body_is_taken_and_a_message_is_audited_without_its_text(
    api: Api, session: Session
) -> None:
    _, employer, placement = _shortlisted(api)
    assert _post(api, employer, placement["id"], "y" * 4000).status_code == 201
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "placement", AuditEntry.entity_id == placement["id"]
        )
    ).all()
    assert [(e.action, e.organisation_id) for e in entries] == [("message", int(employer["id"]))]
    assert "yyy" not in (entries[0].detail or "")


def _stage_lines(session: Session, placement_id: int) -> list[dict[str, Any] | None]:
    return list(
        session.scalars(
            select(PlacementMessage.data)
            .where(PlacementMessage.placement_id == placement_id)
            .order_by(PlacementMessage.id)
        )
    )


def test_a_rolled_back_or_refused_move_leaves_no_line(session: Session) -> None:
    _, employer, candidate, vacancy = _pipeline(session)
    placement = placements.create(
        session=session, employer=employer, vacancy_id=vacancy.id, candidate_id=candidate.id
    )
    point = session.begin_nested()
    placements.move(session=session, placement=placement, to="interviewing", organisation=employer)
    assert len(_stage_lines(session, placement.id)) == 2  # written beside the move...
    point.rollback()
    assert _stage_lines(session, placement.id) == [  # ...and gone with it
        {"from": None, "to": "shortlisted", "by": "employer"}
    ]
    with pytest.raises(Conflict):
        placements.move(session=session, placement=placement, to="placed", organisation=employer)
    assert len(_stage_lines(session, placement.id)) == 1


def test_erasing_the_person_deletes_the_messages_and_keeps_the_stage_lines(
    session: Session,
) -> None:
    institute, employer, candidate, vacancy = _pipeline(session)
    placement = placements.create(
        session=session, employer=employer, vacancy_id=vacancy.id, candidate_id=candidate.id
    )
    conversation.post(
        session=session,
        placement=placement,
        organisation=institute,
        user_id=None,
        body="Asha Verma can start in April.",
    )
    placements.erase_candidate(session=session, candidate=candidate)
    lines = conversation.listing(session=session, placement=placement, reader=employer)
    assert [(line.kind, line.body) for line in lines] == [("stage_change", None)]
