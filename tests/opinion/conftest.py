"""Opinion fixtures: a frozen clock and a cosmetics-counter complaint in a mall, with its leader and
customer service, and a small PNG screenshot."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from incident.db import begin_write
from tests.factories import default_config, events, frozen_at, give_seat, make_incident, make_user  # noqa: F401

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def png(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (40, 60), color).save(buf, "PNG")
    return buf.getvalue()


frozen = frozen_at(T0)  # default_config (imported) resets the playbooks' configuration around each test


@pytest.fixture
def counter(session, frozen):  # type: ignore[no-untyped-def]
    leader = make_user(session, "staff", display_name="组长 林")
    cs = make_user(session, "staff", display_name="客服 许")
    outsider = make_user(session, "staff", display_name="路人 甲")
    inc = make_incident(session, leader, core_demand="化妆品专柜销售过期面霜，要求退款并赔偿",
                        headcount=6, scope_text="一楼化妆品专柜顾客，6人", channel="on_site",
                        complaint_object="goods", title="化妆品专柜过期面霜")
    give_seat(session, inc, cs, "customer_service", by=leader)
    session.commit()
    begin_write(session)
    return {"incident": inc, "leader": leader, "cs": cs, "outsider": outsider}
