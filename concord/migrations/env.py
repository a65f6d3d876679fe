"""Alembic environment: the engine comes from the caller (concord.migrate), never from an ini file."""
from __future__ import annotations

from alembic import context

from concord.models import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("run migrations through concord.migrate.upgrade(engine)")

from incident.db import WRITE_OPTION

# A migration writes: begin as a writer (BEGIN IMMEDIATE on SQLite), so two servers starting at once
# take turns instead of one failing half-way with "database is locked".
with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
