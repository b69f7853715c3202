"""`talentbridge eval` and `talentbridge model fit`: matching quality measured honestly, and
the component weights fitted on it (application layer: builds the index like the server)."""
