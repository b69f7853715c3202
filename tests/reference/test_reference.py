"""Tests for the reference data package."""

import json

import pytest

from talentbridge import reference
from talentbridge.reference.programme import isco_sector_rules


def test_prefectures_are_the_47_in_jis_order() -> None:
    assert len(reference.PREFECTURES) == 47
    assert len(set(reference.PREFECTURES)) == 47
    assert reference.PREFECTURES[0] == "Hokkaido"
    assert reference.PREFECTURES[12] == "Tokyo"
    assert reference.PREFECTURES[25:28] == ("Kyoto", "Osaka", "Hyogo")
    assert reference.PREFECTURES[-1] == "Okinawa"


def test_states_are_28_states_and_8_union_territories() -> None:
    kinds = reference.state_kinds()
    assert len(reference.STATES) == 36
    assert sum(kind == "state" for kind in kinds.values()) == 28
    assert sum(kind == "union_territory" for kind in kinds.values()) == 8
    assert kinds["Uttar Pradesh"] == "state"
    assert kinds["Delhi"] == "union_territory"
    assert kinds["Jammu and Kashmir"] == "union_territory"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tokyo", "Tokyo"),
        ("tokyo-to", "Tokyo"),
        ("Tokyo Metropolis", "Tokyo"),
        ("東京都", "Tokyo"),
        ("東京", "Tokyo"),
        ("Osaka-fu", "Osaka"),
        ("Ōsaka", "Osaka"),
        ("Kyoto-fu", "Kyoto"),
        ("  KYOTO  prefecture ", "Kyoto"),
        ("Hokkaidō", "Hokkaido"),
        ("Hokkai-do", "Hokkaido"),
        ("Hyōgo", "Hyogo"),
        ("Kōchi", "Kochi"),
        ("Ōita", "Oita"),
        ("Gunma-ken", "Gunma"),
        ("Gunma Pref.", "Gunma"),
        ("Yamanashi Prefecture", "Yamanashi"),
        ("Ehime-ken, Japan", "Ehime"),
        ("Mie", "Mie"),
        ("Gifu", "Gifu"),
    ],
)
def test_normalise_prefecture(text: str, expected: str) -> None:
    assert reference.normalise_prefecture(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uttar pradesh", "Uttar Pradesh"),
        ("UP", "Uttar Pradesh"),
        ("U.P.", "Uttar Pradesh"),
        ("Orissa", "Odisha"),
        ("Pondicherry", "Puducherry"),
        ("NCT of Delhi", "Delhi"),
        ("New Delhi", "Delhi"),
        ("J&K", "Jammu and Kashmir"),
        ("Jammu & Kashmir", "Jammu and Kashmir"),
        ("TN", "Tamil Nadu"),
        ("Tamilnadu", "Tamil Nadu"),
        ("AP", "Andhra Pradesh"),
        ("Andhra", "Andhra Pradesh"),
        ("Uttaranchal", "Uttarakhand"),
        ("Gujarat State", "Gujarat"),
        ("State of Kerala", "Kerala"),
        ("Daman and Diu", "Dadra and Nagar Haveli and Daman and Diu"),
        ("andaman & nicobar islands", "Andaman and Nicobar Islands"),
    ],
)
def test_normalise_state(text: str, expected: str) -> None:
    assert reference.normalise_state(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "Kyo", "Mumbai-ken", "Texas", "Tokyo!!x"])
def test_unknown_prefecture_is_none(text: str) -> None:
    assert reference.normalise_prefecture(text) is None


@pytest.mark.parametrize("text", ["", "Atlantis", "Bombay", "Upstate", "Tokyo", "XX"])
def test_unknown_state_is_none(text: str) -> None:
    assert reference.normalise_state(text) is None


def test_every_canonical_name_normalises_to_itself() -> None:
    assert all(reference.normalise_prefecture(p) == p for p in reference.PREFECTURES)
    assert all(reference.normalise_state(s) == s for s in reference.STATES)


def test_partnerships_resolve_both_ways() -> None:
    pairs = reference.partnerships()
    assert ("Uttar Pradesh", "Yamanashi") in pairs
    assert ("Gujarat", "Shizuoka") in pairs
    assert ("Andhra Pradesh", "Toyama") in pairs
    assert ("Tamil Nadu", "Ehime") in pairs
    for state, prefecture in pairs:
        assert prefecture in reference.partner_prefectures(state)
        assert state in reference.partner_states(prefecture)
    assert reference.partner_states("Ehime-ken") == frozenset({"Tamil Nadu"})
    assert reference.partner_prefectures("UP") == frozenset({"Yamanashi"})
    assert reference.partner_states("Hokkaido") == frozenset()
    assert reference.partner_prefectures("Nowhere") == frozenset()


def test_governors_network() -> None:
    expected = {"Yamanashi", "Tottori", "Miyagi", "Toyama", "Iwate", "Shizuoka"}
    assert reference.governors_network() == expected
    assert expected == reference.GOVERNORS_NETWORK


def test_sectors_and_levels() -> None:
    assert reference.SECTORS == ("care", "construction", "manufacturing", "agriculture")
    assert set(reference.SECTOR_INFO) == set(reference.SECTORS)
    assert reference.SECTOR_INFO["care"]["skills_test"] == "Nursing Care Skills Evaluation Test"
    assert reference.JAPANESE_LEVELS == ("N5", "N4", "N3", "N2", "N1")
    assert [reference.level_rank(level) for level in (None, "N5", "N4", "N3", "N2", "N1")] == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    assert reference.level_rank(" n4 ") == 2
    assert reference.level_rank("") == 0


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("5322", "care"),
        ("3412", "care"),
        ("7112", "construction"),
        ("7411", "construction"),
        ("8342", "construction"),
        ("7412", "manufacturing"),
        ("7223", "manufacturing"),
        ("7311", "manufacturing"),
        ("8121", "manufacturing"),
        ("9329", "manufacturing"),
        ("6111", "agriculture"),
        ("8341", "agriculture"),
        ("9211", "agriculture"),
        ("9216", "agriculture"),
        ("7112.1", "construction"),
        ("2511", None),
        ("5321 ", "care"),
        ("5311", None),
        ("7421", "manufacturing"),
        ("7413", "construction"),
        ("9217", None),
        ("9311", None),
        ("71", None),
        ("", None),
    ],
)
def test_sector_for_isco(group: str, expected: str | None) -> None:
    assert reference.sector_for_isco(group) == expected


def test_isco_rules_cover_exactly_the_sectors() -> None:
    assert set(isco_sector_rules().values()) == set(reference.SECTORS)


def test_esco_subset_covers_every_sector_consistently() -> None:
    occupations = reference.esco_occupations()
    assert {o.sector for o in occupations} == set(reference.SECTORS)
    for occupation in occupations:
        assert occupation.sector == reference.sector_for_isco(occupation.isco_group)
        assert occupation.code.split(".")[0] == occupation.isco_group
        assert occupation.label and occupation.isco_label and occupation.uri
        assert all(a and a == a.strip() for a in occupation.alt_labels)
        assert len(set(occupation.alt_labels)) == len(occupation.alt_labels)
        assert len(occupation.description) <= 301
    assert len({o.uri for o in occupations}) == len(occupations)


def test_occupation_by_uri() -> None:
    first = reference.esco_occupations()[0]
    assert reference.occupation_by_uri(first.uri) is first
    assert reference.occupation_by_uri("http://data.europa.eu/esco/occupation/nope") is None


def test_meta_is_json_ready() -> None:
    meta = reference.meta()
    assert json.loads(json.dumps(meta)) == meta
    assert len(meta["prefectures"]) == 47
    assert {"name": "Ladakh", "kind": "union_territory"} in meta["states"]
    assert {"state": "Gujarat", "prefecture": "Shizuoka"} in meta["partnerships"]
    assert [s["name"] for s in meta["sectors"]] == list(reference.SECTORS)
    assert set(meta["governors_network"]) == reference.GOVERNORS_NETWORK
