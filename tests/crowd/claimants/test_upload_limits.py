"""Claimant uploads beyond the limits are refused from their bytes, before openpyxl or csv reads them.

Each limit of incident/crowd/claimants/limits.py gets a crafted file: a 42 KB workbook holding a million
shared strings, a sheet that declares 16,384 columns, a row numbered 1,048,576, a part that inflates a
thousandfold, a DTD, a CSV with NUL bytes or an endless line. The parser is replaced by a tripwire, so
"refused before parsing" is what is tested, not a time.
"""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook
from sqlalchemy import select

from incident.crowd.claimants import limits, tabular
from incident.crowd.claimants.models import Claimant
from incident.errors import ValidationError
from tests.crowd.helpers import crowd_incident

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
ROW2 = (b'<row r="2"><c r="A2" t="inlineStr"><is><t>\xe5\xbc\xa0\xe4\xb8\x89</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>3-101</t></is></c><c r="C2" t="inlineStr"><is><t>13812345678</t></is></c></row>')


def workbook(sheet_rows: bytes = HEADER + ROW2, strings: list[bytes] | None = None, dimension: bytes = b"",
             extra: dict[str, bytes] | None = None, prolog: bytes = b"") -> bytes:
    """A minimal, valid XLSX written by hand, so each part can be made hostile on its own."""
    strings = strings if strings is not None else [b"name", b"unit", b"phone"]
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
        b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.'
        b'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                        f'org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                        f'Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS.decode()} xmlns:r="{rel}"><sheets>'
                            f'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                       f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                                       f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship '
                                       f'Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                                       f'</Relationships>').encode(),
        "xl/worksheets/sheet1.xml": b'<?xml version="1.0" encoding="UTF-8"?>' + prolog + b"<worksheet " + NS + b">"
        + dimension + b"<sheetData>" + sheet_rows + b"</sheetData></worksheet>",
        "xl/sharedStrings.xml": b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b">"
        + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>",
    } | (extra or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def tripwire(monkeypatch):  # type: ignore[no-untyped-def]
    """Fail the test if a parser is reached: the limits must refuse the file before."""
    def boom(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("the parser ran on a file the limits should have refused")
    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    monkeypatch.setattr(tabular.csv, "reader", boom)


def refusal(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        tabular.read_table(name, data)
    assert err.value.field == "file"
    return err.value


def test_the_hand_made_workbook_is_read():
    table = tabular.read_table("crowd.xlsx", workbook())
    assert [v["name"] for _n, v in table.rows] == ["张三"]


def test_a_million_shared_strings_in_42_kb_are_refused_before_openpyxl(tripwire):
    data = workbook(strings=[b"name", b"unit", b"phone"] + [b"a"] * 1_000_000)
    assert len(data) < 60_000  # the file is tiny; what it declares is not
    err = refusal("crowd.xlsx", data)
    assert err.details["reason"] == "too_many_strings" and str(limits.MAX_SHARED_STRINGS) in err.message


def test_a_sheet_declaring_16384_columns_is_refused(tripwire):
    err = refusal("crowd.xlsx", workbook(dimension=b'<dimension ref="A1:XFD1048576"/>'))
    assert err.details["reason"] == "too_many_columns" and "XFD1048576" in err.message


def test_a_row_numbered_past_the_limit_is_refused(tripwire):
    far = b'<row r="1048576"><c r="A1048576" t="s"><v>0</v></c></row>'
    assert refusal("crowd.xlsx", workbook(HEADER + far)).details["reason"] == "too_many_rows"
    unnumbered = b"<row><c><v>1</v></c></row>" * (limits.MAX_SHEET_ROWS + 1)
    assert refusal("crowd.xlsx", workbook(HEADER + unnumbered)).details["reason"] == "too_many_rows"


def test_a_cell_past_the_last_column_is_refused(tripwire):
    wide = b'<row r="2"><c r="ZZZ2" t="s"><v>0</v></c></row>'
    assert refusal("crowd.xlsx", workbook(HEADER + wide)).details["reason"] == "too_many_columns"


def test_too_many_cells_are_refused(tripwire):
    row = b"<c><v>1</v></c>" * 20
    rows = b"".join(b'<row r="%d">' % i + row + b"</row>" for i in range(2, limits.MAX_CELLS // 20 + 3))
    assert refusal("crowd.xlsx", workbook(HEADER + rows)).details["reason"] == "too_many_cells"


def test_a_part_that_inflates_past_its_cap_is_refused(tripwire):
    styles = b'<?xml version="1.0"?><styleSheet ' + NS + b">" + b" " * (limits.MAX_PART_BYTES + 1) + b"</styleSheet>"
    data = workbook(extra={"xl/styles.xml": styles})
    assert len(data) < 100_000
    err = refusal("crowd.xlsx", data)
    assert err.details["reason"] == "too_large" and "xl/styles.xml" in err.message


def test_a_workbook_inflating_past_the_total_cap_is_refused(tripwire):
    media = {f"xl/media/image{i}.bin": b"\0" * (limits.MAX_PART_BYTES - 1) for i in range(17)}
    assert refusal("crowd.xlsx", workbook(extra=media)).details["reason"] == "too_large"


def test_a_dtd_with_entities_is_refused(tripwire):
    bomb = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    assert refusal("crowd.xlsx", workbook(prolog=bomb)).details["reason"] == "format"


def test_a_damaged_archive_and_a_broken_sheet_are_a_400_not_a_crash(tripwire):
    assert refusal("crowd.xlsx", b"PK\x03\x04" + b"\x00" * 100).details["reason"] == "format"
    broken = workbook(HEADER + b"<row r='2'><c><v>1</v></row>")  # mismatched tags
    assert refusal("crowd.xlsx", broken).details["reason"] == "format"


def test_csv_with_nul_bytes_too_many_lines_or_a_huge_line_is_refused(tripwire):
    assert refusal("c.csv", "姓名,房号,电话\n张\x00三,1,13812345678\n".encode()).details["reason"] == "encoding"
    many = b"name,unit,phone\n" + b"a,1,13812345678\n" * (limits.MAX_SHEET_ROWS + 1)
    assert refusal("c.csv", many).details["reason"] == "too_many_rows"
    long_line = b"name,unit,phone\n" + b"a" * (limits.MAX_CSV_LINE_BYTES + 1) + b",1,2\n"
    assert refusal("c.csv", long_line).details["reason"] == "too_long_line"
    assert refusal("c.csv", b"x" * (limits.MAX_FILE_BYTES + 1)).details["reason"] == "too_large"


def test_a_csv_field_longer_than_the_csv_module_allows_is_a_400():
    # Many short lines inside one quoted field: within the line limit, beyond csv's field_size_limit.
    field = ("长文本" * 20 + "\n") * 3000
    data = f'姓名,房号,电话\n"{field}",1,13812345678\n'.encode()
    assert refusal("c.csv", data).details["reason"] == "format"


def test_the_api_refuses_a_hostile_workbook_with_a_field_named_400_and_stores_nothing(session, api_as, tripwire):
    inc, leader = crowd_incident(session)
    data = workbook(strings=[b"name", b"unit", b"phone"] + [b"a"] * 1_000_000)
    r = api_as(leader).post(f"/api/v1/incidents/{inc.id}/claimants/import",
                            data={"file": (io.BytesIO(data), "crowd.xlsx"), "mode": "skip_invalid"},
                            content_type="multipart/form-data", headers={"Accept-Language": "zh-CN"})
    body = r.get_json()
    assert r.status_code == 400 and body["field"] == "file" and body["reason"] == "too_many_strings"
    assert "文件" in body.get("message_local", "") or "200000" in body.get("message_local", "")
    session.rollback()
    assert session.scalars(select(Claimant).where(Claimant.incident_id == inc.id)).all() == []


def test_a_real_spreadsheet_of_the_maximum_size_passes_the_limits():
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "房号", "手机", "身份证", "楼栋", "备注"])
    for i in range(limits.MAX_ROWS):
        ws.append([f"张𠮷{i}", f"3-{i}", f"138{i:08d}", "", f"{i % 5}号楼", "＝1+1 <script>"])
    buf = io.BytesIO()
    wb.save(buf)
    limits.check_upload("crowd.xlsx", buf.getvalue(), is_xlsx=True)  # does not raise
