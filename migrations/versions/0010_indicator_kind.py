"""Each output indicator says how its figures add up over periods (indicator.kind): a count at a
point in time, a flow, or a running total. Existing indicators are flows, except the seeded ones
that are not (schools with a placed social worker, young people with a trusted adult, services
transformed).

Revision ID: 0010
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

KINDS = ("point in time", "flow", "cumulative")
# (stream code, indicator code) -> kind, as seeds/hidden_harms.toml now says.
SEEDED = {
    ("SWIS", "SCHOOLS"): "point in time",
    ("TRF", "TRUSTED_ADULTS"): "point in time",
    ("CSA-STF", "SERVICES"): "cumulative",
}


def upgrade():
    # No CHECK in the database: on SQLite, batch mode copied one added to an existing table under
    # two names and could not drop it again on downgrade. The model's Enum validates the value.
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.String(length=30),
                server_default="flow",
                nullable=False,
            )
        )
    for (stream_code, code), kind in SEEDED.items():
        op.execute(
            sa.text(
                "UPDATE indicator SET kind = :kind WHERE code = :code AND stream_id IN "
                "(SELECT id FROM funding_stream WHERE code = :stream)"
            ).bindparams(kind=kind, code=code, stream=stream_code)
        )


def downgrade():
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_column("kind")
