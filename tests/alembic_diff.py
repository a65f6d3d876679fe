"""What the migrations lack compared with the models (used by tests and by developers)."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.runtime.migration import MigrationContext

from concord import migrate
from concord.models import metadata
from incident.db import make_engine


def diff(engine: Any = None) -> list[Any]:
    """Differences between a freshly migrated database and the models."""
    with tempfile.TemporaryDirectory() as tmp:
        eng = engine or make_engine(f"sqlite:///{Path(tmp) / 'diff.db'}")
        migrate.upgrade(eng)
        with eng.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, metadata)


def show() -> None:
    """Print the Alembic ops the migrations are missing, ready to paste into upgrade()."""
    with tempfile.TemporaryDirectory() as tmp:
        eng = make_engine(f"sqlite:///{Path(tmp) / 'diff.db'}")
        migrate.upgrade(eng)
        with eng.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": False})
            print(render_python_code(produce_migrations(ctx, metadata).upgrade_ops))
