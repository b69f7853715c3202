"""One timestamp format: UTC with its 'Z', on create and on read, on both databases."""

import re
from datetime import UTC, datetime, timedelta

UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _stamps(record: dict) -> list[str]:
    found = [record["created_at"], record["updated_at"]]
    found += [event["at"] for event in record.get("history", [])]
    return found


def _assert_utc_now(stamps: list[str]) -> None:
    now = datetime.now(UTC)
    for stamp in stamps:
        assert UTC_STAMP.match(stamp), stamp
        assert abs(datetime.fromisoformat(stamp) - now) < timedelta(minutes=5), stamp


def test_every_timestamp_is_utc_with_z_on_create_and_on_read(api):
    institute, employer = api.org("institute"), api.org("employer")
    candidate = api.candidate(institute)
    vacancy = api.vacancy(employer)
    placement = api.client.post(
        "/api/v1/placements",
        json={"vacancy_id": vacancy["id"], "candidate_id": candidate["id"]},
        headers=api.auth(employer),
    ).json()
    reads = {
        "candidate": api.client.get(
            f"/api/v1/candidates/{candidate['id']}", headers=api.auth(institute)
        ).json(),
        "vacancy": api.client.get(
            f"/api/v1/vacancies/{vacancy['id']}", headers=api.auth(employer)
        ).json(),
        "placement": api.client.get(
            f"/api/v1/placements/{placement['id']}", headers=api.auth(employer)
        ).json(),
        "listed": api.client.get("/api/v1/candidates", headers=api.auth(institute)).json()["items"][
            0
        ],
    }
    for created in (candidate, vacancy, placement):
        _assert_utc_now(_stamps(created))
    for read in reads.values():
        _assert_utc_now(_stamps(read))
    assert reads["candidate"]["created_at"] == candidate["created_at"]
    assert reads["placement"]["history"][0]["at"] == placement["history"][0]["at"]
