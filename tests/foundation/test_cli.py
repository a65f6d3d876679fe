"""The `concord` command: init, demo, user add, incident open and audit verify, with clear errors."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from concord.cli import main
from incident.db import make_engine


@pytest.fixture
def cli(tmp_path, db_url):
    """Run the CLI in-process against a fresh instance whose database is the parametrised one."""
    instance = tmp_path / "instance"
    env = {"CONCORD_DATABASE_URL": db_url}
    runner = CliRunner()

    def run(*args, input=None, expect=0):
        result = runner.invoke(main, ["--instance", str(instance), *args], env=env, input=input,
                               catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result
    run("init", "--admin-password", "admin-pass-1")
    return run


def test_init_is_idempotent_and_keeps_keys(cli, tmp_path):
    cfg = json.loads((tmp_path / "instance" / "concord.json").read_text())
    again = cli("init")
    assert "admin user" not in again.output
    assert json.loads((tmp_path / "instance" / "concord.json").read_text())["field_key"] == cfg["field_key"]
    assert oct((tmp_path / "instance" / "concord.json").stat().st_mode)[-3:] == "600"


def test_demo_then_audit_verify(cli):
    out = cli("demo").output
    assert "demo login: leader / concord-demo" in out
    inc_id = out.split("(id ")[1].split(")")[0]
    assert cli("audit", "verify", inc_id).output.startswith("OK")
    assert "demo incident" in cli("demo").output  # idempotent


def test_incident_open_from_flags_and_json(cli, tmp_path):
    r = cli("incident", "open", "--demand", "停车费上涨", "--headcount", "24", "--scope", "B1层商户",
            "--channel", "on_site", "--object", "service", "--contact", "孙女士:13912345678")
    out = json.loads(r.output)
    assert out["class"] == "routine_group" and out["grade"] in "DCBA"
    f = tmp_path / "intake.json"
    f.write_text(json.dumps({"core_demand": "退款", "headcount": 237, "scope_text": "双11活动买家",
                             "channel": "online", "complaint_object": "goods", "anonymous": True}))
    out2 = json.loads(cli("incident", "open", "--json", str(f)).output)
    assert out2["id"] == out["id"] + 1


@pytest.mark.parametrize("args,needle", [
    (["--demand", "x", "--headcount", "0", "--scope", "s", "--channel", "phone", "--object", "goods",
      "--anonymous"], "field: headcount"),
    (["--demand", "x", "--headcount", "3", "--scope", "s", "--channel", "phone", "--object", "goods"],
     "field: contacts"),
    (["--demand", "x", "--headcount", "3", "--scope", "s", "--channel", "phone", "--object", "goods",
      "--contact", "nophone"], "NAME:PHONE"),
    (["--channel", "fax"], "Invalid value for '--channel'"),
    (["--as", "ghost", "--demand", "x", "--headcount", "3", "--scope", "s", "--channel", "phone",
      "--object", "goods", "--anonymous"], "no user named 'ghost'"),
])
def test_incident_open_errors_exit_nonzero_and_store_nothing(cli, db_url, args, needle):
    r = cli("incident", "open", *args, expect=2 if "Invalid value" in needle or "NAME:PHONE" in needle else 1)
    assert needle in r.output
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM incidents")).scalar() == 0
    engine.dispose()


def test_bad_json_file(cli, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text("{not json")
    assert "not valid JSON" in cli("incident", "open", "--json", str(f), expect=1).output


def test_user_add(cli):
    assert "created" in cli("user", "add", "lisi", "--role", "manager", input="secret-pass\nsecret-pass\n").output
    assert "already taken" in cli("user", "add", "lisi", input="secret-pass\nsecret-pass\n", expect=1).output
    assert "field: password" in cli("user", "add", "wangwu", input="short\nshort\n", expect=1).output


def test_audit_verify_names_the_tampered_event(cli, db_url):
    out = cli("demo").output
    inc_id = int(out.split("(id ")[1].split(")")[0])
    r = cli("incident", "open", "--demand", "灯坏了", "--headcount", "1", "--scope", "个人", "--channel",
            "phone", "--object", "service", "--anonymous")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE incident_events SET actor_name = 'mallory' WHERE incident_id = :i AND seq = 1"),
                     {"i": inc_id})
    engine.dispose()
    bad = cli("audit", "verify", str(inc_id), expect=1)
    assert "BROKEN" in bad.output and "event #1" in bad.output
    assert "no such incident" in cli("audit", "verify", "424242", expect=1).output


def test_commands_without_init_say_so(tmp_path):
    r = CliRunner().invoke(main, ["--instance", str(tmp_path / "none"), "demo"],
                           env={"CONCORD_DATABASE_URL": ""})
    assert r.exit_code == 1 and "concord init" in r.output
