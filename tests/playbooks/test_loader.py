"""Playbook files: built-ins load; a malformed file is refused with file, step and field of every error."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from playbooks import loader
from playbooks.spec import PlaybookInvalid
from playbooks.timing import BusinessHours, due_after, parse_offset
from tests.live import concord

BAD = """\
key: broken
title: {zh_CN: 坏预案}
steps:
  - id: first
    title: {zh_CN: 第一步, en: First}
    phase: intake
    seat: janitor
    due: {after: incident.opened, in: "15 minutes"}
    on_overdue: [remind_seat, explode]
  - id: second
    title: {zh_CN: 第二步, en: Second}
    phase: later
    seat: leader
    due: {after: "step:nowhere", in: +1h}
    depends_on: [first, ghost]
"""


def test_builtins_load_with_titles_in_both_languages():
    reg = loader.registry()
    assert {"property_mass", "mall_complaint", "ecommerce_batch", "safety_incident", "public_opinion"} <= set(reg)
    for pb in reg.values():
        assert pb.title["zh_CN"] and pb.title["en"]
        assert all(s.title["zh_CN"] and s.title["en"] for s in pb.steps)
    safety = reg["safety_incident"].step("start_handling")
    assert str(safety.offset) == "+30m" and safety.anchor == "incident.opened"
    watch = reg["public_opinion"].step("count_reposts")
    assert str(watch.repeat) == "+30m"
    assert str(reg["public_opinion"].step("reply_negative").offset) == "+8h"


def test_every_error_names_file_step_and_field(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(PlaybookInvalid) as err:
        loader.load_file(path)
    found = {(i.step, i.field) for i in err.value.issues}
    assert {(None, "title.en"), ("first", "seat"), ("first", "due.in"), ("first", "on_overdue"),
            ("second", "phase"), ("second", "due.after"), ("second", "depends_on")} <= found
    assert all(i.file == str(path) for i in err.value.issues)
    assert "step 'first', field 'seat'" in str(err.value)


def test_cycles_duplicates_and_yaml_syntax_are_refused():
    doc = """key: loop
title: {zh_CN: 环, en: Loop}
steps:
  - {id: a, title: {zh_CN: a, en: a}, phase: intake, seat: leader, depends_on: [b]}
  - {id: b, title: {zh_CN: b, en: b}, phase: intake, seat: leader, depends_on: [a]}
"""
    with pytest.raises(PlaybookInvalid) as err:
        loader.parse(doc, "loop.yaml")
    assert [(i.step, i.field) for i in err.value.issues] == [("a", "depends_on")]
    assert "cycle" in err.value.issues[0].message
    dup = doc.replace("depends_on: [a]", "depends_on: []").replace("id: b", "id: a")
    with pytest.raises(PlaybookInvalid) as err:
        loader.parse(dup, "dup.yaml")
    assert ("a", "id") in {(i.step, i.field) for i in err.value.issues}
    with pytest.raises(PlaybookInvalid) as err:
        loader.parse("key: [unclosed", "syntax.yaml")
    assert err.value.issues[0].field == "(yaml)" and "line" in err.value.issues[0].message


def test_cli_check_names_the_errors_and_exits_non_zero(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD, encoding="utf-8")
    res = concord(tmp_path, "playbook", "check", str(bad), check=False)
    assert res.returncode != 0
    assert f"{bad}: step 'first', field 'seat'" in res.stderr
    assert f"{bad}: step 'second', field 'depends_on'" in res.stderr
    good = Path(loader.BUILTIN_DIR) / "property_mass.yaml"
    ok = concord(tmp_path, "playbook", "check", str(good), check=False)
    assert ok.returncode == 0 and "ok (property_mass" in ok.stdout


def test_offsets_and_business_hours():
    assert parse_offset("+15m").minutes == 15 and parse_offset("+7d").minutes == 7 * 1440
    for bad in ("15m", "+0m", "+5s", "", None, 15):
        with pytest.raises(ValueError):
            parse_offset(bad)
    hours = BusinessHours.parse("mon-fri 09:00-18:00", "Asia/Shanghai")
    fri_1700 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)  # Friday 17:00 in Shanghai
    # two working hours from Friday 17:00: one hour on Friday, one on Monday from 09:00
    assert due_after(fri_1700, parse_offset("+2h"), hours) == datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    assert due_after(fri_1700, parse_offset("+2h"), None) == datetime(2026, 11, 27, 11, 0, tzinfo=timezone.utc)
    # one business day = the 9-hour window: Friday 17:00 → Monday 17:00
    assert due_after(fri_1700, parse_offset("+1d"), hours) == datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        BusinessHours.parse("weekdays 9-6")
