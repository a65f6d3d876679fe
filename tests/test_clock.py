"""The one display clock: times in the configured zone, one format per context, countdown words."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from incident import clock
from incident.i18n import Translator

T = datetime(2026, 12, 1, 10, 30, 5, tzinfo=timezone.utc)  # 18:30 in Beijing


@pytest.fixture(autouse=True)
def _zone():  # type: ignore[no-untyped-def]
    yield
    clock.configure_zone(clock.DEFAULT_ZONE)


def test_show_uses_the_display_zone_not_utc():
    assert clock.show(T, "time") == "18:30"
    assert clock.show(T) == "2026-12-01 18:30"
    assert clock.show(T.isoformat(), "seconds") == "2026-12-01 18:30:05"
    assert clock.show(T + timedelta(hours=6), "date") == "2026-12-02"  # past midnight in Beijing
    clock.configure_zone("Europe/Berlin")
    assert clock.show(T, "time") == "11:30"
    assert clock.show(None) == ""
    with pytest.raises(ValueError):
        clock.show(datetime(2026, 12, 1, 10, 30))  # naive: refuse rather than guess


def test_unknown_zone_is_refused():
    with pytest.raises(ValueError):
        clock.configure_zone("Mars/Olympus")


def test_zone_label_in_both_languages():
    assert clock.zone_label(Translator("zh_CN")) == "北京时间"
    assert clock.zone_label(Translator("en")) == "Beijing time"
    clock.configure_zone("Asia/Kolkata")
    assert clock.zone_label(Translator("en")) == "GMT+05:30"


@pytest.mark.parametrize("seconds,zh,en", [
    (9 * 60 + 59, "还剩 9分钟 59秒", "9 min 59 s left"),
    (2 * 3600 + 5 * 60, "还剩 2小时 5分钟", "2 h 5 min left"),
    (3 * 86400, "还剩 3天", "3 d left"),
    (-5 * 60, "已超时 5分钟 0秒", "overdue by 5 min 0 s"),
])
def test_countdown_words(seconds, zh, en):
    due = T + timedelta(seconds=seconds)
    assert clock.countdown(due, Translator("zh_CN"), at=T) == zh
    assert clock.countdown(due, Translator("en"), at=T) == en
