"""one outbox row per shipment and parent order (a merged ShipStation order ships several)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""
from typing import Sequence, Union

from alembic import op

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NAME = 'uq_confirmations_shop_shipment'


def upgrade() -> None:
    with op.batch_alter_table('shipment_confirmations') as batch:
        batch.drop_constraint(NAME, type_='unique')
        batch.create_unique_constraint(NAME, ['shop_id', 'shipment_id', 'parent_order_sn'])


def downgrade() -> None:
    with op.batch_alter_table('shipment_confirmations') as batch:
        batch.drop_constraint(NAME, type_='unique')
        batch.create_unique_constraint(NAME, ['shop_id', 'shipment_id'])
