"""organisations and accounts found by a part of a name: trigram indexes (PostgreSQL)

Revision ID: b7e3c1d9a2f4
Revises: a4286596bebe
Create Date: 2026-12-04 08:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e3c1d9a2f4'
down_revision = 'a4286596bebe'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_trgm_organisation_names': ('organisation', ['legal_name', 'short_name']),
    'ix_trgm_user_names': ('user', ['full_name', 'email']),
}


def upgrade():
    # SQLite reads the rows at the sizes it serves; see labelling.db.trigram_index.
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, (table, columns) in INDEXES.items():
        op.create_index(
            name, table, columns, postgresql_using='gin',
            postgresql_ops=dict.fromkeys(columns, 'gin_trgm_ops'),
        )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
