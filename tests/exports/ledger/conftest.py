"""Ledger and closing tests: the gate holds every registered condition, the callbacks' included (a group
case is called back: the tests record callbacks with tests.factories.call_everyone_back)."""
from __future__ import annotations

import exports.ledger  # noqa: F401  (registers the agreements' condition)
from incident.closing import status as _status  # noqa: F401  (registers the core's conditions)
