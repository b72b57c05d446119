"""Signatures: each event's signed Merkle root at its size; a signature per token and per
idempotency record (see charter.ledger.signing).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("ledger_events") as t:
        t.add_column(sa.Column("root", sa.String(64), nullable=True))
        t.add_column(sa.Column("signature", sa.String(128), nullable=True))
    with op.batch_alter_table("tokens") as t:
        t.add_column(sa.Column("signature", sa.String(128), nullable=True))
    with op.batch_alter_table("idempotency") as t:
        t.add_column(sa.Column("signature", sa.String(128), nullable=True))


def downgrade() -> None:
    for table, cols in (
        ("ledger_events", ("root", "signature")),
        ("tokens", ("signature",)),
        ("idempotency", ("signature",)),
    ):
        with op.batch_alter_table(table) as t:
            for c in cols:
                t.drop_column(c)
