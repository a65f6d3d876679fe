"""Run Alembic migrations programmatically against an engine."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to *revision*."""
    command.upgrade(alembic_config(engine), revision)


def current_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
