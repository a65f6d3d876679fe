"""Abuse-proof: 1,000 guesses from one address are throttled after the documented limit (30 a minute),
a code hammered from many addresses is throttled per code (60 a minute), the limits cover every public
route, and a revoked code stops at once."""
from __future__ import annotations

import pytest

from incident.public import codes
from realtime.public import limits
from tests.public.conftest import issue

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_the_documented_limits():
    assert limits.PER_ADDRESS.startswith("30 per minute") and limits.PER_CODE == "60 per minute"


@sqlite_only
def test_a_thousand_guesses_from_one_address_are_throttled_after_thirty(world):
    app, staff, w = world
    real = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    statuses = []
    for _ in range(1000):
        guess = codes.new_code()
        statuses.append(anon.get(f"/api/v1/public/progress?code={guess}").status_code)
    assert statuses[:30] == [404] * 30
    assert set(statuses[30:]) == {429}
    r = anon.get(f"/api/v1/public/progress?code={real}")  # even the right code waits now
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0 and r.get_json()["error"] == "throttled"
    page = anon.get(f"/p?code={real}")
    assert page.status_code == 429 and "请求过于频繁" in page.get_data(as_text=True)
    other = app.test_client()
    ok = other.get(f"/api/v1/public/progress?code={real}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert ok.status_code == 200  # another address is not affected


@sqlite_only
def test_one_code_from_many_addresses_is_throttled_per_code(world):
    app, staff, w = world
    real = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    got = [anon.get(f"/api/v1/public/progress?code={real}", environ_base={"REMOTE_ADDR": f"10.1.{i // 250}.{i % 250}"}
                    ).status_code for i in range(80)]
    assert got[:60] == [200] * 60 and set(got[60:]) == {429}


@sqlite_only
def test_every_public_route_is_limited(world):
    app, _staff, _w = world
    public = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(("public_pages.", "public_api.", "verify."))]
    assert len(public) >= 16
    anon = app.test_client()
    for i in range(30):
        assert anon.get(f"/p/register?code=x{i}").status_code == 404
    assert anon.get("/verify").status_code == 429
    assert anon.post("/api/v1/public/verify", data=b"%PDF-1.4", content_type="application/pdf").status_code == 429


@sqlite_only
def test_with_redis_configured_the_counters_live_in_redis(settings, engine):
    import os
    from dataclasses import replace
    url = os.environ.get("CONCORD_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis not configured: set CONCORD_TEST_REDIS_URL")
    from realtime.app import create_app
    app = create_app(replace(settings, redis_url=url), config={"TESTING": True}, engine=engine)
    try:
        limiter = app.extensions["concord.public_limiter"]
        assert type(limiter.storage).__name__.startswith("Redis")
        anon = app.test_client()
        got = [anon.get(f"/api/v1/public/progress?code={codes.new_code()}").status_code for _ in range(31)]
        assert got[:30] == [404] * 30 and got[30] == 429
    finally:
        stop = app.extensions.get("concord.bus_unsubscribe")
        if stop:
            stop()
