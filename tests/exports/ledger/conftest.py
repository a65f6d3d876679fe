"""Ledger and closing tests: the gate holds the conditions of the ledger, the agreements, the demands,
the sign-offs and the archive record. The callbacks feature's condition (when installed) is left out
here: its own scenario (tests/callbacks/) drives callbacks to done before the gate passes."""
from __future__ import annotations

from typing import Iterator

import pytest

import exports.ledger  # noqa: F401  (registers the agreements' condition)
from incident.closing import gate
from incident.closing import status as _status  # noqa: F401  (registers the core's conditions)


@pytest.fixture(autouse=True)
def _ledger_conditions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(gate, "_conditions", {k: v for k, v in gate._conditions.items() if k != "callbacks"})
    yield
