"""The closing gate's seam: registered conditions are evaluated in order; open items block."""
from __future__ import annotations

from incident.closing import gate
from incident.closing.gate import GateItem


def test_conditions_are_evaluated_and_open_items_block(monkeypatch):
    monkeypatch.setattr(gate, "_conditions", {})
    gate.register("a", lambda s, inc: [GateItem("a.done", "step a is done", True)])
    gate.register("b", lambda s, inc: [GateItem("b.paid", "every payment is recorded", False,
                                                "%(n)s open", {"n": 2}, "ledger")])
    assert [i.key for i in gate.evaluate(None, None)] == ["a.done", "b.paid"]
    assert [i.key for i in gate.open_items(None, None)] == ["b.paid"]
    gate.register("b", lambda s, inc: [])  # replaced by name
    assert gate.open_items(None, None) == []
    assert GateItem("x", "y", True).to_dict()["section"] == ""
