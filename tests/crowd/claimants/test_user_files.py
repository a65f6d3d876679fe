"""Files made the way users make them (tests/crowd/claimants/files/README.md): a property office's owner list
written by LibreOffice Calc, a shop backend's GB18030 CSV, and the same CSV opened and saved in LibreOffice.
Each stores exactly its valid rows and reports every other row with its reason, in zh-CN and in English."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from incident import privacy
from incident.crowd.claimants.models import Claimant
from tests.crowd.helpers import crowd_incident

FILES = Path(__file__).with_name("files")
S = "/api/v1/incidents/{}/claimants/import/stages"


def _import(api, inc_id, name, lang):
    """Upload, take Concord's proposed mapping as it is, confirm: what a user does with the defaults."""
    head = {"Accept-Language": lang}
    st = api.post(S.format(inc_id), data={"file": (io.BytesIO((FILES / name).read_bytes()), name)},
                  content_type="multipart/form-data", headers=head)
    assert st.status_code == 201, st.get_json()
    st = st.get_json()
    r = api.post(f"{S.format(inc_id)}/{st['stage_id']}/confirm", {"mapping": st["mapping"], "mode": "skip_invalid"},
                 headers=head)
    assert r.status_code == 201, r.get_json()
    return st, r.get_json()


def _stored(session, inc_id):
    session.rollback()
    return session.scalars(select(Claimant).where(Claimant.incident_id == inc_id).order_by(Claimant.id)).all()


def _errors(rep):
    return [(e["row"], e["field"], e["reason"]) for e in rep["errors"]]


def _phone_is(c, digits):
    return c.phone_index == privacy.cipher().index(digits) and privacy.cipher().decrypt(c.phone_cipher) == digits


OWNERS_ERRORS = [(4, "phone", "invalid"), (6, "phone", "invalid"), (7, "id_number", "spreadsheet_number"),
                 (8, "phone", "duplicate_in_file"), (11, "phone", "invalid"), (13, "unit", "duplicate_in_file")]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_owner_list_written_by_libreoffice(session, api_as, lang):
    inc, leader = crowd_incident(session)
    leader.locale = lang.replace("-", "_")  # the user's own language setting comes before the browser's
    session.commit()
    st, rep = _import(api_as(leader), inc.id, "owners-libreoffice.xlsx", lang)
    assert st["mapping"]["unit"] == ["楼栋", "单元", "房号"] and st["mapping"]["segment"] == ["楼栋"]
    assert rep["rows"] == 10 and rep["stored"] == 4 and rep["blank_rows"] == [5, 10]
    assert _errors(rep) == OWNERS_ERRORS
    rows = _stored(session, inc.id)
    assert [(c.name, c.unit, c.segment) for c in rows] == [
        ("张𠮷", "3栋1单元1201", "3栋"), ("李四", "3栋1单元1202", "3栋"), ("周九", "4栋1单元101", "4栋"),
        ("郑十一", "4栋1单元103", "4栋")]
    # a number cell, full-width digits, full-width digits with ideographic spaces, a landline: one normal form
    for c, digits in zip(rows, ["13812345678", "13900001111", "01062345678", "13600136000"]):
        assert _phone_is(c, digits), c.name
    assert [c.id_masked for c in rows] == ["110***********1232", "440***********2015", "", "310***********8340"]
    # the remarks are text, markup and all, never interpreted
    assert rows[0].attributes == {"备注": "<b>加急</b> <script>alert(1)</script>"}
    assert rows[1].attributes == {"备注": "车位 B-12 & 储藏室"} and rows[3].attributes == {}
    en = {e["row"]: e["message"] for e in rep["errors"]}
    local = {e["row"]: e["message_local"] for e in rep["errors"]}
    assert "10 digits" in en[4] and "12 digits" in en[6] and "5 digits" in en[11]
    assert "format the column as text" in en[7] and "same as row 2" in en[8] and "same as row 9" in en[13]
    if lang == "zh-CN":
        assert "10 位" in local[4] and "12 位" in local[6] and "5 位" in local[11]
        assert "“文本”格式" in local[7] and "第 2 行" in local[8] and "第 9 行" in local[13]
        assert all("phone" not in m and "id_number" not in m for m in local.values())
    else:
        assert local == en


SHOP_ERRORS = [(6, "phone", "invalid"), (7, "phone", "invalid"), (8, "phone", "duplicate_in_file"),
               (9, "name", "required"), (11, "unit", "duplicate_in_file")]


@pytest.mark.parametrize("name", ["shop-orders-gb18030.csv", "shop-orders-libreoffice.xlsx"])
def test_shop_backend_buyer_list(session, api_as, name):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    st, rep = _import(api, inc.id, name, "zh-CN")
    assert st["mapping"] == {"name": ["买家姓名"], "unit": ["订单编号"], "phone": ["联系方式"], "id_number": [],
                             "segment": ["店铺名称"]}
    assert rep["attribute_columns"] == ["收货人", "订单金额", "下单时间", "商品名称", "买家留言"]
    assert rep["rows"] == 9 and rep["stored"] == 4 and rep["blank_rows"] == [4]
    assert _errors(rep) == SHOP_ERRORS
    local = {e["row"]: e["message_local"] for e in rep["errors"]}
    assert "10 位" in local[6] and "12 位" in local[7] and "第 3 行" in local[8] and "必填" in local[9]
    assert "第 2 行" in local[11]
    en = {e["row"]: e["message"] for e in rep["errors"]}
    assert en[8] == "phone: same as row 3" and en[9] == "name is required"  # full-width = half-width: row 3
    rows = _stored(session, inc.id)
    assert [(c.name, c.unit, c.segment) for c in rows] == [
        ("陈一", "DD2026111100001", "旗舰店"), ("林二", "DD2026111100002", "旗舰店"),
        ("黄三", "DD2026111100003", "旗舰店"), ("马八", "DD2026111100008", "旗舰店")]
    for c, digits in zip(rows, ["13800138000", "15912345678", "13700137000", "13600001111"]):
        assert _phone_is(c, digits), c.name
    assert rows[0].attributes["买家留言"] == '<a href="http://x.example">尽快发货</a>'
    assert rows[1].attributes["买家留言"] == "<img src=x onerror=alert(1)>" and rows[1].attributes["收货人"] == "林太太"
    assert rows[3].attributes["买家留言"] == "<b>差评</b>"
    if name.endswith(".csv"):  # the backend's text, as it wrote it
        assert [c.attributes["订单金额"] for c in rows] == ["199.90", "1,299.00", "88", "420.00"]
        assert rows[1].attributes["下单时间"] == "2026-11-11 00:03:44"
    else:  # LibreOffice typed amounts and times as numbers and dates: shown as the sheet shows them
        assert [c.attributes["订单金额"] for c in rows] == ["199.9", "1299", "88", "420"]
        assert rows[1].attributes["下单时间"] == "2026-11-11 00:03:44"
        assert rows[2].attributes["下单时间"] == "2026/11/11 00:05"  # a cell LibreOffice left as text
    # the downloadable report: each refused row's original cells (a date cell as the sheet shows it)
    x = api.get(f"{S.format(inc.id)}/{st['stage_id']}/report.xlsx")
    assert x.status_code == 200
    cells = {r[0]: r for r in load_workbook(io.BytesIO(x.data)).active.iter_rows(values_only=True)}
    assert "1591234567" in cells[6] and "2026-11-11 00:06:10" in cells[6] and "12 位" in str(cells[7])


def test_the_fixtures_are_what_the_readme_says():
    """The XLSX files are LibreOffice's (not openpyxl's), with number-typed cells where the tests need them."""
    import zipfile

    for name in ("owners-libreoffice.xlsx", "shop-orders-libreoffice.xlsx"):
        with zipfile.ZipFile(FILES / name) as z:
            assert b"<Application>LibreOffice" in z.read("docProps/app.xml"), name
    owners = list(load_workbook(FILES / "owners-libreoffice.xlsx", read_only=True).active.iter_rows(values_only=True))
    assert owners[1][1:5] == (3, 1, 1201, 13812345678) and isinstance(owners[6][5], float)  # an ID as a number
    shop = list(load_workbook(FILES / "shop-orders-libreoffice.xlsx", read_only=True).active
                .iter_rows(values_only=True))
    assert isinstance(shop[2][6], datetime) and shop[5][4] == 1591234567
    raw = (FILES / "shop-orders-gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "买家姓名" in raw.decode("gb18030") and "１５９１２３４５６７８" in raw.decode("gb18030")

