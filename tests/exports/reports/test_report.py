"""The incident report reads like a report: a summary page with figures and charts, then the timeline."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tests import api_world

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
                                reason="poppler-utils (make system-deps) missing")


@pytest.fixture
def report(settings, engine, session_factory, tmp_path):  # type: ignore[no-untyped-def]
    from exports.charts.crowd import funnel
    from exports.reports.incident_report import incident_report
    from exports.signing.certificates import write_p12
    from incident import service
    from incident.accounts.models import User
    p12 = write_p12(tmp_path / "org.p12", "锦绣物业管理有限公司", "rp-seal")
    s = replace(settings, signing_p12=str(p12), signing_password="rp-seal", org_name="锦绣物业管理有限公司")
    with session_factory() as session:
        world = api_world.build(session, s)
        session.commit()
        leader = session.scalars(select(User).where(User.username == "leader")).one()
        pdf = incident_report(session, actor=leader.actor, incident_id=world.incident_id, locale="zh_CN")
        inc = service.get(session, world.incident_id)
        stages = dict(funnel(session, inc))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return path, stages, inc


def _text(path, *pages: str) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(["pdftotext", *pages, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_first_page_summarises_in_chinese_with_the_figures(report):
    path, stages, inc = report
    first = _text(path, "-f", "1", "-l", "1")
    for words in ("事件报告", "摘要", "等级", "工作组组建", "协议约定金额", "补偿", "北京时间", "各阶段人数"):
        assert words in first, words
    assert str(stages["registered"]) in first and stages["registered"] == 86
    assert inc.ref in first and "None" not in first and "compensation" not in first
    rest = _text(path, "-f", "2")
    assert "时间线" in rest and inc.head_hash in rest.replace("\n", "").replace(" ", "")


def test_the_charts_are_drawn_on_the_first_page(report, tmp_path):
    path, _stages, _inc = report
    from PIL import Image
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-png", str(path), str(tmp_path / "p")], check=True)
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    blue = sum(1 for px in page.getdata() if px[2] > 150 and px[0] < 90)  # the funnel's bars
    assert blue > 200, blue


# -- issue 14: what the callbacks and the ledger add to the first page and the funnel
def test_money_paid_callbacks_and_the_paid_stage(report):
    path, stages, inc = report
    first = _text(path, "-f", "1", "-l", "1").replace(" ", "")
    assert "已付金额" in first and "补偿：已付¥60.00/约定¥120.00·尚欠¥60.00" in first  # two claimants agreed 60 each, one paid
    assert "尚无答复" in first  # callbacks were scheduled, none answered
    assert list(stages)[-1] == "paid" and stages["paid"] == 1  # the one claimant whose agreed money is paid


def test_the_satisfaction_line_counts_the_answers(session):  # type: ignore[no-untyped-def]
    from exports.reports import followup
    from incident.timeline.render import Say
    from tests.factories import call_everyone_back, make_incident, make_user
    leader = make_user(session, "manager")
    inc = make_incident(session, leader)
    say = Say("zh_CN")
    assert followup.satisfaction_lines(session, inc, say) == []   # no callbacks: no line at all
    call_everyone_back(session, inc, leader.actor)
    ((label, text),) = followup.satisfaction_lines(session, inc, say)
    assert label == "满意度" and text.startswith("满意及以上 100%（1 人答复：满意 1")
    assert followup.paid_lines(session, inc, say) == []           # nothing agreed: no money line
