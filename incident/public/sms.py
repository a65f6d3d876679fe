"""Short-message texts of the public side. Chinese SMS rules forbid variable links, so a text carries
the one fixed progress address and the code as variables: {address} and {code} (plus {case})."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

TEMPLATES: dict[str, str] = {
    "claimant_code": "【{org}】您的投诉（{case}）进度可在 {address} 查询，查询码 {code}。请勿转发。",
    "incident_code": "【{org}】事件 {case} 的处理进度可在 {address} 查看，查询码 {code}。",
    "update_published": "【{org}】事件 {case} 有新的进展，请访问 {address} 并输入您的查询码查看。",
    "survey": "【{org}】事件 {case} 已进入回访阶段，请访问 {address} 输入查询码填写满意度评价。",
}
VARIABLES = ("org", "case", "address", "code")


def fill(name: str, **values: Any) -> str:
    """One template with its variables filled (missing ones stay as {name})."""
    text = TEMPLATES[name]
    for key in VARIABLES:
        text = text.replace("{" + key + "}", str(values.get(key, "{" + key + "}")))
    return text


PHONE_LIKE = re.compile(r"(?<!\d)1\d{10}(?!\d)|(?<!\d)\d{7,}(?!\d)")
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def preview_warnings(session: Session, incident_id: int, text: str) -> list[str]:
    """What a public update draft seems to reveal: a phone or ID number, a claimant's full name."""
    from incident.crowd.claimants.models import Claimant
    out = []
    if ID_LIKE.search(text):
        out.append("id_number")
    elif PHONE_LIKE.search(text):
        out.append("phone")
    names = session.scalars(select(Claimant.name).where(Claimant.incident_id == incident_id))
    if any(len(n) >= 2 and n in text for n in names):
        out.append("claimant_name")
    return out
