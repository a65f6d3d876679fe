"""Login throttling that a stranger cannot turn against the owner: backoff per account, per address
and per device; known devices and addresses; constant work for unknown users; trusted proxies."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from incident import clock
from incident.accounts import throttle
from incident.accounts.models import KnownAddress, LoginThrottle
from incident.errors import Throttled, Unauthenticated
from incident.settings import load_settings, proxy_count
from tests.factories import PASSWORD, make_user

START = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
OWNER_HOME, STRANGER, ELSEWHERE = "10.0.0.5", "203.0.113.9", "198.51.100.7"


def _token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def attempt(client, username: str, password: str, address: str, **headers: str) -> int:  # type: ignore[no-untyped-def]
    env = {"REMOTE_ADDR": address}
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/login", environ_base=env).get_data(as_text=True)).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base=env, headers=headers).status_code


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with clock.frozen(START) as c:
        yield c


def test_backoff_grows_exponentially_up_to_the_cap(session, frozen):
    user = make_user(session)
    waits = []
    for _ in range(20):
        with pytest.raises(Unauthenticated):
            throttle.login(session, username=user.username, password="wrong", client=STRANGER)
        row = session.get(LoginThrottle, f"user:{user.username.lower()}")
        waits.append(None if row.locked_until is None else (row.locked_until - frozen()).total_seconds())
        frozen.advance(seconds=waits[-1] or 0)  # wait out each lock, as a patient attacker would
    assert waits[:4] == [None] * 4
    assert waits[4:12] == [1, 2, 4, 8, 16, 32, 64, 128]
    assert waits[-1] == 900 and max(w for w in waits if w) == 900  # capped at 15 minutes


def test_a_locked_counter_answers_throttled_with_the_wait(session, frozen):
    user = make_user(session)
    for _ in range(6):
        frozen.advance(seconds=100)
        with pytest.raises(Unauthenticated):
            throttle.login(session, username=user.username, password="wrong", client=STRANGER)
    with pytest.raises(Throttled) as err:
        throttle.login(session, username=user.username, password=PASSWORD, client=ELSEWHERE)
    assert err.value.details["retry_after"] == 3  # 2 s lock after the 6th failure, rounded up


def test_failures_are_forgotten_after_a_quiet_hour(session, frozen):
    user = make_user(session)
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            throttle.login(session, username=user.username, password="wrong")
    frozen.advance(hours=1, seconds=1)
    with pytest.raises(Unauthenticated):
        throttle.login(session, username=user.username, password="wrong")
    assert session.get(LoginThrottle, f"user:{user.username.lower()}").failures == 1


def test_a_strangers_50_failures_do_not_stop_the_owner(app, session, frozen):
    owner = make_user(session)
    session.commit()
    phone = app.test_client()  # the owner's phone: logged in before, keeps its device cookie
    assert attempt(phone, owner.username, PASSWORD, OWNER_HOME) == 302
    phone.post("/logout", data={"csrf_token": _token(phone)})

    stranger = app.test_client()
    codes = []
    for _ in range(50):
        codes.append(attempt(stranger, owner.username, "guess-" + str(len(codes)), STRANGER))
        frozen.advance(seconds=1)
    assert codes[:5] == [401] * 5 and codes.count(429) >= 40  # the stranger is slowed down
    assert session.get(LoginThrottle, f"user:{owner.username.lower()}").locked_until > frozen()

    # From the usual address, in a browser without the device cookie: let in.
    assert attempt(app.test_client(), owner.username, PASSWORD, OWNER_HOME) == 302
    # With the device cookie, from an address never seen (mobile network): let in.
    assert attempt(phone, owner.username, PASSWORD, ELSEWHERE) == 302
    # A new browser at a new address is held back like the stranger (the account is under attack).
    assert attempt(app.test_client(), owner.username, PASSWORD, "192.0.2.44") == 429


def test_the_stranger_stays_slowed_even_after_the_owner_logs_in(app, session, frozen):
    owner = make_user(session)
    session.commit()
    assert attempt(app.test_client(), owner.username, PASSWORD, OWNER_HOME) == 302
    stranger = app.test_client()
    for _ in range(6):
        attempt(stranger, owner.username, "guess", STRANGER)
    assert attempt(app.test_client(), owner.username, PASSWORD, OWNER_HOME) == 302
    assert attempt(stranger, owner.username, "guess", STRANGER) == 429


def test_a_forged_or_foreign_device_cookie_is_no_trust(app, session, frozen):
    owner, other = make_user(session), make_user(session)
    session.commit()
    stranger = app.test_client()
    assert attempt(stranger, other.username, PASSWORD, STRANGER) == 302  # the stranger's own account
    for _ in range(6):
        assert attempt(stranger, owner.username, "guess", STRANGER) in (401, 429)
    # The stranger's cookie names their own account, not the owner's: no trust for the owner's name.
    assert attempt(stranger, owner.username, PASSWORD, STRANGER) == 429
    forged = app.test_client()
    forged.set_cookie("concord_device", "W1s" + "A" * 40)
    assert attempt(forged, owner.username, PASSWORD, ELSEWHERE) == 429


def test_a_stolen_device_cookie_has_its_own_backoff(app, session, frozen):
    owner = make_user(session)
    session.commit()
    device = app.test_client()
    assert attempt(device, owner.username, PASSWORD, OWNER_HOME) == 302
    device.post("/logout", data={"csrf_token": _token(device)})
    codes = [attempt(device, owner.username, "guess", ELSEWHERE) for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]  # the device's counter, not the account's
    session.expire_all()
    rows = {r.key.split(":")[0]: r for r in session.query(LoginThrottle)}
    assert rows["dev"].failures == 5 and rows["dev"].locked_until > frozen()
    assert rows["user"].failures == 5 and rows["addr"].failures == 5


def test_known_addresses_are_remembered_and_expire(session, frozen):
    user = make_user(session)
    throttle.login(session, username=user.username, password=PASSWORD, client=OWNER_HOME)
    assert session.get(KnownAddress, (user.id, OWNER_HOME)) is not None
    assert throttle.trust_of(session, user, OWNER_HOME, None, frozen()) is throttle.Trust.ADDRESS
    frozen.advance(days=31)
    assert throttle.trust_of(session, user, OWNER_HOME, None, frozen()) is throttle.Trust.NONE


class _Spy:
    def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
        self.real, self.hashes = real, []

    def verify(self, hash_: str, password: str) -> bool:
        self.hashes.append(hash_)
        return self.real.verify(hash_, password)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.real, name)


def test_unknown_and_disabled_users_cost_one_real_argon2_verification(session, monkeypatch):
    spy = _Spy(throttle._hasher)
    monkeypatch.setattr(throttle, "_hasher", spy)
    user, gone = make_user(session), make_user(session)
    gone.active = False
    session.flush()
    for name, pw in ((user.username, "wrong"), ("no-such-user", "wrong"), (gone.username, PASSWORD)):
        with pytest.raises(Unauthenticated) as err:
            throttle.login(session, username=name, password=pw)
        assert err.value.details == {} and err.value.message == "wrong username or password"
    assert spy.hashes == [user.password_hash, throttle.dummy_hash(), gone.password_hash]
    assert throttle.dummy_hash().startswith("$argon2id$")  # same algorithm and cost as real hashes
    assert throttle._hasher.check_needs_rehash(throttle.dummy_hash()) is False


# -- trusted proxies: the real client address only when the proxy is trusted ---------------------

@pytest.fixture
def proxied_app(settings, engine):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from realtime.app import create_app
    app = create_app(replace(settings, trusted_proxies=1), config={"TESTING": True}, engine=engine)
    yield app
    app.extensions["concord.bus_unsubscribe"]()


def _failure_addresses(session) -> set[str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {r.key[5:] for r in session.query(LoginThrottle) if r.key.startswith("addr:")}


def test_behind_a_trusted_proxy_the_forwarded_address_counts(proxied_app, session):
    user = make_user(session)
    session.commit()
    client = proxied_app.test_client()
    # nginx appends the peer it saw; anything the client wrote itself sits further left.
    attempt(client, user.username, "wrong", "127.0.0.1", **{"X-Forwarded-For": f"6.6.6.6, {ELSEWHERE}"})
    assert _failure_addresses(session) == {ELSEWHERE}


def test_without_a_trusted_proxy_the_header_is_ignored(app, session):
    user = make_user(session)
    session.commit()
    attempt(app.test_client(), user.username, "wrong", "127.0.0.1", **{"X-Forwarded-For": ELSEWHERE})
    assert _failure_addresses(session) == {"127.0.0.1"}


def test_proxy_count_setting(tmp_path):
    (tmp_path / "concord.json").write_text('{"secret_key": "s", "field_key": "k"}')
    assert load_settings(tmp_path, env={}).trusted_proxies == 0
    assert load_settings(tmp_path, env={"CONCORD_TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    for bad in ("-1", "yes", "9", "1.5"):
        with pytest.raises(ValueError, match="CONCORD_TRUSTED_PROXIES"):
            load_settings(tmp_path, env={"CONCORD_TRUSTED_PROXIES": bad})
    assert proxy_count(2) == 2


def test_the_cli_names_a_bad_proxy_setting(tmp_path):
    from tests.live import concord
    concord(tmp_path / "inst", "init", "--admin-password", "admin-pass-1")
    out = concord(tmp_path / "inst", "serve", env={"CONCORD_TRUSTED_PROXIES": "many"}, check=False)
    assert out.returncode != 0 and "CONCORD_TRUSTED_PROXIES" in out.stderr and "Traceback" not in out.stderr
