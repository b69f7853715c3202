"""Who sees what of a candidate: the one policy every path asks (matches, pipeline, reads).

Pure rules over plain values, so the whole table can be tested alone:

- officers see every profile, name and birth date included (they monitor the programme);
- an institute sees its own candidates, and nobody else's;
- an employer sees a profile only when the person consents to sharing it with employers
  (DPDP s.6, APPI third-party provision) and is 18 or over today; it sees the name and
  birth date only while it also has an active placement of that person (any stage but
  rejected or withdrawn). Rejecting, a withdrawal, or consent withdrawn ends it.

After `placed` the employer employs the person: it keeps seeing their name, birth date and
profile (its hires, `GET /api/v1/hires`, `/app/hires`) for as long as the person consents to
sharing with employers; consent withdrawn hides the name again, the row stays (see
docs/privacy.md). Such a person is gone from every match list (placed people are not
matchable) and the candidate's own record (`GET /api/v1/candidates/{id}`) stays the
institute's: the hires list is the one place it is shown.

Whatever an employer may not see does not exist for it: the answers for "hidden" and
"no such record" are the same (see placements.service.create).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from talentbridge.fields import ADULT_AGE, age_on
from talentbridge.stages import ACTIVE as ACTIVE_STAGES

# ACTIVE_STAGES: the employer still works with the person (placed included: it employs
# them). Rejected and withdrawn placements are over.


@dataclass(frozen=True)
class View:
    """What one organisation may see of one candidate."""

    profile: bool  # the anonymous profile: sector, state, skills, experience, level, …
    identity: bool  # name and date of birth


HIDDEN = View(profile=False, identity=False)
FULL = View(profile=True, identity=True)


def is_adult(birth: date, today: date | None = None) -> bool:
    return age_on(birth, today or date.today()) >= ADULT_AGE


def candidate_view(
    *, role: str, own: bool, consent: bool, adult: bool, stages: Collection[str] = ()
) -> View:
    """What an organisation of kind `role` sees of a candidate.

    own: the caller is the candidate's institute; consent: the person consents to share
    their profile with employers; adult: 18 or over today; stages: the stages of the
    caller's (an employer's) placements of the person.
    """
    if role == "officer":
        return FULL
    if role == "institute":
        return FULL if own else HIDDEN
    if role == "employer" and consent and adult:
        return View(profile=True, identity=any(s in ACTIVE_STAGES for s in stages))
    return HIDDEN


def hire_view(*, consent: bool, adult: bool, stage: str) -> View:
    """What an employer sees of a person in one of its own placements at `stage`: after
    `placed`, name and profile under consent; the same rule as candidate_view."""
    return candidate_view(role="employer", own=False, consent=consent, adult=adult, stages=[stage])


def employer_may_see(*, consent: bool, birth: date, today: date | None = None) -> bool:
    """Whether any employer may see this profile at all (matches, shortlisting)."""
    return candidate_view(
        role="employer", own=False, consent=consent, adult=is_adult(birth, today)
    ).profile


def check_guardian(birth: date, guardian_consent: bool | None, today: date | None = None) -> None:
    """Under 18, a profile is held only with a recorded guardian's consent (DPDP s.9)."""
    if not is_adult(birth, today) and not guardian_consent:
        raise ValueError(
            f"the person is under {ADULT_AGE}: send guardian_consent: true once the "
            "institute holds a verifiable consent of a parent or guardian"
        )
