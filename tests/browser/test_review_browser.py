"""The review of a period on a phone (390 px): filters, both charts drawn, nothing wider than the screen,
in both languages; demo cases are said to be demo data."""
from __future__ import annotations

import pytest

from incident.db import begin_write
from incident.review import history, period

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cases(live_sessions):  # type: ignore[no-untyped-def]
    """A small demo history ending last month (the review's default period)."""
    with live_sessions() as s:
        begin_write(s)
        added = history.generate(s, count=60, days=60, seed=21, end=period.last_month().end)
        s.commit()
    return added


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_review_on_a_phone(new_page, live_server, cases, locale):  # type: ignore[no-untyped-def]
    page = new_page("leader", phone=True, locale=locale)
    code = "en" if locale.startswith("en") else "zh_CN"
    page.goto(f"{live_server.url}/lang/{code}?next=/")
    page.locator("#nav-review").click()
    page.wait_for_selector("#review-summary")
    for img in page.locator("img.chart").all():  # the CSP forbids wait_for_function's eval: poll instead
        for _ in range(50):
            if img.evaluate("i => i.complete && i.naturalWidth > 0"):
                break
            page.wait_for_timeout(200)
        assert img.evaluate("i => i.naturalWidth") > 0
    assert page.locator("img.chart").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    demo = page.locator("#review-demo").inner_text()
    assert ("演示数据" in demo) and (("demo cases" in demo) == (code == "en"))
    heading = page.locator("h1").inner_text()
    assert heading == ("Review of a period" if code == "en" else "期间回顾")
    first_group = page.locator("#review-pareto-table tbody tr td").first.inner_text()
    page.select_option("select[name=problem_type]", label=first_group)
    page.locator("#review-filters button[type=submit]").click()
    page.wait_for_url(lambda url: "problem_type=" in url)
    assert page.locator("#review-pareto-table tbody tr").count() == 1
    assert page.locator("#review-pdf").get_attribute("href").startswith("/api/v1/review.pdf?")
