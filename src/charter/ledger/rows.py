"""Database rows (SQLAlchemy 2 declarative models). Row classes end in ``Row``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "EventRow", "IdempotencyRow", "SpendSumRow", "TokenRow", "ViewRow"]

_SEQ = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    """One ledger event. ``hash`` chains it to its predecessor; rows are never updated."""

    __tablename__ = "ledger_events"

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(Text)  # JSON list of parties who may read it
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the Merkle root of the log at this size, and the server's signature of (seq, root)
    root: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signature: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # what the event is about (``rofr:<id>``, ``token:<id>``), derived from kind and payload
    subject: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    # SHA-256 of the writer's party and Idempotency-Key; part of the hashed content when set
    idem: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class ViewRow(Base):
    """Who may read an event: one row per party of its audience (an index of the events,
    rebuilt from them and compared by verify)."""

    __tablename__ = "ledger_views"
    __table_args__ = (Index("ix_ledger_views_party_seq", "party", "seq"),)

    party: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True)


class SpendSumRow(Base):
    """The running sum of ``spend.recorded`` events that share payer, provider, audience,
    currency, rate and first day: what a burn-down reads instead of every event (kept by
    each append, rebuilt from the events and compared by verify). Amounts are exact
    decimal strings."""

    __tablename__ = "spend_sums"

    payer: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(64), primary_key=True)
    audience: Mapped[str] = mapped_column(String(400), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" when none
    period_start: Mapped[str] = mapped_column(String(10), primary_key=True)
    amount: Mapped[str] = mapped_column(String(80))
    events: Mapped[int] = mapped_column(Integer)


class TokenRow(Base):
    """A bearer token: only its SHA-256 is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    signature: Mapped[str | None] = mapped_column(String(128), nullable=True)


class IdempotencyRow(Base):
    """The first response to a write, keyed by the caller's party and Idempotency-Key."""

    __tablename__ = "idempotency"
    __table_args__ = (UniqueConstraint("party", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    signature: Mapped[str | None] = mapped_column(String(128), nullable=True)
