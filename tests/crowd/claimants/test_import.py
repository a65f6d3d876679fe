"""Bulk import: a 2,000-row CSV with ~3% bad rows, both modes, XLSX with Chinese headers, duplicates."""
from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from incident.crowd.claimants.models import Claimant
from incident.timeline.models import Event
from tests.crowd.helpers import crowd_incident, csv_with_bad_rows

P = "/api/v1/incidents/{}/claimants/import"


def _upload(api, inc_id, data, name="crowd.csv", mode="skip_invalid"):
    return api.post(P.format(inc_id), data={"file": (io.BytesIO(data), name), "mode": mode},
                    content_type="multipart/form-data")


def _stored(session, inc_id):
    session.rollback()
    return session.scalars(select(Claimant).where(Claimant.incident_id == inc_id)).all()


def test_skip_invalid_stores_exactly_the_valid_rows(session, api_as):
    data, bad, good = csv_with_bad_rows(2000)
    assert 55 <= len(bad) <= 65  # about 3%
    inc, leader = crowd_incident(session)
    r = _upload(api_as(leader), inc.id, data)
    assert r.status_code == 201, r.get_json()
    rep = r.get_json()
    assert rep["rows"] == 2000 and rep["stored"] == len(good) and rep["bad_rows"] == len(bad)
    assert {e["row"]: e["field"] for e in rep["errors"]} == bad
    assert all(e["reason"] and e["message"] for e in rep["errors"])
    rows = _stored(session, inc.id)
    assert sorted(c.unit for c in rows) == sorted(g["unit"] for g in good)
    assert sorted(c.phone_masked for c in rows) == sorted(g["phone"][:3] + "****" + g["phone"][-4:] for g in good)
    events = session.scalars(select(Event).where(Event.incident_id == inc.id,
                                                 Event.type == "claimants.imported")).all()
    assert len(events) == 1 and events[0].payload["stored"] == len(good)
    assert not any(g["phone"] in str(events[0].payload) for g in good)
    session.refresh(inc)
    assert inc.headcount == len(good)


def test_all_or_nothing_stores_none_and_reports_every_bad_row(session, api_as):
    data, bad, _good = csv_with_bad_rows(2000)
    inc, leader = crowd_incident(session)
    r = _upload(api_as(leader), inc.id, data, mode="all_or_nothing")
    assert r.status_code == 400
    body = r.get_json()
    assert body["field"] == "file" and body["report"]["stored"] == 0
    assert {e["row"]: e["field"] for e in body["report"]["errors"]} == bad
    assert _stored(session, inc.id) == []
    assert session.scalar(select(func.count(Event.id)).where(Event.incident_id == inc.id,
                                                             Event.type == "claimants.imported")) == 0


def test_all_or_nothing_stores_a_clean_file(session, api_as):
    data, _bad, good = csv_with_bad_rows(60, every=10**6)
    inc, leader = crowd_incident(session)
    r = _upload(api_as(leader), inc.id, data, mode="all_or_nothing")
    assert r.status_code == 201 and r.get_json()["stored"] == 60 == len(good)


def test_xlsx_with_english_headers_numbers_and_existing_duplicates(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    api.post(f"/api/v1/incidents/{inc.id}/claimants", {"name": "甲", "unit": "5-1-101", "phone": "13700000001"})
    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "Order number", "Mobile", "ID", "Batch", "Remark"])
    ws.append(["䶮明", "DD20261111001", 13900000001, None, "双11第1批", "ok"])
    ws.append(["乙", "5-1-101", 13900000002, None, "", ""])        # unit already registered
    ws.append(["丙", "DD20261111003", "13700000001", None, "", ""])  # phone already registered
    ws.append([None, None, None, None, None, None])                   # blank line: not a row
    ws.append(["丁", "DD20261111004", 13900000004.0, "110105199001011232", "双11第1批", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(api, inc.id, buf.getvalue(), name="buyers.xlsx")
    assert r.status_code == 201, r.get_json()
    rep = r.get_json()
    assert rep["rows"] == 4 and rep["stored"] == 2 and rep["attribute_columns"] == ["Remark"]
    assert [(e["row"], e["field"], e["reason"]) for e in rep["errors"]] == [
        (3, "unit", "duplicate_existing"), (4, "phone", "duplicate_existing")]
    names = sorted(c.name for c in _stored(session, inc.id))
    assert names == sorted(["甲", "䶮明", "丁"])


def test_bad_files_and_modes_are_refused_and_store_nothing(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    ok = "姓名,房号,电话\n甲,1-1-101,13800000001\n".encode()
    assert _upload(api, inc.id, ok, mode="maybe").get_json()["field"] == "mode"
    r = api.post(P.format(inc.id), data={"mode": "skip_invalid"}, content_type="multipart/form-data")
    assert r.status_code == 400 and r.get_json()["field"] == "file"
    for data in (b"", "姓名,电话\n甲,13800000001\n".encode(), b"\xd0\xcf\x11\xe0rest", "姓名,房号,电话\n".encode(),
                 b"PK\x03\x04garbage"):
        r = _upload(api, inc.id, data)
        assert r.status_code == 400 and r.get_json()["field"] == "file", (data, r.get_json())
    assert _stored(session, inc.id) == []
    gbk = "姓名,房号,电话\n甲,1-1-101,13800000001\n".encode("gb18030")
    assert _upload(api, inc.id, gbk).get_json()["stored"] == 1


# The importer's fast paths (bench/claimant_import) must give what the general code gives.
TEXTS = ["张三", "张 三", "张  三", " 张三", "张三 ", "张\t三", "e\u0301", "é", "3-1-1201", "3栋1单元1201", "A座 12",
         "\u3000王", "王\u3000", "王\u00a0五", "张𠮷", "㐀", "x" * 121, "x" * 120, "x" * 201, "", "\u200d", "a\x01b",
         "<b>王</b>", "李\n四", "Ｌｉ"]


def test_the_one_match_row_check_agrees_with_the_field_checks():
    from incident.crowd.claimants import fields as f
    from incident.errors import ValidationError
    checked = 0
    for name in TEXTS:
        for unit in ("3-1-1201", name):
            for segment in ("", "3栋", name):
                if not f.plain_texts(name, unit, segment):
                    continue
                checked += 1
                data = {"name": name, "unit": unit, "segment": segment}
                try:
                    assert (f.text(data, "name", True), f.text(data, "unit", True),
                            f.text(data, "segment", False)) == (name, unit, segment), data
                except ValidationError as err:
                    raise AssertionError(f"{data!r}: the fast path passed what text() refuses: {err}") from None
    assert checked >= 20
    assert not f.plain_texts(3, "1", "") and not f.plain_texts("王", 1201, "") and not f.plain_texts("王", "1", None)


def test_blind_index_and_batch_encryption_are_the_plain_constructions():
    import hmac

    from incident import privacy
    cp = privacy.cipher()
    for value in ("13812345678", "", "110105199001011232", "张" * 100):
        assert cp.index(value) == hmac.new(cp._index_key, value.encode(), "sha256").hexdigest()
    values = ["13812345678", "110105199001011232", "", "13812345678"]
    tokens = cp.encrypt_many(values)
    assert [cp.decrypt(t) for t in tokens] == values and len(set(tokens)) == 4  # a fresh nonce each
    assert len({t[3:19] for t in tokens}) == 4 and cp.encrypt_many([]) == []


def test_the_inline_row_loop_gives_what_the_general_path_gives(session, monkeypatch):
    """Every file of these tests judged twice: as the importer does, and with the inline path switched off."""
    from pathlib import Path

    from incident.crowd.claimants import fields as f
    from incident.crowd.claimants import importer
    from incident.crowd.claimants import mapping as m
    from incident.crowd.claimants.tabular import read_sheet
    from tests.crowd.helpers import csv_with_bad_rows
    inc, _leader = crowd_incident(session)
    files = [("bad.csv", csv_with_bad_rows(400)[0])] + [
        (p.name, p.read_bytes()) for p in sorted((Path(__file__).parent / "files").iterdir())
        if p.suffix in (".csv", ".xlsx")]
    dup = ("姓名,房号,手机,订单金额\n甲,1-1-101,13800000001,1\n乙,1-1-101,13800000002,x\n"
           "丙,1-1-102,13800000001,\n丁,1-1-103,13800000003," + "9" * 1001 + "\n")
    files.append(("dup.csv", dup.encode()))

    def judged(name, data):
        sheet = read_sheet(name, data)
        cols = m.check(m.propose(sheet.header, [r for _n, r in sheet.rows[:20]]), sheet.header)
        rep = importer.ImportReport(mode="skip_invalid", filename=name, rows=len(sheet.rows), mapping=cols)
        rows = importer.judge(session, inc, sheet, cols, rep, "zh_CN", True, encrypt=False)
        return [r[:5] + r[6:11] + r[12:] for r in rows], rep.to_dict()  # not the cipher, not the time

    fast = {name: judged(name, data) for name, data in files}
    assert sum(len(rows) for rows, _rep in fast.values()) > 380
    monkeypatch.setattr(f, "plain_texts", lambda *_a: False)  # every row through parse()/duplicate()/text()
    for name, data in files:
        assert judged(name, data) == fast[name], name
    assert [(e["row"], e["reason"]) for e in fast["dup.csv"][1]["errors"]] == [
        (3, "duplicate_in_file"), (4, "duplicate_in_file"), (5, "too_long")]
