"""Erasure is complete: no free text about the person left, and their id never reused."""

from sqlalchemy import select

from talentbridge.audit.models import AuditEntry
from talentbridge.placements.models import GateOverride, PlacementEvent


def _erase(api, institute, candidate):
    response = api.client.delete(
        f"/api/v1/candidates/{candidate['id']}", headers=api.auth(institute)
    )
    assert response.status_code == 204


def test_erasure_scrubs_free_text_and_keeps_the_counts(api, session):
    institute, employer, officer = api.org("institute"), api.org("employer"), api.org("officer")
    person = api.candidate(institute, full_name="Asha Verma", skill_test_passed=False)
    vacancy = api.vacancy(employer)
    override = api.client.post(
        "/api/v1/placements/overrides",
        json={
            "vacancy_id": vacancy["id"],
            "candidate_id": person["id"],
            "gates": ["skill_test"],
            "reason": "Asha Verma finished TITP (ii) at a Kofu care home",
        },
        headers=api.auth(officer),
    )
    assert override.status_code == 201
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": person["id"]},
        headers=api.auth(employer),
    ).json()
    for stage, reason in (
        ("interviewing", "interview with Asha Verma booked for 3 May"),
        ("offered", "Asha accepted by phone"),
    ):
        moved = api.client.patch(
            f"/api/v1/placements/{placement['id']}",
            json={"status": stage, "reason": reason},
            headers=api.auth(employer),
        )
        assert moved.status_code == 200
    _erase(api, institute, person)

    row = api.client.get(f"/api/v1/placements/{placement['id']}", headers=api.auth(employer)).json()
    assert row["candidate_id"] is None and row["candidate_erased"] is True
    assert row["status"] == "offered" and row["under_override"] is True
    assert [e["to_status"] for e in row["history"]] == ["shortlisted", "interviewing", "offered"]
    assert all(e["reason"] is None for e in row["history"])
    stored = session.scalars(
        select(PlacementEvent.reason).where(PlacementEvent.placement_id == placement["id"])
    ).all()
    assert stored == [None, None, None]
    kept = session.scalar(select(GateOverride).where(GateOverride.vacancy_id == vacancy["id"]))
    assert kept.candidate_id is None and kept.reason is None and kept.gates == ["skill_test"]
    report = api.client.get("/api/v1/reports/progress", headers=api.auth(officer)).json()
    assert {s["stage"]: s["count"] for s in report["funnel"]}["offered"] >= 1


def test_an_erased_persons_id_is_never_given_to_someone_else(api, session):
    """The sequence from the issue: erase the newest candidate, add a new one."""
    institute = api.org("institute")
    erased = api.candidate(institute, full_name="First Person")
    api.client.get(f"/api/v1/candidates/{erased['id']}", headers=api.auth(institute))
    _erase(api, institute, erased)
    newcomer = api.candidate(institute, full_name="Second Person")
    assert newcomer["id"] != erased["id"] and newcomer["id"] > erased["id"]
    gone = api.client.get(f"/api/v1/candidates/{erased['id']}", headers=api.auth(institute))
    assert gone.status_code == 404

    def actions(candidate_id):
        return session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "candidate", AuditEntry.entity_id == candidate_id)
            .order_by(AuditEntry.id)
        ).all()

    # The audit log keeps one person per id: the erased one's trail ends with the erasure.
    assert actions(erased["id"]) == ["create", "read", "erase"]
    assert actions(newcomer["id"]) == ["create"]
