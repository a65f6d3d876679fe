"""Password rules and change, TOTP enrolment and login, the admin's disable / enable / reset / policy."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from incident import clock
from incident.accounts import passwords, totp
from incident.accounts.models import AccountEvent, User
from incident.errors import ValidationError
from tests.conftest import login
from tests.factories import PASSWORD, make_user

T0 = datetime(2026, 11, 26, 2, 0, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("pw, ok", [
    ("short-1", False), ("woaini1314", False), ("Password123", False), ("qwertyuiop", False),
    ("aaaaaaaaaaaa", False), ("x" * 257, False), ("正确的马电池订书钉", False), ("锦绣花园三号楼电梯维修", True),
    ("correct-horse-1", True), ("zhangsan2026", False)])
def test_password_rules(pw, ok):
    if ok:
        assert passwords.check(pw, username="zhangsan") == pw
    else:
        with pytest.raises(ValidationError) as err:
            passwords.check(pw, username="zhangsan")
        assert err.value.field == "password"


def _csrf(client):  # type: ignore[no-untyped-def]
    with client.session_transaction() as s:
        return s["csrf"]


def _post(client, path, body=None):  # type: ignore[no-untyped-def]
    return client.post(path, json=body or {}, headers={"X-CSRF-Token": _csrf(client), "Accept": "application/json"})


def test_change_password_checks_the_current_one_and_ends_the_other_sessions(app, session):
    user = make_user(session)
    session.commit()
    me, other = app.test_client(), app.test_client()
    login(me, user.username, PASSWORD)
    login(other, user.username, PASSWORD)
    r = _post(me, "/api/v1/me/password", {"current_password": PASSWORD, "new_password": "123456789"})
    assert r.status_code == 400 and r.get_json()["field"] == "new_password"
    assert "新密码" in r.get_json()["message_local"]
    r = _post(me, "/api/v1/me/password", {"current_password": PASSWORD, "new_password": "password1234"})
    assert r.status_code == 400 and "常见" in r.get_json()["message_local"]
    r = _post(me, "/api/v1/me/password", {"current_password": "wrong-one-1", "new_password": "锦绣花园三号楼电梯维修"})
    assert r.status_code == 403 and r.get_json()["field"] == "current_password"
    r = _post(me, "/api/v1/me/password", {"current_password": PASSWORD, "new_password": "锦绣花园三号楼电梯维修"})
    assert r.status_code == 200 and r.get_json()["sessions_ended"] == 1
    assert me.get("/api/v1/me").status_code == 200 and other.get("/api/v1/me").status_code == 401
    fresh = app.test_client()
    login(fresh, user.username, "锦绣花园三号楼电梯维修")


def test_five_wrong_confirmations_end_the_session(app, session):
    user = make_user(session)
    session.commit()
    me = app.test_client()
    login(me, user.username, PASSWORD)
    codes = [_post(me, "/api/v1/me/password", {"current_password": f"guess-{i}-xyz", "new_password": "锦绣花园三号楼电梯维修"})
             .status_code for i in range(5)]
    assert codes == [403, 403, 403, 403, 401]
    assert me.get("/api/v1/me").status_code == 401
    session.expire_all()
    assert session.get(User, user.id).password_hash.startswith("$argon2")


def test_totp_enrolment_then_login_asks_for_the_code(app, session):
    user = make_user(session, display_name="李敏")
    session.commit()
    me = app.test_client()
    login(me, user.username, PASSWORD)
    with clock.frozen(T0) as c:
        start = _post(me, "/api/v1/me/totp").get_json()
        assert start["qr_svg"].startswith("<svg") and start["otpauth_uri"].startswith("otpauth://totp/")
        r = _post(me, "/api/v1/me/totp/confirm", {"code": "000000"})
        assert r.status_code == 400 and r.get_json()["field"] == "code"
        code = totp.current_code(start["secret"])
        wide = "".join(chr(ord(d) + 0xFEE0) for d in code)  # full-width digits as a Chinese keyboard types them
        assert _post(me, "/api/v1/me/totp/confirm", {"code": wide}).status_code == 200
        session.expire_all()
        assert session.get(User, user.id).totp_cipher and start["secret"] not in session.get(User, user.id).totp_cipher

        c.advance(seconds=60)
        phone = app.test_client()
        page = phone.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = phone.post("/login?next=/account", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 302 and "/login/code" in r.headers["Location"]
        assert phone.get("/api/v1/me", headers={"Accept": "application/json"}).status_code == 401  # not yet
        token = _csrf(phone)
        bad = phone.post("/login/code", data={"code": "123456", "csrf_token": token})
        assert bad.status_code == 401 and "验证码错误" in bad.get_data(as_text=True)
        now_code = totp.current_code(start["secret"])
        ok = phone.post("/login/code?next=/account", data={"code": now_code, "csrf_token": token})
        assert ok.status_code == 302 and ok.headers["Location"].endswith("/account")
        assert phone.get("/api/v1/me").status_code == 200
        # the same code cannot be used twice (replay), e.g. to confirm a seal
        from incident.accounts.sessions import ReauthRequired, confirm_secret
        session.rollback()
        again = session.get(User, user.id)
        session.refresh(again)
        assert again.totp_last_step == int(T0.timestamp()) // 30 + 2
        with pytest.raises(ReauthRequired):
            confirm_secret(session, user=again, session_id=None, code=now_code)


def test_admin_disables_enables_and_resets(app, session):
    admin, user = make_user(session, "admin"), make_user(session, display_name="张强")
    session.commit()
    boss, victim = app.test_client(), app.test_client()
    login(boss, admin.username, PASSWORD)
    login(victim, user.username, PASSWORD)
    assert _post(boss, f"/api/v1/admin/users/{admin.id}/disable").status_code == 403  # never oneself
    r = _post(boss, f"/api/v1/admin/users/{user.id}/disable")
    assert r.status_code == 200 and r.get_json()["sessions_ended"] == 1 and not r.get_json()["user"]["active"]
    assert victim.get("/api/v1/me").status_code == 401
    page = app.test_client().get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert _post(boss, f"/api/v1/admin/users/{user.id}/enable").status_code == 200
    r = _post(boss, f"/api/v1/admin/users/{user.id}/reset-password")
    temp = r.get_json()["temporary_password"]
    assert r.status_code == 200 and len(temp) == 14
    fresh = app.test_client()
    login(fresh, user.username, temp)
    assert fresh.get("/", follow_redirects=False).headers["Location"].endswith("/account")
    r = fresh.get("/api/v1/incidents", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.get_json()["restriction"] == "password_change"
    r = _post(fresh, "/api/v1/me/password", {"current_password": temp, "new_password": "锦绣花园三号楼电梯维修"})
    assert r.status_code == 200
    assert fresh.get("/api/v1/incidents").status_code == 200
    session.expire_all()
    actions = [e.action for e in session.query(AccountEvent).filter_by(user_id=user.id).order_by(AccountEvent.id)]
    assert actions == ["disabled", "enabled", "password_reset", "password_changed"]  # created by the factory
    assert token  # the login page still answers while the account is disabled


def test_admin_qualifies_but_never_themselves_and_keeps_an_admin(app, session):
    admin, user = make_user(session, "admin"), make_user(session)
    session.commit()
    boss = app.test_client()
    login(boss, admin.username, PASSWORD)
    r = boss.patch(f"/api/v1/admin/users/{user.id}", json={"is_legal": True, "role": "manager"},
                   headers={"X-CSRF-Token": _csrf(boss)})
    assert r.status_code == 200 and r.get_json()["user"]["is_legal"] and r.get_json()["user"]["role"] == "manager"
    r = boss.patch(f"/api/v1/admin/users/{admin.id}", json={"is_legal": True}, headers={"X-CSRF-Token": _csrf(boss)})
    assert r.status_code == 403 and "another admin" in r.get_json()["message"]
    r = boss.patch(f"/api/v1/admin/users/{admin.id}", json={"role": "staff"}, headers={"X-CSRF-Token": _csrf(boss)})
    assert r.status_code == 403
    r = _post(boss, "/api/v1/admin/users", {"username": "chenlv", "display_name": "陈律", "is_legal": True})
    assert r.status_code == 201 and r.get_json()["temporary_password"] and r.get_json()["user"]["is_legal"]
    staff = app.test_client()
    login(staff, user.username, PASSWORD)
    assert _post(staff, "/api/v1/admin/users", {"username": "x1"}).status_code == 403


def test_policy_requires_two_factor_of_legal_staff(app, session):
    admin, legal = make_user(session, "admin"), make_user(session, is_legal=True)
    session.commit()
    boss = app.test_client()
    login(boss, admin.username, PASSWORD)
    r = boss.put("/api/v1/admin/account-policy", json={"require_totp_for_legal": True},
                 headers={"X-CSRF-Token": _csrf(boss)})
    assert r.status_code == 200 and r.get_json()["require_totp_for_legal"] is True
    me = app.test_client()
    login(me, legal.username, PASSWORD)
    assert me.get("/").headers["Location"].endswith("/account")
    assert "法务人员须先开启双重验证" in me.get("/account").get_data(as_text=True)
    with clock.frozen(T0):
        secret = _post(me, "/api/v1/me/totp").get_json()["secret"]
        assert _post(me, "/api/v1/me/totp/confirm", {"code": totp.current_code(secret)}).status_code == 200
        assert me.get("/").status_code == 200
        r = _post(me, "/api/v1/me/totp/disable", {"code": totp.current_code(secret, 1)})
        assert r.status_code == 409  # legal staff must keep it


def test_cli_user_add_legal_and_disable(tmp_path):
    from tests.live import concord
    inst = tmp_path / "inst"
    concord(inst, "init", "--admin-password", "live-admin-pass")
    out = concord(inst, "user", "add", "chenlv", "--name", "陈律", "--legal", env={"CONCORD_USER_PASSWORD": "锦绣花园三号楼电梯维修"})
    assert "legal staff" in out.stdout
    weak = concord(inst, "user", "add", "weak", env={"CONCORD_USER_PASSWORD": "woaini1314"}, check=False)
    assert weak.returncode != 0 and "too common" in weak.stderr
    concord(inst, "demo")
    rows = [line.split("\t") for line in concord(inst, "user", "list").stdout.splitlines()]
    legal = sorted(r[1] for r in rows if "legal" in r[3].split(","))
    assert legal == ["chenlv", "legal"]  # the demo marks its `legal` user, and nobody else
    off = concord(inst, "user", "disable", "chenlv")
    assert "disabled" in off.stdout
    reset = concord(inst, "user", "reset-password", "chenlv")
    assert "temporary password" in reset.stdout
