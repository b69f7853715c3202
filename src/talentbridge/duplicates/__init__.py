"""One person, one record: likely duplicates across (and within) institutes, found in the
background, reviewed by officers, and what a decision changes."""
