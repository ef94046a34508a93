"""ShipStation V2: which API a shop speaks and its warehouse; ShipStation's order ids as text
(V2's are not numbers); when ShipStation's hold of an order ends

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('credentials') as batch:
        batch.add_column(sa.Column('shipstation_api', sa.String(length=8), nullable=False,
                                   server_default='v1'))
        batch.add_column(sa.Column('shipstation_warehouse_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('orders') as batch:
        batch.alter_column('shipstation_order_id', existing_type=sa.BigInteger(),
                           type_=sa.String(length=64), existing_nullable=True,
                           postgresql_using='shipstation_order_id::text')
        batch.add_column(sa.Column('hold_until', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('hold_until')
        batch.alter_column('shipstation_order_id', existing_type=sa.String(length=64),
                           type_=sa.BigInteger(), existing_nullable=True,
                           postgresql_using='shipstation_order_id::bigint')
    with op.batch_alter_table('credentials') as batch:
        batch.drop_column('shipstation_warehouse_id')
        batch.drop_column('shipstation_api')
