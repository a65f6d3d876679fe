"""`concord sample draw` / `verify-draw` against an instance, on both databases."""
from __future__ import annotations

import json

from click.testing import CliRunner

from concord.cli import main
from incident.settings import init_instance
from tests.conftest import TEST_FIELD_KEY
from tests.crowd.helpers import add_claimants
from tests.factories import make_incident, make_user


def _run(tmp_path, engine, *args):
    return CliRunner().invoke(main, ["--instance", str(tmp_path), *args],
                                              obj={"engine": engine})


def test_verify_draw_confirms_then_detects_a_changed_population(session, engine, tmp_path):
    init_instance(tmp_path, field_key=TEST_FIELD_KEY)
    admin = make_user(session, "admin")
    inc = make_incident(session, admin, headcount=20)
    people = add_claimants(session, inc, {"A栋": 12, "B栋": 8})
    session.commit()
    r = _run(tmp_path, engine, "sample", "draw", str(inc.id), "--claim", "墙体开裂", "-k", "4", "--stratified",
             "--as", admin.username)
    assert r.exit_code == 0, r.output + r.stderr
    drawn = json.loads(r.stdout)
    assert len(drawn["drawn"]) == 4
    ok = _run(tmp_path, engine, "sample", "verify-draw", str(inc.id), str(drawn["draw_id"]))
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["reproduced"] is True and "OK:" in ok.stderr
    people[3].segment = "B栋"  # moved between strata: matters for a stratified draw
    session.commit()
    changed = _run(tmp_path, engine, "sample", "verify-draw", str(inc.id), str(drawn["draw_id"]))
    assert changed.exit_code == 2
    assert json.loads(changed.stdout)["moved"] == [people[3].id]
    assert "population changed" in changed.stderr
    missing = _run(tmp_path, engine, "sample", "verify-draw", str(inc.id), "999")
    assert missing.exit_code == 1 and "draw_id" in missing.stderr
    bad = _run(tmp_path, engine, "sample", "draw", str(inc.id), "--claim", "x", "-k", "0")
    assert bad.exit_code == 1 and "(field: k)" in bad.stderr
