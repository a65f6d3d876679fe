"""Manager levels on the grade ladder (issue 13): the admin sets them (API, page, CLI); a second round
asks the managers of the new grade's level, else the nearest higher level, else every manager."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from concord.cli import main
from incident.accounts import admin as accounts_admin
from incident.accounts import levels
from incident.errors import ValidationError
from incident.settings import init_instance
from incident.timeline.render import render
from tests.accounts.test_accounts import _csrf, _post
from tests.conftest import TEST_FIELD_KEY, login
from tests.factories import PASSWORD, make_user


def test_the_ladder_follows_the_grades():
    assert levels.for_grade("C") == "department_manager" and levels.for_grade("B") == "general_manager"
    assert levels.for_grade("A") == "director" and levels.for_grade("D") == "team_lead"
    assert levels.LADDER[-len(levels.LEVELS):] == levels.LEVELS


def test_managers_of_the_level_else_higher_else_all(session):
    def who(grade):  # type: ignore[no-untyped-def]
        ids, wanted, asked, how = levels.managers_for(session, grade)
        return ids, asked, how

    assert who("C") == ([], None, "none")
    plain = make_user(session, "manager")
    assert who("C") == ([plain.id], None, "all")  # nobody carries a level: every manager, and it says so
    dept, gm = make_user(session, "manager"), make_user(session, "manager")
    dept.manager_level, gm.manager_level = "department_manager", "general_manager"
    staff = make_user(session, "staff")
    staff.manager_level = "director"  # (cannot happen through the service; a staff user is never asked)
    session.flush()
    assert who("C") == ([dept.id], "department_manager", "level")
    assert who("B") == ([gm.id], "general_manager", "level")
    assert who("D") == ([dept.id], "department_manager", "higher")  # no team lead: the next rung up
    assert who("E") == ([dept.id], "department_manager", "higher")
    assert who("A") == ([plain.id, dept.id, gm.id], None, "all")    # no director: every manager
    gm.active = False
    session.flush()
    assert who("B") == ([plain.id, dept.id], None, "all")


def test_the_second_round_event_says_whom_it_asked():
    p = {"name": "王芳", "from": "C", "to": "B", "handler": "general_manager", "level": "general_manager",
         "due_at": "2026-11-30T06:00:00+00:00"}
    zh = render("callback.second_round", p | {"asked": "level", "asked_level": "general_manager"}, "系统", "zh_CN")
    assert "已请：总经理" in zh.detail
    zh = render("callback.second_round", p | {"asked": "higher", "asked_level": "director"}, "系统", "zh_CN")
    assert "无总经理：已请总监" in zh.detail
    en = render("callback.second_round", p | {"asked": "all", "asked_level": None}, "system", "en")
    assert "no manager of level general manager or higher: asked every manager" in en.detail


def test_only_managers_carry_a_level_and_a_demotion_drops_it(session):
    boss, mgr, staff = make_user(session, "admin"), make_user(session, "manager"), make_user(session)
    out = accounts_admin.update(session, actor=boss.actor, user_id=mgr.id, data={"manager_level": "general_manager"})
    assert out.user.manager_level == "general_manager"
    for user, level in ((staff, "director"), (mgr, "chairman"), (mgr, 3)):
        with pytest.raises(ValidationError) as err:
            accounts_admin.update(session, actor=boss.actor, user_id=user.id, data={"manager_level": level})
        assert err.value.field == "manager_level"
    accounts_admin.update(session, actor=boss.actor, user_id=mgr.id, data={"role": "staff"})
    assert mgr.manager_level is None


def test_the_admin_sets_a_level_through_the_api_and_the_page(app, session):
    boss, mgr = make_user(session, "admin"), make_user(session, "manager")
    session.commit()
    c = app.test_client()
    login(c, boss.username, PASSWORD)
    r = c.patch(f"/api/v1/admin/users/{mgr.id}", json={"manager_level": "department_manager"},
                headers={"X-CSRF-Token": _csrf(c)})
    assert r.status_code == 200 and r.get_json()["user"]["manager_level"] == "department_manager"
    r = _post(c, "/api/v1/admin/users", {"username": "wang", "role": "staff", "manager_level": "director"})
    assert r.status_code == 400 and r.get_json()["field"] == "manager_level"
    assert "经理" in r.get_json()["message_local"]
    r = _post(c, "/api/v1/admin/users", {"username": "zhao", "role": "manager", "manager_level": "general_manager"})
    assert r.status_code == 201 and r.get_json()["user"]["manager_level"] == "general_manager"
    page = c.get("/admin/users").get_data(as_text=True)
    assert "管理层级（仅限经理）" in page and "部门经理" in page and 'value="general_manager"' in page
    r = c.post(f"/admin/users/{mgr.id}", data={"csrf_token": _csrf(c), "display_name": mgr.display_name,
                                                "role": "manager", "locale": "zh_CN", "manager_level": "director"})
    assert r.status_code == 200
    session.expire_all()
    assert session.get(type(mgr), mgr.id).manager_level == "director"


def test_the_cli_sets_and_lists_levels(session, engine, tmp_path):
    init_instance(tmp_path, field_key=TEST_FIELD_KEY)
    make_user(session, "admin")
    mgr = make_user(session, "manager", username="zheng")
    session.commit()

    def run(*args):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, ["--instance", str(tmp_path), *args], obj={"engine": engine})

    r = run("user", "set", "zheng", "--level", "general_manager")
    assert r.exit_code == 0, r.output
    assert "level general_manager" in r.output
    assert "general_manager" in run("user", "list").output
    r = run("user", "add", "li", "--role", "staff", "--level", "director", "--password", "锦绣花园三号楼电梯维修")
    assert r.exit_code != 0 and "manager" in r.output
    r = run("user", "set", "zheng", "--level", "none")
    assert r.exit_code == 0
    session.expire_all()
    assert session.get(type(mgr), mgr.id).manager_level is None
