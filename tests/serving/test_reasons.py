"""Reasons as data and as sentences: every kind has an English and a Japanese sentence,
the engine gives only known kinds, and no sentence shows a code or a raw score."""

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from babel.messages.pofile import read_po

from talentbridge.evaluation.cases import eligible_person, open_vacancy
from talentbridge.matching.explain import component_reasons, gate_reasons
from talentbridge.matching.features import candidate_features, vacancy_features
from talentbridge.matching.gates import GATE_NAMES, pair_failed_gates
from talentbridge.matching.reasons import (
    ENGINE_KINDS,
    GATE_KINDS,
    KINDS,
    PLAN_KINDS,
    RECORDED,
    Reason,
)
from talentbridge.serving.reasons import (
    LOCALE_DIR,
    LOCALES,
    MESSAGES,
    every_message,
    negotiate,
    reason_codes,
    render,
    render_reason,
)

TODAY = date(2026, 11, 1)
# What must never reach a reader: an ISCO or ESCO name or unit group code, a raw decimal
# score such as 0.73 (one place is allowed in an amount, as in "2.5 years"), an engine
# name such as japanese_level, or a placeholder left unfilled.
CODE = re.compile(r"\b(ISCO|ESCO)\b|(?<![\d-])[3-9]\d{3}(?![\d年-])|\b0[.,]\d|\d[.,]\d{2,}")
ENGINE_NAME = re.compile(r"[a-z]+_[a-z]+")
PLACEHOLDER = re.compile(r"[{}?]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
LABELS = ["care home worker", "welder", "home care aide"]
ISCO = {"5322": "Home-based personal care workers", "5321": "Health care assistants"}


def _catalogue(locale: str) -> Any:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "reasons.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_every_kind_has_a_sentence_and_the_catalogues_have_each_in_both_languages():
    assert set(MESSAGES) == set(KINDS)
    for locale in LOCALES:
        catalogue = _catalogue(locale)
        for message in every_message():
            key = (message.singular, message.plural) if message.plural else message.singular
            entry = catalogue.get(message.singular)
            assert entry is not None, f"{locale}: no entry for {message.singular!r}"
            assert entry.id == key and not entry.fuzzy, f"{locale}: {message.singular!r}"
            if locale == "en":
                continue
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            assert all(strings), f"ja: {message.singular!r} is not translated"
            wanted = set(re.findall(r"{(\w+)}", message.singular + (message.plural or "")))
            for string in strings:
                assert set(re.findall(r"{(\w+)}", string)) <= wanted, string


def _pair(person: dict[str, Any], job: dict[str, Any], occ=(-1, -1)) -> tuple[dict, dict]:
    c = SimpleNamespace(**{**vars(eligible_person(1, "care worker", "care")), **person})
    v = SimpleNamespace(**{**vars(open_vacancy(1, "care worker", "care")), **job})
    features = vacancy_features(v, occ=occ[1], terms=tuple(job.get("terms", ("care", "home"))))
    if "weights" in job:  # the index weighs a vacancy's essential skills more
        features["skill_weights"] = job["weights"]
    return candidate_features(c, occ=occ[0], placed=False, terms=("care", "elderly")), features


# Pairs (person's changes, vacancy's changes, components, occupations) that between them
# give every kind the engine and the gates can give.
CASES: list[tuple[dict[str, Any], dict[str, Any], dict[str, float], tuple[int, int]]] = [
    (
        {
            "skills": ("feed patients", "bathe residents"),
            "experience_years": 3,
            "preferred_prefectures": ["Tokyo"],
            "state": "Uttar Pradesh",
            "isco_group": "5322",
        },
        {
            "required_skills": ("feed patients", "bathe residents", "喀痰吸引"),
            "min_experience_years": 1,
            "start_date": date(2027, 4, 1),
            "prefecture": "Yamanashi",
            "isco_group": "5322",
            "weights": (1.0, 1.0, 2.0),
        },
        {
            "occupation": 0.9,
            "title": 0.8,
            "title_profile": 0.5,
            "semantic": 0.2,
            "expanded": 0.7,
            "lexical": 0.3,
            "partnership": 1.0,
            "preference": 0.0,
        },
        (0, 0),
    ),
    (
        {
            "skills": (),
            "experience_years": 0.5,
            "japanese_level": "N3",
            "isco_group": "5321",
            "available_from": date(2027, 6, 1),
            "state": "Kerala",
        },
        {
            "required_skills": ("measure vital signs",),
            "min_experience_years": 2,
            "isco_group": "5321",
            "prefecture": "Tokyo",
            "terms": ("welding",),
        },
        {"occupation": 0.6, "partnership": 0.5, "preference": 0.5},
        (1, 2),
    ),
    (
        {
            "experience_years": 2,
            "isco_group": "5329",
            "jft_basic_passed": True,
            "japanese_level": None,
            "skill_test_passed": False,
            "state": "Goa",
        },
        {"isco_group": "5321", "sector": "care", "start_date": date(2027, 4, 1)},
        {"occupation": 0.3, "partnership": 0.0, "preference": 1.0},
        (0, 1),
    ),
    (  # fails every gate it can
        {
            "sector": "construction",
            "date_of_birth": date(2010, 1, 1),
            "japanese_level": "N5",
            "skill_test_passed": False,
            "care_language_test_passed": False,
            "consent_to_share": False,
            "available_from": date(2028, 1, 1),
        },
        {"start_date": date(2027, 4, 1), "status": "closed"},
        {"occupation": 0.0, "partnership": 0.0, "preference": 0.5},
        (-1, -1),
    ),
]


def _reasons() -> list[Reason]:
    found = []
    for person, job, components, occ in CASES:
        c, v = _pair(person, job, occ)
        failed = pair_failed_gates(c, v, TODAY)
        found += gate_reasons(c, v, failed, TODAY)
        found += component_reasons(c, v, components, LABELS, ISCO)
    c, v = _pair({}, {})
    found += gate_reasons({**c, "placed": True}, v, ["not_placed"], TODAY)
    return found


def test_the_engine_gives_only_known_kinds_and_every_one_it_can():
    reasons = _reasons()
    kinds = {reason.kind for reason in reasons}
    assert kinds <= set(KINDS)
    assert kinds == set(ENGINE_KINDS), set(ENGINE_KINDS) - kinds
    assert {f"gate_{gate}" for gate in GATE_NAMES} == set(GATE_KINDS)


PLAN_REASONS = [
    Reason("unfilled_no_candidates"),
    Reason(
        "unfilled_all_fail_gates",
        {
            "supply": 12,
            "failures": [
                {"gate": "japanese_level", "count": 8},
                {"gate": "care_language_test", "count": 1},
            ],
        },
    ),
    Reason("unfilled_too_few_eligible", {"eligible": 1, "openings": 3}),
    Reason("unfilled_taken_elsewhere", {"elsewhere": 2, "eligible": 2, "top_k": 50}),
    Reason("unfilled_taken_elsewhere", {"elsewhere": 40, "eligible": 80, "top_k": 50}),
]


def test_a_plans_unfilled_openings_are_told_in_both_languages():
    assert {r.kind for r in PLAN_REASONS} == set(PLAN_KINDS)
    failing = render_reason(PLAN_REASONS[1], "en")
    assert failing == (
        "No eligible candidate: of the 12 candidates in this field, 8 fail the Japanese level "
        "and 1 fails the care language test."
    )
    assert render_reason(PLAN_REASONS[1], "ja") == (
        "対象となる候補者がいません。この分野の候補者12人のうち、日本語レベルの条件を満たさない"
        "人が8人、介護日本語評価試験の条件を満たさない人が1人です。"
    )
    assert "best 50 of its 80" in render_reason(PLAN_REASONS[4], "en")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_sentence_shows_a_code_a_raw_score_or_an_engine_name(locale):
    reasons = _reasons() + PLAN_REASONS
    sentences = render(reasons, locale)
    assert len(sentences) == len(reasons)
    for reason, sentence in zip(reasons, sentences, strict=True):
        assert not CODE.search(sentence), (reason, sentence)
        assert not ENGINE_NAME.search(sentence), (reason, sentence)
        assert not PLACEHOLDER.search(sentence), (reason, sentence)
        if locale == "ja":
            assert JAPANESE.search(sentence), (reason, sentence)


def test_reasons_are_plain_data():
    import json

    data = reason_codes(_reasons())
    assert json.loads(json.dumps(data)) == data
    assert all(set(item) == {"kind", "params"} for item in data)
    assert not any(
        isinstance(v, float) and v != round(v, 1) for d in data for v in d["params"].values()
    )


def test_japanese_names_the_skills_as_the_vacancy_wrote_them():
    held = Reason(
        "skills_held", {"held_count": 2, "required_count": 3, "skills": ["食事介助", "入浴介助"]}
    )
    assert render_reason(held, "ja") == "必要なスキル3件のうち2件を保有（食事介助、入浴介助）。"
    assert render_reason(held, "en") == "Holds 2 of 3 required skills: 食事介助 and 入浴介助."
    one = Reason("skills_held", {"held_count": 1, "required_count": 1, "skills": ["feed patients"]})
    assert render_reason(one, "en") == "Holds 1 of 1 required skill: feed patients."


def test_places_occupations_dates_and_tests_read_in_japanese():
    where = Reason("partner_state", {"state": "Uttar Pradesh", "prefecture": "Yamanashi"})
    assert render_reason(where, "ja") == "出身のウッタル・プラデーシュ州は山梨県の提携州です。"
    assert render_reason(where, "en") == "Comes from Uttar Pradesh, a partner state of Yamanashi."
    same = Reason("same_occupation", {"occupation": "home care aide"})
    assert "訪問介護員" in render_reason(same, "ja")
    unknown = Reason("same_occupation", {"occupation": "cigar brander"})
    assert "cigar brander" in render_reason(unknown, "ja")  # no Japanese label: English
    late = Reason("gate_availability", {"available": "2027-06-01", "start": "2027-04-01"})
    assert "2027年6月1日" in render_reason(late, "ja")
    assert "June 1, 2027" in render_reason(late, "en")
    test = Reason("gate_skill_test", {"sector": "care"})
    assert "介護技能評価試験" in render_reason(test, "ja")


def test_the_japanese_names_name_real_states_sectors_occupations_and_groups():
    import json

    from talentbridge import reference

    names = json.loads((LOCALE_DIR / "ja" / "names.json").read_text(encoding="utf-8"))
    occupations = reference.esco_occupations()
    assert set(names["states"]) == set(reference.STATES)
    assert set(names["sectors"]) == set(names["skills_tests"]) == set(reference.SECTORS)
    assert set(names["occupations"]) <= {o.label for o in occupations}
    assert set(names["occupation_groups"]) <= {o.isco_label for o in occupations}
    assert all(
        JAPANESE.search(name) for table in ("states", "sectors") for name in names[table].values()
    )


def test_a_sentence_stored_before_reasons_were_data_reads_back_as_it_was():
    old = Reason.of("same ISCO-08 group 5322")
    assert old.kind == RECORDED and render_reason(old, "ja") == "same ISCO-08 group 5322"
    assert Reason.of({"kind": "gate_consent", "params": {}}) == Reason("gate_consent")


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "en"),
        ("", "en"),
        ("ja", "ja"),
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("en-US,en;q=0.9,ja;q=0.8", "en"),
        ("fr-FR,ja;q=0.5", "ja"),
        ("en;q=0.2, ja;q=0.7", "ja"),
        ("de, fr", "en"),
        ("ja;q=0", "en"),
        ("ja;q=x", "en"),
    ],
)
def test_the_reader_language_comes_from_accept_language(header, locale):
    assert negotiate(header) == locale
