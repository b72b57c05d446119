"""Read indexes and chained bookkeeping: each event's subject and idempotency key digest,
the audience index (``ledger_views``) and the spend sums (``spend_sums``); see
charter.ledger.projections. Existing events are indexed, and existing tokens recorded in the
ledger, by ``Database.upgrade`` (which holds the signing key).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("ledger_events") as t:
        t.add_column(sa.Column("subject", sa.String(128), nullable=True))
        t.add_column(sa.Column("idem", sa.String(64), nullable=True))
        t.create_index("ix_ledger_events_subject", ["subject"])
        t.create_index("ix_ledger_events_idem", ["idem"])
    op.create_table(
        "ledger_views",
        sa.Column("party", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("seq", SEQ, primary_key=True),
    )
    op.create_index("ix_ledger_views_party_seq", "ledger_views", ["party", "seq"])
    op.create_table(
        "spend_sums",
        sa.Column("payer", sa.String(64), primary_key=True),
        sa.Column("provider", sa.String(64), primary_key=True),
        sa.Column("audience", sa.String(400), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("rate", sa.String(40), primary_key=True),
        sa.Column("period_start", sa.String(10), primary_key=True),
        sa.Column("amount", sa.String(80), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("spend_sums")
    op.drop_index("ix_ledger_views_party_seq", "ledger_views")
    op.drop_table("ledger_views")
    with op.batch_alter_table("ledger_events") as t:
        t.drop_index("ix_ledger_events_idem")
        t.drop_index("ix_ledger_events_subject")
        t.drop_column("idem")
        t.drop_column("subject")
