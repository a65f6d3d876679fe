"""Agreement fixtures: an incident with a legal seat, claimants, and an organisation certificate."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from exports.signing.certificates import write_p12
from exports.signing.signer import load_sealer
from incident import clock, privacy
from incident.crowd.claimants.models import Claimant
from tests.factories import give_seat, make_incident, make_user

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
P12_PASSWORD = "test-seal"
ITEMS = [{"description": "电梯维修", "remedy": "三日内彻底修好", "deadline": "2026-11-28"},
         {"description": "当月电梯费", "remedy": "减免当月电梯费", "amount": "120", "payment_kind": "compensation",
          "deadline": "2026-12-05"}]
STROKES = {"width": 300, "height": 120,
           "strokes": [[{"x": 10, "y": 60}, {"x": 40, "y": 20}, {"x": 80, "y": 90}, {"x": 120, "y": 30}],
                       [[150, 80], [200, 40], [260, 70]]]}


@pytest.fixture(scope="session")
def p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_p12(tmp_path_factory.mktemp("seal") / "org.p12", "锦绣物业管理有限公司", P12_PASSWORD)


@pytest.fixture(scope="session")
def sealer(p12: Path):  # type: ignore[no-untyped-def]
    return load_sealer(p12, P12_PASSWORD)


@pytest.fixture
def seal_settings(settings, p12):  # type: ignore[no-untyped-def]
    return replace(settings, signing_p12=str(p12), signing_password=P12_PASSWORD,
                   org_name="锦绣物业管理有限公司")


def add_claimant(session: Any, inc: Any, name: str, id_number: str = "110101199003071234",
                 segment: str = "3号楼", unit: str = "3号楼1单元502") -> Claimant:
    cp = privacy.cipher()
    c = Claimant(incident_id=inc.id, name=name, unit=unit, unit_key=unit, segment=segment,
                 id_cipher=cp.encrypt(id_number), id_masked=privacy.mask_id(id_number), joined_at=clock.now())
    session.add(c)
    session.flush()
    return c


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    """leader (opens), legal (legal seat), service (customer service seat), an incident, a claimant."""
    with clock.frozen(T0):
        leader = make_user(session, "manager")
        legal = make_user(session, "staff", is_legal=True)
        cs = make_user(session, "staff")
        inc = make_incident(session, leader)
        give_seat(session, inc, legal, "legal")
        give_seat(session, inc, cs, "customer_service")
        claimant = add_claimant(session, inc, "王喆")
        session.commit()
    return {"leader": leader, "legal": legal, "cs": cs, "inc": inc, "claimant": claimant}


def proof_of(session: Any, user: Any) -> Any:
    """What the web layer gets when a legal user re-enters their password to seal (issue 10)."""
    from incident.accounts.sessions import confirm_secret
    from tests.factories import PASSWORD
    return confirm_secret(session, user=user, session_id=None, password=PASSWORD)
