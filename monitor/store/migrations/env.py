"""Alembic's environment: migrations run on the connection the store hands over, inside its
transaction (and, on PostgreSQL, under its advisory lock)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Vigie's migrations run through monitor.store.migrate, with a connection")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
