"""The public side's world: the demo incident with a sealed agreement (tests/api_world.py), an app on it,
a leader's API client and an anonymous client (no session, like a complainant's phone)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests import api_world
from tests.conftest import Api, login


@pytest.fixture
def pub_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    from exports.signing.certificates import write_p12
    p12 = write_p12(tmp_path / "org.p12", "锦绣物业管理有限公司", "pub-seal")
    return replace(settings, signing_p12=str(p12), signing_password="pub-seal", org_name="锦绣物业管理有限公司")


@pytest.fixture
def world(pub_settings, engine, session_factory):  # type: ignore[no-untyped-def]
    from realtime.app import create_app
    app = create_app(pub_settings, config={"TESTING": True}, engine=engine)
    with session_factory() as session:
        w = api_world.build(session, pub_settings)
    client = app.test_client()
    staff = Api(client, login(client, "leader", "concord-demo"), w.leader)
    yield app, staff, w
    unsubscribe = app.extensions.get("concord.bus_unsubscribe")
    if unsubscribe:
        unsubscribe()


def issue(staff: Api, incident_id: int, kind: str = "incident", claimant_id: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind}
    if claimant_id is not None:
        body["claimant_id"] = claimant_id
    r = staff.post(f"/api/v1/incidents/{incident_id}/public/codes", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def sealed_claimant(session_factory: Any, incident_id: int) -> tuple[int, str, str]:
    """(claimant id, last four phone digits, agreement ref) of the sealed demo agreement's signer."""
    from sqlalchemy import select

    from exports.agreements.models import Agreement
    from incident import privacy
    from incident.crowd.claimants.models import Claimant
    with session_factory() as s:
        ag = s.scalars(select(Agreement).where(Agreement.incident_id == incident_id,
                                               Agreement.status == "sealed")).first()
        cid = ag.terms["signer"]["claimant_id"]
        phone = privacy.cipher().decrypt(s.get(Claimant, cid).phone_cipher)
        return cid, phone[-4:], ag.ref
