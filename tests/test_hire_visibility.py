"""What an employer sees of a person it placed (visibility.hire_view): named under consent."""

import pytest

from talentbridge import visibility


@pytest.mark.parametrize(
    ("consent", "adult", "stage", "named"),
    [
        (True, True, "placed", True),
        (False, True, "placed", False),  # consent withdrawn: the name goes
        (True, False, "placed", False),
        (True, True, "rejected", False),
        (True, True, "withdrawn", False),
    ],
)
def test_hire_view(consent: bool, adult: bool, stage: str, named: bool) -> None:
    view = visibility.hire_view(consent=consent, adult=adult, stage=stage)
    assert view.identity is named and view.profile is (consent and adult)
