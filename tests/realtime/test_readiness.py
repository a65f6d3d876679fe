"""/healthz stays a cheap liveness answer; /readyz reports the database, Redis, free disk in the
instance folder and the scheduler lease holder (issue 17)."""
from __future__ import annotations

from playbooks.scheduler import lease


def test_readyz_reports_each_dependency_and_the_lease_holder(client, session_factory, monkeypatch):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "database": True}  # no Redis configured: nothing about it
    r = client.get("/readyz")
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "ready" and body["database"] is True
    assert body["redis"] is None and body["disk"]["ok"] and body["disk"]["writable"]
    assert body["disk"]["free_mb"] >= body["disk"]["min_free_mb"] == 100
    assert body["scheduler"] == {"holder": None, "active": False}

    assert lease.hold(session_factory, "host-a:4242:调度", ttl=30)
    body = client.get("/readyz").get_json()
    assert body["scheduler"]["holder"] == "host-a:4242:调度" and body["scheduler"]["active"] is True

    monkeypatch.setenv("CONCORD_MIN_FREE_MB", str(10 ** 12))  # more than any disk holds
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["status"] == "not_ready" and not r.get_json()["disk"]["ok"]
    assert client.get("/healthz").status_code == 200  # liveness does not care
