"""What a complainant reads on the public pages, tried as one (issue 15, helper i15h): the survey's thanks
page says what became of a late answer, errors and throttling keep the public look and a way back, the
words are the complainant's (查询码, full-width colons), and no form answer strands the language link."""
from __future__ import annotations

import re

import pytest

from tests.public.conftest import issue, sealed_claimant

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _english(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/lang/en?next=/p").status_code == 302


def _survey_link(app, staff, w, cid: int):  # type: ignore[no-untyped-def]
    """An anonymous phone holding the claimant's code, at stage 回访, with a fresh one-time survey link."""
    code = issue(staff, w.incident_id, "claimant", cid)["code"]
    staff.post(f"/api/v1/incidents/{w.incident_id}/public/stage", {"stage": 4})
    anon = app.test_client()
    r = anon.post("/p/survey", data={"code": code, "csrf_token": _csrf(anon.get(f"/p?code={code}").get_data(as_text=True))})
    assert r.status_code == 302, r.get_data(as_text=True)
    return anon, r.headers["Location"]


def _finish_callback(staff, w, cid: int) -> None:  # type: ignore[no-untyped-def]
    board = staff.get(f"/api/v1/incidents/{w.incident_id}/callbacks").get_json()
    (cb,) = [c for c in board["callbacks"] if c["claimant_id"] == cid and c["status"] == "open"]
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/callbacks/{cb['id']}/attempts",
                   {"channel": "phone", "reached": True, "satisfaction": "satisfied", "reasons": [], "note": "",
                    "version": cb["version"]})
    assert r.status_code == 201, r.get_json()


def _give_up_callback(staff, w, cid: int) -> dict:  # type: ignore[no-untyped-def]
    """Not reached on every allowed attempt: the callback is given up as unreachable."""
    for _ in range(10):
        board = staff.get(f"/api/v1/incidents/{w.incident_id}/callbacks").get_json()
        (cb,) = [c for c in board["callbacks"] if c["claimant_id"] == cid and c["round"] == 1]
        if cb["status"] != "open":
            return cb
        r = staff.post(f"/api/v1/incidents/{w.incident_id}/callbacks/{cb['id']}/attempts",
                       {"channel": "phone", "reached": False, "note": "无人接听", "version": cb["version"]})
        assert r.status_code == 201, r.get_json()
    raise AssertionError("never unreachable")


@sqlite_only
def test_a_survey_answer_after_the_calls_gave_up_counts_as_the_callback(world, session_factory):
    app, staff, w = world
    cid, _last4, _ref = sealed_claimant(session_factory, w.incident_id)
    assert _give_up_callback(staff, w, cid)["status"] == "unreachable"
    anon, link = _survey_link(app, staff, w, cid)
    form = anon.get(link).get_data(as_text=True)
    assert 'id="survey-fate"' not in form and "回访已完成" not in form  # nobody reached them: not "completed"
    r = anon.post(link, data={"csrf_token": _csrf(form), "score": "4", "text": "电梯修好了"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-fate="recorded"' in html and "回访已完成" not in html, html
    board = staff.get(f"/api/v1/incidents/{w.incident_id}/callbacks").get_json()
    (cb,) = [c for c in board["callbacks"] if c["claimant_id"] == cid and c["round"] == 1]
    assert (cb["status"], cb["satisfaction"]) == ("done", "satisfied")
    events = staff.get(f"/api/v1/incidents/{w.incident_id}/events?limit=1000").get_json()["events"]
    (rec,) = [e for e in events if e["type"] == "callback.recorded" and e["payload"]["callback_id"] == cb["id"]]
    assert rec["payload"]["after_unreachable"] is True and "事后自行作答" in str(rec["words"]), rec


@sqlite_only
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_survey_answer_after_the_callback_was_completed_says_so_and_is_kept(world, session_factory, lang):
    app, staff, w = world
    cid, _last4, _ref = sealed_claimant(session_factory, w.incident_id)
    _finish_callback(staff, w, cid)
    anon, link = _survey_link(app, staff, w, cid)
    if lang == "en":
        _english(anon)
    form = anon.get(link).get_data(as_text=True)
    assert 'id="survey-fate"' in form  # warned before answering
    assert ("回访已完成" in form) if lang == "zh" else ("already completed" in form)
    assert ("提交评价" in form and "推送" not in form) if lang == "zh" else ("Send my answer" in form)  # not "push"
    r = anon.post(link, data={"csrf_token": _csrf(form), "score": "2", "reasons": ["speed"], "text": "后来又坏了"})
    assert r.status_code == 200, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    assert 'data-fate="completed"' in html
    if lang == "zh":
        assert "回访已完成，感谢您的反馈" in html and "留存备查" in html
    else:
        assert "your callback was already completed — thank you" in html.lower() and "kept for the record" in html
    assert 'id="back-to-progress"' in html
    # the link is spent: switching the language on the thanks page leads to /p, not to "unknown code"
    assert re.search(r'id="nav-language"[^>]*href="[^"]*next=/p"', html), html
    over = staff.get(f"/api/v1/incidents/{w.incident_id}/public").get_json()
    (mine,) = [a for a in over["survey"] if a["claimant_id"] == cid]
    assert mine["text"] == "后来又坏了" and mine["callback_id"] is None and mine["fate"] == "completed"
    section = staff.get(f"/incidents/{w.incident_id}").get_data(as_text=True)  # the section "公开进度页"
    assert "回访已完成，留存备查" in section
    assert mine["claimant_name"] and mine["claimant_name"] in section and f"#{cid} " not in section  # a person


@sqlite_only
def test_the_api_answer_names_the_fate(world, session_factory):
    app, staff, w = world
    cid, _last4, _ref = sealed_claimant(session_factory, w.incident_id)
    anon, link = _survey_link(app, staff, w, cid)
    r = anon.post("/api/v1/public/survey", json={"token": link.rsplit("/", 1)[-1], "score": 4})
    assert r.status_code == 201 and r.get_json() == {"status": "recorded", "fate": "recorded"}


@sqlite_only
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_throttled_pages_keep_the_public_look_and_a_way_back(world, lang):
    app, _staff, _w = world
    anon = app.test_client()
    if lang == "en":
        _english(anon)
    for i in range(31):
        page = anon.get(f"/p?code=AAAA-BBBB-CCCC-{i:04d}")
    assert page.status_code == 429
    html = page.get_data(as_text=True)
    assert 'id="back-to-progress"' in html and 'href="/p"' in html
    assert "返回事件列表" not in html and "Back to the incident list" not in html and "群诉指挥台" not in html
    assert ("请求过于频繁" in html and "请稍候再试" in html) if lang == "zh" else ("too many requests" in html)
    assert "<h1>429</h1>" not in html


@sqlite_only
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_expired_form_says_so_in_the_complainants_words(world, lang):
    app, staff, w = world
    code = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    if lang == "en":
        _english(anon)
    r = anon.post("/p/register", data={"code": code, "name": "王", "unit": "1", "phone": "13900000000",
                                       "demand": "x", "consent": "1"})  # no form token: cookies were cleared
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "CSRF" not in html and "csrf_token" not in html and 'id="back-to-progress"' in html
    assert ("页面已过期" in html) if lang == "zh" else ("This page had expired" in html)


@sqlite_only
def test_a_wrong_address_under_p_is_a_public_page_in_the_readers_language(world):
    app, _staff, _w = world
    anon = app.test_client()
    r = anon.get("/p/agreement")  # what a reload or the language link used to open after a wrong last4
    assert r.status_code == 405
    html = r.get_data(as_text=True)
    assert "操作未成功" in html and 'id="back-to-progress"' in html and "Method Not Allowed" not in html


@sqlite_only
def test_after_a_form_answer_the_language_link_leads_to_a_page_that_opens(world, session_factory):
    app, staff, w = world
    cid, _last4, _ref = sealed_claimant(session_factory, w.incident_id)
    code = issue(staff, w.incident_id, "claimant", cid)["code"]
    anon = app.test_client()
    page = anon.get(f"/p?code={code}").get_data(as_text=True)
    r = anon.post("/p/agreement", data={"code": code, "last4": "0000", "csrf_token": _csrf(page)})
    assert r.status_code == 403
    href = re.search(r'id="nav-language"[^>]*href="([^"]+)"', r.get_data(as_text=True)).group(1)
    back = anon.get(href.replace("&amp;", "&"), follow_redirects=True)
    assert back.status_code == 200 and "Your agreement" in back.get_data(as_text=True)
    reg = anon.post("/p/register", data={"code": issue(staff, w.incident_id)["code"], "csrf_token": _csrf(page),
                                         "name": "王", "unit": "", "phone": "", "demand": ""})
    assert reg.status_code == 400
    href = re.search(r'id="nav-language"[^>]*href="([^"]+)"', reg.get_data(as_text=True)).group(1)
    assert anon.get(href.replace("&amp;", "&"), follow_redirects=True).status_code == 200


@sqlite_only
def test_the_complainants_words_on_the_pages(world, session_factory):
    app, staff, w = world
    cid, _last4, ref = sealed_claimant(session_factory, w.incident_id)
    code = issue(staff, w.incident_id, "claimant", cid)["code"]
    incident_code = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    lookup = anon.get("/p").get_data(as_text=True)
    assert "查询码" in lookup and "验证码" not in lookup  # the SMS and the poster say 查询码
    mine = anon.get(f"/p?code={code}").get_data(as_text=True)
    assert "您的登记：" in mine and "状态：" in mine and f"协议 {ref}：" in mine
    assert "您的登记:" not in mine and "状态:" not in mine
    verify = anon.get(f"/verify?ref={ref}").get_data(as_text=True)
    assert f"协议 {ref}：" in verify
    form = anon.get(f"/p/register?code={incident_code}").get_data(as_text=True)
    back = re.search(r'id="back-to-progress" href="([^"]+)"', form).group(1)
    assert anon.get(back.replace("&amp;", "&")).status_code == 200 and "code=" in back


@sqlite_only
def test_a_closed_case_says_registration_is_over_in_the_complainants_words(world, session_factory):
    app, staff, w = world
    code = issue(staff, w.incident_id)["code"]
    from incident.db import begin_write
    from incident.models import Incident
    with session_factory() as s:
        begin_write(s)
        s.get(Incident, w.incident_id).status = "closed"
        s.commit()
    anon = app.test_client()
    page = anon.get(f"/p?code={code}").get_data(as_text=True)
    assert 'id="register-link"' not in page
    r = anon.get(f"/p/register?code={code}")
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "本事件已办结，无法再登记" in html and 'id="reg-submit"' not in html and 'id="back-to-progress"' in html
    assert "reopen" not in html and "重新打开" not in html
    api = anon.post("/api/v1/public/register", json={"code": code, "name": "王芳", "unit": "1-101",
                                                     "phone": "13900001111", "demand": "x", "consent": True})
    assert api.status_code == 409 and api.get_json()["field"] == "code"
    assert "reopen" not in api.get_json()["message"]


@sqlite_only
def test_the_second_factor_is_not_guessable_from_many_addresses(world, session_factory):
    """Ten wrong last-four answers an hour per claimant code, whatever the address; right answers do
    not count (the claimant may download again), and the refusal is the public page in their words."""
    from realtime.public import limits
    assert limits.SECOND_FACTOR == "10 per hour"
    app, staff, w = world
    cid, last4, _ref = sealed_claimant(session_factory, w.incident_id)
    code = issue(staff, w.incident_id, "claimant", cid)["code"]
    anon = app.test_client()
    right = anon.post("/api/v1/public/agreement", json={"code": code, "last4": last4})
    assert right.status_code == 200 and right.data.startswith(b"%PDF")
    wrong = "0000" if last4 != "0000" else "1111"
    got = [anon.post("/api/v1/public/agreement", json={"code": code, "last4": wrong},
                     environ_base={"REMOTE_ADDR": f"10.2.0.{i}"}).status_code for i in range(10)]
    assert got == [403] * 10
    again = anon.post("/api/v1/public/agreement", json={"code": code, "last4": last4},
                      environ_base={"REMOTE_ADDR": "10.2.1.1"})
    assert again.status_code == 429 and again.get_json()["error"] == "throttled"
    other = app.test_client()
    page = other.get(f"/p?code={code}", environ_base={"REMOTE_ADDR": "10.2.1.2"})
    r = other.post("/p/agreement", data={"code": code, "last4": last4, "csrf_token": _csrf(page.get_data(as_text=True))},
                   environ_base={"REMOTE_ADDR": "10.2.1.2"})
    assert r.status_code == 429
    html = r.get_data(as_text=True)
    assert "请求过于频繁" in html and 'id="back-to-progress"' in html


@sqlite_only
def test_after_answering_the_page_says_the_survey_is_done(world, session_factory):
    """At stage 回访 the button went away after the answer with nothing in its place: was it sent?"""
    app, staff, w = world
    cid, _last4, _ref = sealed_claimant(session_factory, w.incident_id)
    code = issue(staff, w.incident_id, "claimant", cid)["code"]
    anon, link = _survey_link(app, staff, w, cid)
    assert anon.post("/api/v1/public/survey", json={"token": link.rsplit("/", 1)[-1], "score": 5}).status_code == 201
    view = anon.get(f"/api/v1/public/progress?code={code}").get_json()["claimant"]["survey"]
    assert view == {"open": False, "answered": True}
    page = anon.get(f"/p?code={code}").get_data(as_text=True)
    assert 'id="survey-link"' not in page and "您已填写满意度评价" in page


@sqlite_only
def test_the_agreement_of_a_self_registered_claimant_quotes_their_own_words(world):
    app, staff, w = world
    code = issue(staff, w.incident_id)["code"]
    anon = app.test_client()
    r = anon.post("/api/v1/public/register", json={"code": code, "name": "钱𠮷", "unit": "4-2-1801",
                                                    "phone": "13700137001", "demand": "我家电梯按钮坏了三次，要求赔偿误工费",
                                                    "consent": True})
    assert r.status_code == 201, r.get_json()
    pending = staff.get(f"/api/v1/incidents/{w.incident_id}/public").get_json()["pending"]
    (cid,) = [c["claimant_id"] for c in pending if c["name"] == "钱𠮷"]
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/public/registrations/confirm", {"claimant_ids": [cid]})
    assert r.status_code == 200, r.get_json()
    r = staff.post(f"/api/v1/incidents/{w.incident_id}/agreements", {
        "claimant_id": cid, "items": [{"description": "误工费", "remedy": "赔偿", "amount": "200",
                                       "payment_kind": "compensation"}]})
    assert r.status_code == 201, r.get_json()
    facts = r.get_json()["terms"]["facts"]
    assert "我家电梯按钮坏了三次，要求赔偿误工费" in facts, facts
