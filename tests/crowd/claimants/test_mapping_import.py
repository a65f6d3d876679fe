"""Files as property offices and shops hand them over: mapping with a preview, attributes, the localized report."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from incident.crowd.claimants.models import Claimant, ImportStage
from incident.timeline.models import Event
from tests.crowd.helpers import crowd_incident, seated

S = "/api/v1/incidents/{}/claimants/import/stages"
HYPER = '=HYPERLINK("http://evil.example","点我")'


def _stage(api, inc_id, data, name):
    return api.post(S.format(inc_id), data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                    headers={"Accept-Language": "zh-CN"})


def _stored(session, inc_id):
    session.rollback()
    return session.scalars(select(Claimant).where(Claimant.incident_id == inc_id).order_by(Claimant.id)).all()


def owners_xlsx() -> bytes:
    """A compound's owner list as a property office keeps it: number-typed cells, separate address columns."""
    wb = Workbook()
    ws = wb.active
    ws.append(["业主姓名", "楼栋", "单元", "房号", "联系电话", "身份证号", "备注"])
    ws.append(["张𠮷", 3, 1, 1201, 13812345678, None, "<script>alert(1)</script>"])   # 2 ok
    ws.append(["李四", 3, 1, 1202, "１３９００００１１１１", "110105199001011232", "车位 B-12"])  # 3 ok
    ws.append(["王五", 3, 1, 1203, "1391234567", None, HYPER])                          # 4 10 digits
    ws.append([None, None, None, None, None, None, None])                               # 5 blank
    ws.append(["赵六", 3, 2, 1201, "138-1234-56789", None, ""])                        # 6 12 digits
    ws.append(["钱七", 3, 2, 1202, 13700001111, 110105199001011232, ""])                # 7 ID as a number
    ws.append(["孙八", 3, 2, 1203, "13812345678", None, ""])                            # 8 same phone as row 2
    ws.append(["周九", 4, 1, 101, "010-6234 5678", None, "一楼"])                        # 9 landline ok
    ws.append(["吴十", 4, 1, 102, "12345", None, ""])                                   # 10 too short
    ws["G4"].data_type = "s"  # typed as text, as in a remarks column (not a formula)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def shop_csv() -> bytes:
    """A buyer list exported from a shop backend, in GB18030, with its own headers."""
    text = ("买家姓名,收货人,联系方式,订单号,订单金额,下单时间,商品\r\n"
            "陈一,陈一,+86 138 0013 8000,DD2026111100001,199.90,2026-11-11 00:01:02,羽绒服 L\r\n"
            "林二,林太太,１５９１２３４５６７８,DD2026111100002,1299.00,2026-11-11 00:03:44,=cmd|' /C calc'!A0\r\n"
            ",,,,,,\r\n"
            "黄三,黄三,0086-13700137000,DD2026111100003,88,2026-11-11 00:05:00,袜子\r\n")
    return text.encode("gb18030")


def test_owner_list_with_building_unit_room_columns(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    r = _stage(api, inc.id, owners_xlsx(), "业主名册.xlsx")
    assert r.status_code == 201, r.get_json()
    st = r.get_json()
    assert st["mapping"]["unit"] == ["楼栋", "单元", "房号"] and st["mapping"]["segment"] == ["楼栋"]
    assert st["mapping"]["name"] == ["业主姓名"] and st["mapping"]["phone"] == ["联系电话"]
    first = st["preview"][0]
    assert first["unit"] == "3栋1单元1201" and first["segment"] == "3栋" and first["phone"] == "138****5678"
    assert first["attributes"] == {"备注": "<script>alert(1)</script>"}
    assert st["summary"]["would_store"] == 3 and st["summary"]["blank_rows"] == [5]
    assert _stored(session, inc.id) == []  # nothing stored before confirmation

    r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"], "mode": "skip_invalid"},
                 headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 201, r.get_json()
    rep = r.get_json()
    assert rep["stored"] == 3 and rep["rows"] == 8 and rep["blank_rows"] == [5]
    assert [(e["row"], e["field"], e["reason"]) for e in rep["errors"]] == [
        (4, "phone", "invalid"), (6, "phone", "invalid"), (7, "id_number", "spreadsheet_number"),
        (8, "phone", "duplicate_in_file"), (10, "phone", "invalid")]
    msgs = {e["row"]: e["message_local"] for e in rep["errors"]}
    assert "10 位" in msgs[4] and "12 位" in msgs[6] and "文本" in msgs[7] and "第 2 行" in msgs[8]
    rows = _stored(session, inc.id)
    assert [(c.name, c.unit, c.segment, c.phone_masked) for c in rows] == [
        ("张𠮷", "3栋1单元1201", "3栋", "138****5678"), ("李四", "3栋1单元1202", "3栋", "139****1111"),
        ("周九", "4栋1单元101", "4栋", "010****5678")]
    assert rows[0].attributes == {"备注": "<script>alert(1)</script>"} and rows[1].id_masked == "110***********1232"

    x = api.get(f"{S.format(inc.id)}/{st['stage_id']}/report.xlsx")
    assert x.status_code == 200 and x.mimetype.endswith("spreadsheetml.sheet")
    cells = [list(r) for r in load_workbook(io.BytesIO(x.data)).active.iter_rows(values_only=True)]
    head = cells[3]
    assert head[3:10] == ("业主姓名", "楼栋", "单元", "房号", "联系电话", "身份证号", "备注") or \
        list(head[3:10]) == ["业主姓名", "楼栋", "单元", "房号", "联系电话", "身份证号", "备注"]
    by_row = {c[0]: c for c in cells[4:]}
    assert by_row[4][3:8] == ("王五", "3", "1", "1203", "1391234567") or list(by_row[4][3:8]) == [
        "王五", "3", "1", "1203", "1391234567"]
    assert by_row[4][9] == "'" + HYPER  # the original cell next to its error, never a live formula
    assert by_row[7][8] == "110105199001011232" or by_row[7][8].startswith("1101051990010")
    assert by_row[5][2] and "跳过" in by_row[5][2] or "skip" in by_row[5][2]
    r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"]})
    assert r.status_code == 409  # one upload is imported once


def test_shop_buyer_list_in_gb18030_mapped_by_the_user_and_saved(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    st = _stage(api, inc.id, shop_csv(), "orders.csv").get_json()
    assert "mapping" in st, st
    assert st["mapping"]["name"] == ["买家姓名"] and st["mapping"]["unit"] == ["订单号"]
    assert st["mapping"]["phone"] == ["联系方式"] and st["mapping_source"] == "proposed"
    mapping = dict(st["mapping"], name=["收货人"])
    r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/preview", {"mapping": mapping})
    assert r.status_code == 200
    pv = r.get_json()
    assert [p["name"] for p in pv["preview"]] == ["陈一", "林太太", "黄三"]
    assert pv["preview"][1]["attributes"] == {"买家姓名": "林二", "订单金额": "1299.00", "下单时间": "2026-11-11 00:03:44",
                                               "商品": "=cmd|' /C calc'!A0"}
    assert _stored(session, inc.id) == []
    r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": mapping, "save_mapping": True})
    assert r.status_code == 201 and r.get_json()["stored"] == 3 and r.get_json()["blank_rows"] == [4]
    rows = _stored(session, inc.id)
    assert [c.phone_masked for c in rows] == ["138****8000", "159****5678", "137****7000"]
    assert sorted(c.attributes["订单金额"] for c in rows) == ["1299.00", "199.90", "88"]
    # the next file from the same backend gets the saved mapping
    again = _stage(api, inc.id, shop_csv(), "orders-2.csv").get_json()
    assert again["mapping_source"] == "saved" and again["mapping"]["name"] == ["收货人"]
    assert api.get(f"/api/v1/incidents/{inc.id}/claimants/import/mapping").get_json()["mapping"]["name"] == ["收货人"]
    ev = session.scalars(select(Event).where(Event.incident_id == inc.id, Event.type == "claimants.imported")).one()
    assert ev.payload["mapping_saved"] is True and "13800138000" not in str(ev.payload)


def test_missing_column_names_the_headers_the_user_can_use(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    data = "顾客,地址,电话\n甲,1-1-101,13800000001\n".encode()
    st = _stage(api, inc.id, data, "x.csv").get_json()
    assert st["missing"] == ["name"] and st["preview"] == []
    r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"]},
                 headers={"Accept-Language": "zh-CN"})
    body = r.get_json()
    assert r.status_code == 400 and body["reason"] == "missing_columns"
    assert "顾客" in body["message_local"] and "姓名" in body["message_local"] and "name" not in body["message_local"]
    legacy = api.post(f"/api/v1/incidents/{inc.id}/claimants/import", data={"file": (io.BytesIO(data), "x.csv"),
                      "mode": "skip_invalid"}, content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert legacy.status_code == 400 and "顾客" in legacy.get_json()["message"]
    ok = api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": dict(st["mapping"], name=["顾客"])})
    assert ok.status_code == 201 and ok.get_json()["stored"] == 1
    for bad in ({"name": ["nope"]}, {"colour": ["顾客"]}, [1], {"name": "顾客" * 0 + "", "unit": 5}):
        r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/preview", {"mapping": bad})
        assert r.status_code in (400, 409), (bad, r.get_json())


def test_without_the_reveal_permission_no_duplicate_names_its_claimant(session, api_as):
    inc, leader = crowd_incident(session)
    business = seated(session, inc, "business")  # may edit claimants, may not reveal contacts
    first = api_as(leader).post(f"/api/v1/incidents/{inc.id}/claimants",
                                {"name": "甲", "unit": "1-1-101", "phone": "13800000001"}).get_json()
    api = api_as(business)
    data = "姓名,房号,电话\n乙,9-9-909,１３８ ０００ ０００ ０１\n".encode()
    st = _stage(api, inc.id, data, "candidates.csv").get_json()
    text = str(st)
    assert f"#{first['id']}" not in text and "已有诉求人重复" in text
    r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"]})
    assert r.status_code == 400 and f"#{first['id']}" not in r.get_data(as_text=True)
    legacy = api.post(f"/api/v1/incidents/{inc.id}/claimants/import", data={"file": (io.BytesIO(data), "c.csv"),
                      "mode": "skip_invalid"}, content_type="multipart/form-data")
    assert legacy.status_code == 400 and f"#{first['id']}" not in legacy.get_data(as_text=True)
    add = api.post(f"/api/v1/incidents/{inc.id}/claimants", {"name": "乙", "unit": "9-9-909", "phone": "13800000001"})
    assert add.status_code == 400 and "duplicate_of" not in add.get_json()
    assert str(first["id"]) not in add.get_json()["message"]
    # the leader may reveal, so the leader is told which claimant it is
    add = api_as(leader).post(f"/api/v1/incidents/{inc.id}/claimants",
                              {"name": "乙", "unit": "9-9-909", "phone": "13800000001"})
    assert add.get_json()["duplicate_of"] == first["id"]


def test_stages_expire_and_belong_to_their_incident(session, api_as):
    inc, leader = crowd_incident(session)
    other, _l = crowd_incident(session)
    api = api_as(leader)
    st = _stage(api, inc.id, "姓名,房号,电话\n甲,1-1-101,13800000001\n".encode(), "a.csv").get_json()
    assert api.post(f"{S.format(other.id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"]}).status_code in (403, 404)
    colleague = api_as(seated(session, inc, "customer_service"))  # may import too, but not this upload
    assert colleague.post(f"{S.format(inc.id)}/{st['stage_id']}/preview", {"mapping": st["mapping"]}).status_code == 404
    assert colleague.get(f"{S.format(inc.id)}/{st['stage_id']}/report.xlsx").status_code == 404
    session.rollback()
    row = session.get(ImportStage, st["stage_id"])
    assert "13800000001" not in row.payload  # the staged rows are encrypted
    from incident import clock
    with clock.frozen(row.expires_at):
        r = api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"]})
    assert r.status_code == 404
    session.rollback()
    assert session.scalar(select(func.count(Claimant.id)).where(Claimant.incident_id == inc.id)) == 0


def test_a_refund_equal_to_each_buyers_order_amount(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    st = _stage(api, inc.id, shop_csv(), "orders.csv").get_json()
    assert api.post(f"{S.format(inc.id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"]}).status_code == 201
    base = f"/api/v1/incidents/{inc.id}/demands/templates"
    r = api.post(base, {"type": "refund", "owner": "客服部", "remedy": "按订单金额退款", "amount_from": "订单金额"})
    assert r.status_code == 201, r.get_json()
    amounts = sorted(i["amount"] for i in r.get_json()["items"])
    assert amounts == ["1299.00", "199.90", "88.00"]
    r = api.post(base, {"type": "refund", "owner": "客服部", "amount_from": "商品"}, headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 400 and r.get_json()["field"] == "amount_from"
    assert "陈一" in r.get_json()["message_local"] and "商品" in r.get_json()["message_local"]
    export = api.get(f"/api/v1/incidents/{inc.id}/claimants.csv").get_data(as_text=True)
    head = export.splitlines()[0]
    assert "订单金额" in head and "下单时间" in head and "1299.00" in export
    assert "'=cmd|' /C calc'!A0" in export and "15912345678" not in export  # formula neutralised, phone masked
