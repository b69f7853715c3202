"""Who is in the demo programme: institutes, employers, candidates and vacancies, planned from
one seeded random generator (the same seed gives the same cast)."""

import random
from collections import Counter
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from functools import cache

from talentbridge import reference
from talentbridge.candidates.models import Candidate
from talentbridge.demo.draw import add_months, partners, quota, weighted
from talentbridge.demo.spec import Job, OrgSpec, Seeker
from talentbridge.demo.vocabulary import vocabulary
from talentbridge.organisations.models import OrgKind
from talentbridge.reference.esco import Occupation
from talentbridge.vacancies.models import Vacancy

INSTITUTES_PER_PARTNER_STATE = 3
OTHER_INSTITUTES = 8
EMPLOYERS_PER_PARTNER_PREFECTURE = 6
EMPLOYERS_PER_NETWORK_PREFECTURE = 4
EMPLOYERS_PER_OTHER_PREFECTURE = 2
SECTOR_SHARES = {"care": 0.30, "construction": 0.22, "manufacturing": 0.32, "agriculture": 0.16}
FEMALE_SHARE = {"care": 0.7, "construction": 0.05, "manufacturing": 0.2, "agriculture": 0.25}
LEVEL_WEIGHTS = {None: 2, "N5": 33, "N4": 45, "N3": 16, "N2": 4}
WAGES = {
    "care": (190, 250),
    "construction": (210, 300),
    "manufacturing": (190, 270),
    "agriculture": (180, 230),
}  # thousand JPY a month
OPENINGS_WEIGHTS = {1: 5, 2: 10, 3: 13, 4: 15, 5: 15, 6: 14, 7: 14, 8: 14}


# --- organisations ---------------------------------------------------------------------------
def plan_institutes(rng: random.Random) -> list[OrgSpec]:
    """Three institutes in each partner state, then one in each of eight other states."""
    partner_states = sorted({s for s, _ in reference.partnerships()})
    states = [s for s in partner_states for _ in range(INSTITUTES_PER_PARTNER_STATE)]
    words = vocabulary()
    others = [s for s in words.other_states if s not in partner_states]
    states += rng.sample(others, OTHER_INSTITUTES)
    names: set[str] = set()
    out = []
    for state in states:
        while True:
            city = rng.choice(words.cities[state])
            name = rng.choice(words.institute_patterns).format(city=city)
            if name not in names:
                break
        names.add(name)
        out.append(OrgSpec(kind=OrgKind.institute, name=name, state=state, town=city))
    return out


def plan_employers(rng: random.Random) -> list[OrgSpec]:
    """Employers in partner prefectures, the rest of the Governors' Network and elsewhere."""
    words = vocabulary()
    partnered = sorted({p for _, p in reference.partnerships()})
    network = sorted(reference.governors_network() - set(partnered))
    prefectures = [p for p in partnered for _ in range(EMPLOYERS_PER_PARTNER_PREFECTURE)]
    prefectures += [p for p in network for _ in range(EMPLOYERS_PER_NETWORK_PREFECTURE)]
    prefectures += [
        p for p in words.other_prefectures for _ in range(EMPLOYERS_PER_OTHER_PREFECTURE)
    ]
    sectors = [_leaning_sector(rng, p) for p in prefectures]
    for sector in reference.SECTORS:  # every sector needs employers, whatever the dice say
        if sector not in sectors:
            common = Counter(sectors).most_common(1)[0][0]
            sectors[rng.choice([i for i, s in enumerate(sectors) if s == common])] = sector
    names: set[str] = set()
    out = []
    for prefecture, sector in zip(prefectures, sectors, strict=True):
        while True:
            town = rng.choice(words.towns[prefecture])
            name = rng.choice(words.employer_patterns[sector]).format(
                town=town, word=rng.choice(words.jp_words), surname=rng.choice(words.jp_surnames)
            )
            if name not in names:
                break
        names.add(name)
        out.append(
            OrgSpec(
                kind=OrgKind.employer, name=name, prefecture=prefecture, town=town, sector=sector
            )
        )
    return out


def _leaning_sector(rng: random.Random, prefecture: str) -> str:
    weights = {
        s: SECTOR_SHARES[s] * (2.5 if prefecture in vocabulary().sector_leaning[s] else 1.0)
        for s in reference.SECTORS
    }
    return str(weighted(rng, weights))


# --- occupations -----------------------------------------------------------------------------
def sector_occupations() -> dict[str, dict[Occupation, float]]:
    """Per sector, the weighted ESCO occupations the demo draws titles and skills from."""
    by_label = {o.label: o for o in reference.esco_occupations()}
    out: dict[str, dict[Occupation, float]] = {}
    for sector in reference.SECTORS:
        chosen = {
            by_label[label]: float(w)
            for label, w in vocabulary().occupation_weights[sector].items()
            if label in by_label and by_label[label].sector == sector
        }
        # Should the ESCO subset change, fall back to every occupation of the sector.
        out[sector] = chosen or {o: 1.0 for o in reference.esco_occupations() if o.sector == sector}
    return out


@cache
def _alternatives(occupation: Occupation) -> tuple[str, ...]:
    """A few alternative labels, leaving out near-copies of the label (ESCO lists misspellings)."""
    label = occupation.label.casefold()
    return tuple(
        a
        for a in occupation.alt_labels[:4]
        if SequenceMatcher(None, a.casefold(), label).ratio() < 0.85
    )


def _title(rng: random.Random, occupation: Occupation, alt_share: float) -> str:
    """The preferred label, or sometimes an alternative one that is not a misspelling of it."""
    alternatives = _alternatives(occupation)
    if alternatives and rng.random() < alt_share:
        return rng.choice(alternatives)
    return occupation.label


def _skills(rng: random.Random, occupation: Occupation, low: int, high: int) -> list[str]:
    """low..high skills of the occupation, fewer more often than many: from what such a
    worker really lists where the demo's data says, else the occupation's essential skills."""
    listed = vocabulary().occupation_skills.get(occupation.sector, {}).get(occupation.label)
    pool = list(listed or occupation.essential_skills)
    wanted = round(rng.triangular(low - 0.49, high + 0.49, low))
    return rng.sample(pool, min(len(pool), wanted))


# --- candidates ------------------------------------------------------------------------------
def plan_seekers(
    rng: random.Random,
    registered: list[datetime],
    institutes: list[OrgSpec],
    occupations: dict[str, dict[Occupation, float]],
    today: date,
) -> list[Seeker]:
    """One candidate registered at each moment, at institutes (partner states more often)."""
    weights = {i: (1.5 if partners(spec.state or "") else 1.0) for i, spec in enumerate(institutes)}
    serials: Counter[int] = Counter()
    seekers = []
    sectors = quota(rng, len(registered), SECTOR_SHARES)
    for moment, sector in zip(registered, sectors, strict=True):
        index = int(weighted(rng, weights))
        serials[index] += 1
        occupation = weighted(rng, occupations[sector])
        record = _candidate(
            rng, institutes[index], sector, occupation, moment, today, serials[index]
        )
        seekers.append(
            Seeker(
                record=record,
                institute=index,
                registered=moment,
                occupation=occupation,
                free_from=moment,
            )
        )
    return seekers


def _candidate(
    rng: random.Random,
    institute: OrgSpec,
    sector: str,
    occupation: Occupation,
    registered: datetime,
    today: date,
    serial: int,
) -> Candidate:
    state = institute.state or ""
    age_days = int(rng.triangular(19 * 365.25 + 10, 40 * 365.25, 24 * 365.25))
    born = today - timedelta(days=age_days)
    experience = min(max(0.0, (age_days / 365.25) - 19), rng.triangular(0, 12, 1.5))
    experience = round(experience * 2) / 2
    level = weighted(rng, LEVEL_WEIGHTS)
    jft = rng.random() < (0.45 if level in (None, "N5") else 0.2)
    title = _title(rng, occupation, 0.25)
    return Candidate(
        external_id=f"{(institute.town or 'IN')[:3].upper()}-{registered.year}-{serial:04d}",
        full_name=_person_name(rng, state, sector),
        date_of_birth=born,
        state=state,
        sector=sector,
        job_title=title,
        skills=_skills(rng, occupation, 3, 8),
        experience_years=experience,
        japanese_level=level,
        jft_basic_passed=jft,
        skill_test_passed=rng.random() < (0.92 if experience else 0.8),
        care_language_test_passed=sector == "care" and rng.random() < 0.85,
        summary=_summary(rng, title, sector, experience, institute, level),
        preferred_prefectures=_preferences(rng, state),
        available_from=(registered + timedelta(days=rng.randint(20, 150))).date(),
        consent_to_share=rng.random() < 0.95,
        created_at=registered,
    )


def _person_name(rng: random.Random, state: str, sector: str) -> str:
    names = vocabulary().names[state]
    given = rng.choice(names.female if rng.random() < FEMALE_SHARE[sector] else names.male)
    return f"{given} {rng.choice(names.surnames)}"


def _summary(
    rng: random.Random,
    title: str,
    sector: str,
    experience: float,
    institute: OrgSpec,
    level: str | None,
) -> str:
    if experience >= 1:
        years = f"{experience:g} years" if experience != 1 else "One year"
        article = "an" if title[0].casefold() in "aeiou" else "a"
        first = f"{years} as {article} {title} in {institute.town}."
    else:
        first = (
            f"Recently completed {reference.SECTOR_INFO[sector]['label'].lower()} training "
            f"in {institute.town}."
        )
    second = rng.choice(vocabulary().sector_notes[sector])
    if level in ("N5", "N4") and rng.random() < 0.3:
        second = f"Studying Japanese towards JLPT {'N4' if level == 'N5' else 'N3'}."
    return first if rng.random() < 0.5 else f"{first} {second}"


def _preferences(rng: random.Random, state: str) -> list[str]:
    """Some candidates name prefectures; partner-state candidates often name their partner."""
    if rng.random() > 0.55:
        return []
    chosen: list[str] = []
    partnered = sorted(partners(state))
    if partnered and rng.random() < 0.7:
        chosen.append(rng.choice(partnered))
    pool = sorted(set(vocabulary().towns) - set(chosen))
    chosen += rng.sample(pool, rng.randint(0 if chosen else 1, 2))
    return chosen


# --- vacancies -------------------------------------------------------------------------------
def plan_jobs(
    rng: random.Random,
    posted: list[datetime],
    employers: list[OrgSpec],
    occupations: dict[str, dict[Occupation, float]],
) -> list[Job]:
    """One vacancy posted at each moment, by an employer of its sector."""
    by_sector: dict[str, list[int]] = {}
    for i, spec in enumerate(employers):
        by_sector.setdefault(spec.sector or "", []).append(i)
    jobs = []
    for moment, sector in zip(posted, quota(rng, len(posted), SECTOR_SHARES), strict=True):
        employer = rng.choice(by_sector[sector])
        occupation = weighted(rng, occupations[sector])
        intake = add_months(moment.date(), rng.randint(3, 5))
        record = _vacancy(rng, employers[employer], occupation, moment, intake)
        jobs.append(
            Job(
                record=record,
                employer=employer,
                posted=moment,
                intake=intake,
                occupation=occupation,
                interval_days=rng.uniform(15, 45) / record.openings,
            )
        )
    return jobs


def _vacancy(
    rng: random.Random, employer: OrgSpec, occupation: Occupation, posted: datetime, intake: date
) -> Vacancy:
    sector = employer.sector or ""
    openings = int(weighted(rng, OPENINGS_WEIGHTS))
    title = _title(rng, occupation, 0.15)
    skills = _skills(rng, occupation, 3, 6)
    low, high = WAGES[sector]
    level = "N3" if rng.random() < (0.25 if sector == "care" else 0.15) else "N4"
    return Vacancy(
        title=title,
        description=_description(rng, employer, title, openings),
        sector=sector,
        prefecture=employer.prefecture,
        openings=openings,
        required_skills=skills,
        min_japanese_level=level,
        requires_skill_test=rng.random() < 0.97,
        min_experience_years=float(rng.choice((0, 0, 0, 1, 1, 2, 3))),
        monthly_wage_jpy=rng.randint(low, high) * 1000,
        start_date=intake,
        status="open",
        created_at=posted,
    )


def _description(rng: random.Random, employer: OrgSpec, title: str, openings: int) -> str:
    """Who hires where, and the support offered (the skills are listed in their own field)."""
    people = f"{openings} {title}" + ("s" if openings > 1 and not title.endswith("s") else "")
    support = rng.choice(vocabulary().support_notes)
    return (
        f"{employer.name} in {employer.town}, {employer.prefecture}, is hiring {people} "
        f"under the Specified Skilled Worker (i) programme. {support}"
    )
