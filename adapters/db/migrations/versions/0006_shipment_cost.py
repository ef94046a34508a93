"""shipment_confirmations.shipment_cost: what each label cost (ShipStation's shipmentCost)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('shipment_confirmations') as batch:
        batch.add_column(sa.Column('shipment_cost', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('shipment_confirmations') as batch:
        batch.drop_column('shipment_cost')
