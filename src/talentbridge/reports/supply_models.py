"""The demand report's supply, tallied: counts of unplaced candidates by what they offer.

Database triggers (migration 0019) write a `supply_changes` row for every candidate whose
counted fields change, however it changed (the API, a bulk upload, COPY, the background
worker, erasure) and whenever one of their placements is made, moves or goes; the report
folds those rows into the tallies before it reads them (`reports.supply.catch_up`).
"""

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from talentbridge.db import SEQ, Base

EVERYONE = 0  # the institute_id of the programme-wide cells (an officer's supply)


class SupplyTally(Base):
    """How many unplaced candidates of one institute (or EVERYONE) and sector have a fact:
    `skill:<key>`, `level:<N>` (at or above), `test:skill`, `test:care_language`,
    `occupation:<uri>` (the SSW baseline met, age aside). Not by state: with it there were
    nearly as many cells as candidates (a report filtered by state reads SupplyRecord)."""

    __tablename__ = "supply_tallies"

    institute_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sector: Mapped[str] = mapped_column(String(16), primary_key=True)
    fact: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int]


class SupplyRecord(Base):
    """What one candidate is counted as in the tallies now (no row: counted as nothing,
    e.g. placed), so a change takes exactly that away before adding the new facts. No
    foreign key: the row must outlive the erased candidate until its change is folded in."""

    __tablename__ = "supply_records"
    __table_args__ = (Index("ix_supply_records_state", "state", "institute_id"),)

    candidate_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    institute_id: Mapped[int]
    sector: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(64))
    facts: Mapped[list[str]] = mapped_column(JSON)


class SupplyChange(Base):
    """A candidate to recount, written by the triggers; one row per change (never merged,
    so a change committed while another report folds in the same candidate is not lost)."""

    __tablename__ = "supply_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int]
