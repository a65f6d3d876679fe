"""The review's page, JSON, PDF and charts: managers only, bad periods a 400 naming the field."""
from __future__ import annotations

import pytest

from incident import clock
from incident.review import history, period
from tests.factories import make_user

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    history.generate(session, count=200, seed=5)
    session.commit()
    return make_user(session, "manager"), make_user(session, "staff", locale="en")


@sqlite_only
def test_review_api_page_pdf_and_charts(world, api_as) -> None:  # type: ignore[no-untyped-def]
    manager, staff = world
    api = api_as(manager)
    month = period.last_month().key()
    r = api.get(f"/api/v1/review?month={month}")
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["period"]["key"] == month and data["total"] == data["demo"] > 0
    assert data["targets"]["minutes"]["written_reply"] == 24 * 60 and data["targets"]["satisfaction"] == 0.85
    first = data["problem_types"][0]
    only = api.get(f"/api/v1/review?month={month}&place={data['places'][0]['name']}").get_json()
    assert only["total"] == data["places"][0]["count"]
    page = api.get(f"/review?month={month}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "期间回顾" in html and "演示数据" in html and first["group"] in html
    assert 'id="nav-review"' in html and "/api/v1/review/charts/pareto.svg?month=" in html
    svg = api.get(f"/api/v1/review/charts/pareto.svg?month={month}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and first["group"] in svg.get_data(as_text=True)
    assert api.get("/api/v1/review/charts/pie.svg").status_code == 404
    pdf = api.get(f"/api/v1/review.pdf?month={month}")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    for q, field in (("month=2026-13", "month"), ("from=2026-11-01", "to"), ("problem_type=abc", "problem_type"),
                     ("problem_type=999999", "problem_type"), ("from=2026-11-05&to=2026-11-01", "to")):
        bad = api.get(f"/api/v1/review?{q}")
        assert bad.status_code == 400 and bad.get_json()["field"] == field, (q, bad.get_json())
    other = api_as(staff)
    assert other.get("/api/v1/review").status_code == 403
    assert other.get("/review").status_code == 403
    assert 'id="nav-review"' not in other.get("/").get_data(as_text=True)


@sqlite_only
def test_review_page_in_english(world, api_as, session) -> None:  # type: ignore[no-untyped-def]
    manager = make_user(session, "manager", locale="en")
    api = api_as(manager)
    api.get("/lang/en")
    html = api.get("/review").get_data(as_text=True)
    assert "Review of a period" in html and "demo cases" in html and "None" not in html
    assert clock.zone_label(lambda s, **k: s) in html


@sqlite_only
def test_references_and_phones_do_not_break_mid_word(world, api_as) -> None:  # type: ignore[no-untyped-def]
    """At 390 px the repeat tables broke 演示-20261117-00126 and 139****1000 in the middle."""
    import re
    manager, _staff = world
    api = api_as(manager)
    month = period.last_month().key()
    data = api.get(f"/api/v1/review?month={month}").get_json()
    html = api.get(f"/review?month={month}").get_data(as_text=True)
    ref = next(g["refs"][-1] for g in data["repeats"]["place_type"] if g["refs"])
    assert f'<span class="nobr">{ref}</span>' in html or f'<span class="nobr">{ref}、</span>' in html
    assert '<span class="nobr">锦绣花园</span>' not in html          # names without digits still wrap
    if data["repeats"]["phones"]:
        masked = data["repeats"]["phones"][0]["masked"].replace("*", r"\*")
        assert re.search(rf'<span class="nobr">{masked}</span>', html)
    css = api.get("/static/review.css").get_data(as_text=True)
    assert ".nobr { white-space:nowrap; }" in css
