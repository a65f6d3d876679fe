"""Alembic migrations build exactly the schema the models describe, on both databases."""
from concord import migrate
from tests.alembic_diff import diff


def test_single_head():
    assert len(migrate.current_heads()) == 1


def test_migrations_match_models(engine):
    assert diff(engine if engine.dialect.name == "postgresql" else None) == []
