"""The platforms a watched post lives on, the metrics a snapshot may carry, and their labels."""
from __future__ import annotations

from enum import StrEnum

from incident.labels import LABELS


class Platform(StrEnum):
    WEIBO = "weibo"
    DOUYIN = "douyin"
    XIAOHONGSHU = "xiaohongshu"
    WECHAT = "wechat"
    DIANPING = "dianping"
    OTHER = "other"


# Whichever the platform shows; a snapshot carries at least one of them.
METRICS = ("reads", "reposts", "comments", "likes")

LABELS.setdefault("opinion_platform", {}).update({
    "weibo": "Weibo", "douyin": "Douyin", "xiaohongshu": "Xiaohongshu", "wechat": "WeChat",
    "dianping": "Dianping", "other": "other platform"})
LABELS.setdefault("opinion_metric", {}).update({
    "reads": "reads / views", "reposts": "reposts", "comments": "comment count", "likes": "likes"})
LABELS.setdefault("opinion_alert", {}).update({
    "growth": "fast growth", "reads": "reads above the level"})
LABELS["field"].update({
    "platform": "platform", "url": "web address", "first_seen_at": "first seen", "taken_at": "time of the snapshot",
    "reads": "reads / views", "reposts": "reposts", "likes": "likes", "screenshot": "screenshot",
    "negative": "negative", "source_id": "watched source"})
