"""Alembic's entry point: migrations run on the connection `load.migrate.upgrade` hands over, inside its
transaction and under its lock."""

from alembic import context

from load.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
