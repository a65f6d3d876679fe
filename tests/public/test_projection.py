"""The public projection, never the staff record: every public page and answer, rendered for an incident
full of private and hostile data, shows none of it (internal notes, staff names, other claimants,
contact numbers, the intake's free text) and no hostile markup unescaped."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.public.conftest import issue, sealed_claimant

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
HOSTILE = "<script>alert('x')</script>"
NOTE = "内部备注：老板不同意退款 " + HOSTILE
FORMULA = "=cmd|' /C calc'!A0"
CALLBACK_NOTE = "回访备注：诉求人情绪激动，主管说可以私下多赔 " + HOSTILE


def _private(session_factory, incident_id: int, own_claimant: int) -> set[str]:
    """Everything of the staff record the public must never read."""
    from incident import privacy
    from incident.accounts.models import User
    from incident.crowd.claimants.models import Claimant
    from incident.crowd.demands.models import DemandItem
    from incident.models import Incident, IncidentContact, IncidentNote
    out: set[str] = set()
    cp = privacy.cipher()
    with session_factory() as s:
        inc = s.get(Incident, incident_id)
        out |= {inc.title, inc.core_demand, inc.scope_text, inc.place, inc.complainant_name}
        out |= {n.text for n in s.scalars(select(IncidentNote).where(IncidentNote.incident_id == incident_id))}
        out |= {n.author_name for n in s.scalars(select(IncidentNote))}
        for u in s.scalars(select(User)):
            out |= {u.display_name, u.username}
        for ct in s.scalars(select(IncidentContact).where(IncidentContact.incident_id == incident_id)):
            out |= {ct.name, ct.phone_masked, cp.decrypt(ct.phone_cipher), ct.note}
        for c in s.scalars(select(Claimant).where(Claimant.incident_id == incident_id)):
            phone = cp.decrypt(c.phone_cipher)
            out |= {phone, c.phone_masked, c.id_masked, c.name}
            if c.id != own_claimant:
                out |= {c.unit}
        out |= {i.owner for i in s.scalars(select(DemandItem).where(DemandItem.incident_id == incident_id))}
        from incident.callbacks.models import Callback, CallbackAttempt
        for cb in s.scalars(select(Callback).where(Callback.incident_id == incident_id)):
            out |= {cb.note, cb.recorded_by_name} | {a.note for a in s.scalars(
                select(CallbackAttempt).where(CallbackAttempt.callback_id == cb.id))}
    return {x for x in out if isinstance(x, str) and len(x.strip()) >= 2 and x.strip() not in ("系统", "system")}


def _fill_with_private_and_hostile_data(app, staff, w) -> None:
    assert staff.post(f"/api/v1/incidents/{w.incident_id}/notes", {"text": NOTE}).status_code == 201
    staff.post(f"/api/v1/incidents/{w.incident_id}/public/updates", {"text": f"公告 {HOSTILE} {FORMULA}"})
    staff.post(f"/api/v1/incidents/{w.incident_id}/public/stage", {"stage": 4, "names": [
        "受理", "核实", "<b>协商</b>", "落实", "回访", "办结"]})
    code = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    r = anon.post("/api/v1/public/register", json={"code": code, "name": "<img src=x onerror=alert(1)>赵𠮷",
                                                    "unit": "=HYPERLINK(\"http://evil\")", "phone": "13700137000",
                                                    "demand": HOSTILE, "consent": True})
    assert r.status_code == 201, r.get_json()
    board = staff.get(f"/api/v1/incidents/{w.incident_id}/callbacks").get_json()
    for cb in [c for c in board["callbacks"] if c["status"] == "open"][:2]:  # staff's callback notes
        r = staff.post(f"/api/v1/incidents/{w.incident_id}/callbacks/{cb['id']}/attempts",
                       {"channel": "phone", "reached": False, "note": CALLBACK_NOTE})
        assert r.status_code == 201, r.get_json()


def _survey_page(anon, claimant_code: str) -> str:
    """The claimant's one-time survey link, made from their page as a phone would."""
    page = anon.get(f"/p?code={claimant_code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = anon.post("/p/survey", data={"code": claimant_code, "csrf_token": token})
    assert r.status_code == 302, r.status_code
    return r.headers["Location"]


def _answers(app, codes: dict[str, str], ref: str, pdf: bytes) -> dict[str, tuple[str, str]]:
    """Every public page and API answer for these codes: path → (content type, text)."""
    anon = app.test_client()
    out = {}
    ic, cc = codes["incident"], codes["claimant"]
    gets = [f"/p?code={ic}", f"/p?code={cc}", f"/api/v1/public/progress?code={ic}", f"/api/v1/public/progress?code={cc}",
            f"/p/register?code={ic}", f"/p/poster?code={ic}", f"/verify?ref={ref}", f"/api/v1/public/verify?ref={ref}",
            "/p", "/verify"]
    for path in gets:
        r = anon.get(path, environ_base={"REMOTE_ADDR": f"10.9.0.{len(out)}"})
        assert r.status_code == 200, (path, r.status_code)
        out[path] = (r.mimetype, r.get_data(as_text=True))
    r = anon.post("/api/v1/public/verify", data=pdf, content_type="application/pdf")
    out["POST /api/v1/public/verify"] = (r.mimetype, r.get_data(as_text=True))
    survey = anon.get(_survey_page(anon, cc))
    assert survey.status_code == 200
    out["survey link"] = (survey.mimetype, survey.get_data(as_text=True))
    return out


@sqlite_only
def test_no_public_page_or_answer_shows_private_or_hostile_data(world, session_factory):
    app, staff, w = world
    _fill_with_private_and_hostile_data(app, staff, w)
    cid, last4, ref = sealed_claimant(session_factory, w.incident_id)
    codes = {"incident": issue(staff, w.incident_id)["code"], "claimant": issue(staff, w.incident_id, "claimant", cid)["code"]}
    pdf = app.test_client().post("/api/v1/public/agreement", json={"code": codes["claimant"], "last4": last4}).data
    private = _private(session_factory, w.incident_id, cid)
    assert NOTE in private and CALLBACK_NOTE in private and len(private) > 100  # the record really is full
    answers = _answers(app, codes, ref, pdf)
    leaks = {}
    for path, (mime, text) in answers.items():
        found = [p for p in private if p in text]
        if found:
            leaks[path] = found[:5]
        if mime == "text/html":
            assert "<script>alert" not in text and "<img src=x" not in text and "<b>协商</b>" not in text, path
            assert not re.search(r"\son\w+=", text), path  # no inline handlers (strict CSP)
    assert leaks == {}
    html = answers[f"/p?code={codes['incident']}"][1]
    assert "&lt;script&gt;alert" in html and "&lt;b&gt;协商&lt;/b&gt;" in html  # shown as text, escaped
    mine = answers[f"/api/v1/public/progress?code={codes['claimant']}"][1]
    assert "\"name\":" in mine and "*" in mine


def test_names_are_masked_to_the_surname():
    from incident.public.projection import mask_name
    assert mask_name("张𠮷") == "张*" and mask_name("欧阳娜娜") == "欧*" and mask_name("") == "*"
