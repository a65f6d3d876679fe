"""Exports safe for spreadsheets: formula-like cells are neutralised in every CSV/XLSX Concord writes."""
from __future__ import annotations

import csv
import io

import pytest

from exports import sheets
from tests.crowd.helpers import crowd_incident

HOSTILE = ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           '=HYPERLINK("http://evil.example","点我")']


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_gets_a_leading_quote(value):
    assert sheets.safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["刘建国", "3-1-1201", "𠮷野家", "<script>alert(1)</script>", "", " =1", "'=1"])
def test_ordinary_text_is_left_alone(value):
    assert sheets.safe_cell(value) == value


def test_numbers_and_empty_cells_stay_as_they_are():
    assert sheets.safe_row([-5, 3.5, None, True]) == [-5, 3.5, None, True]


def test_the_csv_writer_and_the_xlsx_helper_neutralise_every_cell():
    buf = io.StringIO()
    w = sheets.writer(buf)
    w.writerow(HOSTILE)
    w.writerows([["ok", "=2"]])
    rows = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert rows[0] == ["'" + v for v in HOSTILE] and rows[1] == ["ok", "'=2"]

    from openpyxl import Workbook, load_workbook
    wb = Workbook()
    sheets.append_row(wb.active, ["=1+1", "@x", "刘", 7])
    out = io.BytesIO()
    wb.save(out)
    cells = [c for c in next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())]
    assert [c.value for c in cells] == ["'=1+1", "'@x", "刘", 7]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n"]  # no formula cell


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_claimant_csv_export_neutralises_hostile_names_and_units(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    names = ["=1+1", "+SUM(1,2)", "-3+4", "@A1", "刘=1"]
    for i, name in enumerate(names):
        r = api.post(f"/api/v1/incidents/{inc.id}/claimants",
                     {"name": name, "unit": f"=HYPERLINK(\"x\")-{i}", "phone": f"1381234{i:04d}", "segment": "@楼"})
        assert r.status_code == 201, r.get_json()
    text = api.get(f"/api/v1/incidents/{inc.id}/claimants.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))[1:]
    assert sorted(r[0] for r in rows) == sorted(["'=1+1", "'+SUM(1,2)", "'-3+4", "'@A1", "刘=1"])
    assert all(r[1].startswith("'=HYPERLINK") and r[4] == "'@楼" for r in rows)
    for row in rows:  # nothing a spreadsheet would run
        assert not any(cell.startswith(sheets.TRIGGERS) for cell in row)
