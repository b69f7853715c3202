def test_health_checks_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_meta_lists_reference_data(client):
    meta = client.get("/api/v1/meta").json()
    assert len(meta["prefectures"]) == 47
    assert len(meta["states"]) == 36
    assert {"state": "Uttar Pradesh", "prefecture": "Yamanashi"} in meta["partnerships"]
    assert [s["name"] for s in meta["sectors"]] == [
        "care",
        "construction",
        "manufacturing",
        "agriculture",
    ]
