"""The public side end to end through HTTP: codes, the progress page, revocation, the claimant's copy
behind the second factor, public verification, self-registration and the survey."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.public.conftest import issue, sealed_claimant

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_incident_code_shows_the_stage_and_staff_see_it_opened(world, db_url):
    app, staff, w = world
    issued = issue(staff, w.incident_id)
    code = issued["code"]
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code) and issued["address"] == "http://localhost/p"
    assert code in issued["sms"] and "http://localhost/p" in issued["sms"]
    anon = app.test_client()
    page = anon.get(f"/p?code={code.lower()}")
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert "受理" in html and 'aria-current="step"' in html and page.headers["X-Robots-Tag"].startswith("noindex")
    assert 'name="robots" content="noindex' in html
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/public/stage", {"stage": 2, "next_update_due": "2026-01-01"})
    assert r.status_code == 200, r.get_json()
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/public/updates", {"text": "今晚 8 点在物业中心通报 <b>进展</b>"})
    assert r.status_code == 201
    view = anon.get(f"/api/v1/public/progress?code={code}").get_json()
    assert view["stage"] == {"index": 2, "name": "协商", "count": 6} and view["late"] is True
    staff.post(f"/api/v1/incidents/{w.incident_id}/public/stage", {"next_update_due": "2099-01-02T18:30"})
    due = anon.get(f"/api/v1/public/progress?code={code}").get_json()
    assert due["next_update_due"].startswith("2099-01-02T10:30") and due["late"] is False  # 18:30 Beijing time
    assert view["updates"][0]["text"] == "今晚 8 点在物业中心通报 <b>进展</b>"
    assert "&lt;b&gt;进展&lt;/b&gt;" in anon.get(f"/p?code={code}").get_data(as_text=True)
    codes = staff.get(f"/api/v1/incidents/{w.incident_id}/public").get_json()["codes"]
    mine = next(c for c in codes if c["id"] == issued["id"])
    assert mine["opens"] >= 3 and mine["last_opened_at"] and "code" not in mine


def test_revoked_code_stops_at_once_and_reissue_gives_a_new_one(world, db_url):
    app, staff, w = world
    issued = issue(staff, w.incident_id)
    anon = app.test_client()
    assert anon.get(f"/api/v1/public/progress?code={issued['code']}").status_code == 200
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/public/codes/{issued['id']}/reissue", {})
    assert r.status_code == 201
    new = r.get_json()["code"]
    old = anon.get(f"/api/v1/public/progress?code={issued['code']}")
    assert old.status_code == 404 and old.get_json()["field"] == "code"
    assert anon.get(f"/api/v1/public/progress?code={new}").status_code == 200
    new_id = r.get_json()["id"]
    assert staff.post(f"/api/v1/incidents/{w.incident_id}/public/codes/{new_id}/revoke", {}).status_code == 200
    assert anon.get(f"/api/v1/public/progress?code={new}").status_code == 404
    assert anon.get(f"/p?code={new}").status_code == 404
    again = staff.post(f"/api/v1/incidents/{w.incident_id}/public/codes/{new_id}/revoke", {})
    assert again.status_code == 409


@sqlite_only
def test_claimant_code_items_and_the_sealed_copy_behind_the_second_factor(world, session_factory, tmp_path):
    app, staff, w = world
    cid, last4, ref = sealed_claimant(session_factory, w.incident_id)
    code = issue(staff, w.incident_id, "claimant", cid)["code"]
    anon = app.test_client()
    view = anon.get(f"/api/v1/public/progress?code={code}").get_json()
    mine = view["claimant"]
    assert mine["name"].endswith("*") and len(mine["name"]) == 2 and mine["items"]
    assert mine["agreement"]["ref"] == ref and mine["agreement"]["downloadable"] is True
    wrong = "0000" if last4 != "0000" else "1111"
    r = anon.post("/api/v1/public/agreement", json={"code": code, "last4": wrong})
    assert r.status_code == 403 and r.get_json()["field"] == "last4"
    r = anon.post("/api/v1/public/agreement", json={"code": code, "last4": last4})
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = r.data
    v = anon.post("/api/v1/public/verify", data=pdf, content_type="application/pdf").get_json()
    assert v["verdict"] == "intact" and v["agreement"]["ref"] == ref and v["agreement"]["status"] == "sealed"
    assert set(v) == {"verdict", "agreement", "matches_record"} and v["matches_record"] is True
    assert set(v["agreement"]) == {"ref", "status", "sealed_at", "voided_at"}
    from tests.exports.pdfkit import append_content
    tampered = append_content(pdf)
    assert anon.post("/api/v1/public/verify", data=tampered, content_type="application/pdf").get_json()[
        "verdict"] == "modified"
    if shutil.which("pdftotext"):
        (tmp_path / "a.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True).stdout
        flat = "".join(text.split())
        assert "http://localhost/p" in flat and ref in flat and "http://localhost/verify?ref=" in flat
        assert code.replace("-", "") not in flat  # a secret shown once: never in the agreement (docs/public.md)
        # the QR code's target (the verify address printed beside it) answers a phone without a session
        target = re.search(r"http://localhost(/verify\?ref=[A-Z0-9-]+)", flat).group(1)
        page = app.test_client().get(target)
        assert page.status_code == 200 and ref in page.get_data(as_text=True)
        assert 'data-status="sealed"' in page.get_data(as_text=True)


@sqlite_only
def test_public_verify_page_answers_without_login_and_no_more(world, session_factory):
    app, staff, w = world
    _cid, _last4, ref = sealed_claimant(session_factory, w.incident_id)
    anon = app.test_client()
    page = anon.get(f"/verify?ref={ref}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and ref in html and 'data-status="sealed"' in html
    assert "SHA-256" not in html and "锦绣物业" not in html and "login" not in page.headers.get("Location", "")
    assert anon.get("/verify?ref=AG-NOPE").status_code == 404
    assert anon.get(f"/api/v1/public/verify?ref={ref}").get_json()["status"] == "sealed"
    staff_page = staff.get(f"/verify?ref={ref}").get_data(as_text=True)
    assert "SHA-256" in staff_page  # staff keep the full answer


@sqlite_only
def test_self_registration_pending_duplicate_checked_confirmed_into_the_headcount(world, session_factory):
    app, staff, w = world
    code = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    form = {"code": code, "name": "王𠮷", "unit": "９栋１单元３０２", "phone": "139 0013 9000",
            "demand": "退还多收的物业费", "consent": True}
    assert anon.post("/api/v1/public/register", json=form | {"consent": False}).get_json()["field"] == "consent"
    r = anon.post("/api/v1/public/register", json=form)
    assert r.status_code == 201, r.get_json()
    dup = anon.post("/api/v1/public/register", json=form | {"phone": "１３９００１３９０００", "name": "别人"})  # full width
    assert dup.status_code == 400 and dup.get_json()["field"] == "phone" and "王" not in dup.get_data(as_text=True)
    before = staff.get(f"/api/v1/incidents/{w.incident_id}").get_json()["headcount"]
    over = staff.get(f"/api/v1/incidents/{w.incident_id}/public").get_json()
    pending = [p for p in over["pending"] if p["name"] == "王𠮷"]
    assert pending and pending[0]["demand"] == "退还多收的物业费" and pending[0]["phone"].startswith("139")
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/public/registrations/confirm",
                   {"claimant_ids": [pending[0]["claimant_id"]]})
    assert r.status_code == 200 and r.get_json()["count"] == 1
    after = staff.get(f"/api/v1/incidents/{w.incident_id}").get_json()["headcount"]
    assert after == before + 1
    again = staff.post(f"/api/v1/incidents/{w.incident_id}/public/registrations/confirm",
                       {"claimant_ids": [pending[0]["claimant_id"]]})
    assert again.status_code == 409


@sqlite_only
def test_survey_link_is_one_time(world, session_factory):
    app, staff, w = world
    cid, _last4, _ref = sealed_claimant(session_factory, w.incident_id)
    code = issue(staff, w.incident_id, "claimant", cid)["code"]
    anon = app.test_client()
    assert anon.get(f"/api/v1/public/progress?code={code}").get_json()["claimant"]["survey"]["open"] is False
    staff.post(f"/api/v1/incidents/{w.incident_id}/public/stage", {"stage": 4})
    assert anon.get(f"/api/v1/public/progress?code={code}").get_json()["claimant"]["survey"]["open"] is True
    page = anon.get(f"/p?code={code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = anon.post("/p/survey", data={"code": code, "csrf_token": token})
    assert r.status_code == 302
    link = r.headers["Location"]
    survey_token = link.rsplit("/", 1)[-1]
    assert anon.get(link).status_code == 200
    r = anon.post("/api/v1/public/survey", json={"token": survey_token, "score": 4, "reasons": ["speed"],
                                                  "text": "处理及时"})
    assert r.status_code == 201, r.get_json()
    assert anon.post("/api/v1/public/survey", json={"token": survey_token, "score": 1}).status_code == 409
    assert anon.get(link).status_code == 404
    over = staff.get(f"/api/v1/incidents/{w.incident_id}/public").get_json()
    assert over["survey"][0]["score"] == 4 and over["survey"][0]["claimant_id"] == cid
    assert anon.get(f"/api/v1/public/progress?code={code}").get_json()["claimant"]["survey"]["open"] is False
    # the demo world's callbacks are scheduled: the answer is recorded on the claimant's own callback
    board = staff.get(f"/api/v1/incidents/{w.incident_id}/callbacks").get_json()
    (cb,) = [c for c in board["callbacks"] if c["claimant_id"] == cid]
    assert cb["status"] == "done" and cb["satisfaction"] == "satisfied" and cb["note"] == "处理及时"
    assert [a["channel"] for a in cb["attempts"]] == ["survey"]
    over = staff.get(f"/api/v1/incidents/{w.incident_id}/public").get_json()
    assert over["survey"][0]["callback_id"] == cb["id"]
    section = staff.get(f"/incidents/{w.incident_id}/sections/callbacks").get_data(as_text=True)
    assert "在线评价（诉求人本人）" in section


@sqlite_only
def test_poster_page_png_and_printable_pdf(world, tmp_path):
    app, staff, w = world
    issued = issue(staff, w.incident_id)
    code = issued["code"]
    assert issued["poster"] == f"/p/poster?code={code}"
    anon = app.test_client()
    page = anon.get(issued["poster"]).get_data(as_text=True)
    assert code in page and "/p/poster.png?code=" in page and "/p/poster.pdf?code=" in page
    png = anon.get(f"/p/poster.png?code={code}")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    pdf = anon.get(f"/p/poster.pdf?code={code}")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "poster.pdf").write_bytes(pdf.data)
        text = subprocess.run(["pdftotext", str(tmp_path / "poster.pdf"), "-"], capture_output=True, text=True).stdout
        assert code in text and "http://localhost/p" in text and "查询处理进度" in text
    claimant = issue(staff, w.incident_id, "claimant", w.ids["claimant_id"][0])["code"]
    assert anon.get(f"/p/poster?code={claimant}").status_code == 404  # a claimant's code is not for posters


@sqlite_only
def test_preview_shows_the_text_and_warns_about_contacts_and_names(world, session_factory):
    from incident.crowd.claimants.models import Claimant
    app, staff, w = world
    with session_factory() as s:
        name = s.get(Claimant, w.ids["claimant_id"][0]).name
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/public/preview",
                   {"text": f"  请 {name} 明早联系 13800138000  "})
    assert r.status_code == 200
    body = r.get_json()
    assert body["text"] == f"请 {name} 明早联系 13800138000" and set(body["warnings"]) == {"phone", "claimant_name"}
    assert staff.get(f"/api/v1/incidents/{w.incident_id}/public").get_json()["public"]["updates"] == []


@sqlite_only
def test_codes_for_every_claimant_at_once_with_their_sms(world):
    app, staff, w = world
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/public/codes/claimants", {})
    assert r.status_code == 201
    issued = r.get_json()["codes"]
    active = staff.get(f"/api/v1/incidents/{w.incident_id}/claimants?status=active&limit=5000").get_json()["total"]
    assert len(issued) == active - 1  # api_world already gave one claimant a code
    one = issued[0]
    assert one["code"] in one["sms"] and "http://localhost/p" in one["sms"] and "{" not in one["sms"]
    anon = app.test_client()
    assert anon.get(f"/api/v1/public/progress?code={one['code']}").get_json()["kind"] == "claimant"
    again = staff.post(f"/api/v1/incidents/{w.incident_id}/public/codes/claimants", {})
    assert again.get_json()["codes"] == []
