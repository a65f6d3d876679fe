"""Issue 13 tried by hand on a 390 px phone: the satisfaction distribution's bars were 5 px wide (a
<progress> in an auto-width table cell), so the distribution could not be read at a glance."""
from __future__ import annotations

import pytest

from tests.browser.test_callbacks_browser import due_callbacks  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_the_satisfaction_bars_are_readable_on_a_phone(new_page, live_server, due_callbacks):  # noqa: F811
    phone = new_page("service", phone=True)
    phone.goto(f"{live_server.url}/incidents/{due_callbacks}")
    phone.wait_for_selector("#callbacks .cb-dist progress")
    widths = phone.evaluate("() => [...document.querySelectorAll('#callbacks .cb-dist progress')]"
                            ".map(p => p.getBoundingClientRect().width)")
    assert widths and min(widths) >= 80, f"bars of {widths} px"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    counts = phone.locator("#callbacks .cb-counts").inner_text()
    assert "应回访" in counts and "未到期" in counts and "期限" not in counts


def test_the_callback_counts_fit_their_boxes_in_english(new_page, live_server, due_callbacks):  # noqa: F811
    """In English "unreachable" ran over the edge of its count box at 390 px."""
    phone = new_page("service", phone=True, locale="en")
    phone.goto(f"{live_server.url}/lang/en?next=/incidents/{due_callbacks}")
    phone.wait_for_selector("#callbacks .cb-count")
    assert "unreachable" in phone.locator("#callbacks .cb-counts").inner_text()
    spill = phone.evaluate("() => [...document.querySelectorAll('#callbacks .cb-count')].filter(li => {"
                           " const box = li.getBoundingClientRect();"
                           " return [...li.children].some(c => c.scrollWidth > c.clientWidth + 1"
                           " || c.getBoundingClientRect().right > box.right + 0.5); }).map(li => li.dataset.state)")
    assert spill == [], f"count labels spill out of their boxes: {spill}"
