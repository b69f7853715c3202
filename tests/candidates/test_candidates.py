from tests.conftest import candidate_body


def test_create_read_update_delete(api):
    institute = api.org("institute")
    created = api.candidate(institute, state="u.p.", preferred_prefectures=["tokyo-to", "Ehime"])
    assert created["state"] == "Uttar Pradesh"
    assert created["preferred_prefectures"] == ["Tokyo", "Ehime"]
    assert created["occupation"]["isco_group"] in {"3412", "5321", "5322", "5329"}
    path = f"/api/v1/candidates/{created['id']}"
    headers = api.auth(institute)
    patched = api.client.patch(path, json={"japanese_level": "N3"}, headers=headers).json()
    assert patched["japanese_level"] == "N3"
    assert patched["full_name"] == created["full_name"]
    assert api.client.delete(path, headers=headers).status_code == 204
    assert api.client.get(path, headers=headers).status_code == 404


def test_state_defaults_to_the_institutes(api):
    institute = api.org("institute", state="Tamil Nadu")
    body = candidate_body()
    body.pop("state", None)
    created = api.client.post("/api/v1/candidates", json=body, headers=api.auth(institute)).json()
    assert created["state"] == "Tamil Nadu"


def test_bad_fields_are_named(api):
    institute = api.org("institute")
    headers = api.auth(institute)
    for field, value in [
        ("sector", "fishing"),
        ("japanese_level", "N7"),
        ("date_of_birth", "2199-01-01"),
        ("experience_years", -1),
        ("preferred_prefectures", ["Narnia"]),
        ("state", "Bavaria"),
        ("external_id", "\x00"),  # PostgreSQL text cannot hold NUL
        ("skills", ["welding\x00"]),
    ]:
        response = api.client.post(
            "/api/v1/candidates", json=candidate_body(**{field: value}), headers=headers
        )
        assert response.status_code == 422, field
        assert response.json()["field"].split(".")[0] == field


def test_duplicate_external_id_is_409(api):
    institute = api.org("institute")
    api.candidate(institute, external_id="X-1")
    response = api.client.post(
        "/api/v1/candidates", json=candidate_body(external_id="X-1"), headers=api.auth(institute)
    )
    assert response.status_code == 409
    assert response.json()["field"] == "external_id"


def test_pagination(api):
    institute = api.org("institute")
    for _ in range(5):
        api.candidate(institute)
    page = api.client.get("/api/v1/candidates?limit=2&offset=2", headers=api.auth(institute)).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert len(page["items"]) == 2
