"""Agreement batches over HTTP: start, per-document outcomes in the user's language, resume and
abandon an interrupted batch, the section's buttons."""
from __future__ import annotations

import re
import time

from exports.agreements.models import AgreementBatch
from exports.signing import batches
from tests.exports.conftest import ITEMS, add_claimant, proof_of
from tests.exports.signing.test_durable_batches import _dead_owner


def _wait(api, batch_id: int, timeout: float = 60) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        b = api.get(f"/api/v1/agreement-batches/{batch_id}").get_json()
        if b["finished"]:
            return b
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} still running: {b}")


def _section(api, inc_id: int) -> str:  # type: ignore[no-untyped-def]
    html = api.client.get(f"/incidents/{inc_id}").get_data(as_text=True)
    return html[html.index('id="agreements"'):]


def _hidden(html: str, el_id: str) -> bool:
    tag = re.search(rf'<[^>]*id="{el_id}"[^>]*>', html).group(0)
    return " hidden" in tag


def test_generate_over_http_then_interrupt_resume_and_abandon(app, api_as, session, world, seal_settings):
    app.extensions["concord.settings"] = seal_settings
    inc = world["inc"]
    for k, name in enumerate(("𠮷祥", "<script>alert(1)</script>", "=1+1")):
        add_claimant(session, inc, name, segment="５号楼", unit=f"5-1-{k}01")
    session.commit()
    cs = api_as(world["cs"])
    r = cs.post(f"/api/v1/incidents/{inc.id}/agreement-batches",
                json={"kind": "generate", "segment": "５号楼", "items": ITEMS})
    assert r.status_code == 202, r.get_json()
    started = r.get_json()
    assert started["total"] == 3 and [i["status"] for i in started["items"]] == ["pending"] * 3
    assert started["kind_label"] == "批量生成并提交审核"
    b = _wait(cs, started["id"])
    assert (b["status"], b["status_label"], b["done"], b["failed"]) == ("done", "已完成", 3, 0)
    assert {i["status_label"] for i in b["items"]} == {"已完成"} and all(i["agreement_id"] for i in b["items"])
    html = _section(cs, inc.id)
    assert _hidden(html, "ag-cancel") and _hidden(html, "ag-resume") and _hidden(html, "ag-abandon")
    assert "&lt;script&gt;" in html and "<script>alert(1)" not in html
    # a second batch over the same segment: everyone has an agreement now, and is told so per document
    add_claimant(session, inc, "新来的", segment="５号楼", unit="5-1-901")
    session.commit()
    r = cs.post(f"/api/v1/incidents/{inc.id}/agreement-batches",
                json={"kind": "generate", "segment": "５号楼", "items": ITEMS})
    b2 = r.get_json()
    assert b2["total"] == 1
    _wait(cs, b2["id"])
    # a batch whose server died: not responding, then interrupted, then resumed to the end
    session.rollback()
    add_claimant(session, inc, "晚到的", segment="６号楼", unit="6-1-101")
    b3 = batches.start(session, actor=world["cs"].actor, incident_id=inc.id, kind="generate", segment="６号楼",
                       data={"items": ITEMS})
    b3.owner = _dead_owner()
    session.commit()
    view = cs.get(f"/api/v1/agreement-batches/{b3.id}").get_json()
    assert view["status"] == "running" and view["not_responding"] is True
    assert cs.post(f"/api/v1/agreement-batches/{b3.id}/resume", json={}).status_code == 409
    batches.sweep(app.extensions["concord.sessions"])
    view = cs.get(f"/api/v1/agreement-batches/{b3.id}").get_json()
    assert (view["status"], view["status_label"], view["can_resume"]) == ("interrupted", "已中断", True)
    assert view["items"][0]["status_label"] == "待处理"
    html = _section(cs, inc.id)
    assert not _hidden(html, "ag-resume") and not _hidden(html, "ag-abandon") and _hidden(html, "ag-cancel")
    assert not _hidden(html, "ag-batch-note")
    r = cs.post(f"/api/v1/agreement-batches/{b3.id}/resume", json={})
    assert r.status_code == 202 and r.get_json()["status"] == "running"
    done = _wait(cs, b3.id)
    assert (done["status"], done["done"], done["failed"]) == ("done", 1, 0)
    r = cs.post(f"/api/v1/agreement-batches/{b3.id}/abandon", json={})
    body = r.get_json()
    assert (r.status_code, body["field"], body["status"]) == (409, "status", "done")
    assert body["message_local"] == "只有已中断的批量处理可以放弃"


def test_abandon_over_http_and_who_may(app, api_as, session, world, seal_settings):
    app.extensions["concord.settings"] = seal_settings
    inc = world["inc"]
    b = batches.start(session, actor=world["legal"].actor, incident_id=inc.id, kind="seal", segment="3号楼",
                      proof=proof_of(session, world["legal"]))
    b.owner = _dead_owner()
    session.commit()
    batches.sweep(app.extensions["concord.sessions"])
    cs, legal = api_as(world["cs"]), api_as(world["legal"])
    assert cs.post(f"/api/v1/agreement-batches/{b.id}/resume", json={}).status_code == 403  # sealing: legal
    assert cs.post(f"/api/v1/agreement-batches/{b.id}/abandon", json={}).status_code == 403
    r = legal.post(f"/api/v1/agreement-batches/{b.id}/abandon", json={})
    assert r.status_code == 200 and r.get_json()["status_label"] == "已放弃"
    assert legal.post("/api/v1/agreement-batches/99999999/abandon", json={}).status_code == 404
    session.rollback()
    assert session.get(AgreementBatch, b.id, populate_existing=True).status == "abandoned"
