"""The default problem-type taxonomy: what migration 0018_ledger_archive seeds (the admin edits it at
/admin/problem-types), and the same rows put back on an emptied database (tests truncate tables)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.closing.models import ProblemType

DEFAULTS = {
    "停车/收费": ["停车费争议", "物业费争议", "乱收费", "收费标准不清"],
    "电梯": ["电梯故障", "电梯困人", "电梯维保"],
    "漏水": ["屋面漏水", "管道漏水", "外墙渗水"],
    "物业服务": ["保洁", "安保", "绿化", "服务态度", "维修不及时"],
    "商品质量": ["商品质量问题", "假冒伪劣", "食品安全", "虚假宣传"],
    "退款": ["退款延迟", "拒绝退款", "预付卡退费"],
    "其他": ["其他"],
}


def seed_defaults(session: Session) -> int:
    """Add the default taxonomy when there is none at all; the number of rows added."""
    if session.scalar(select(func.count(ProblemType.id))):
        return 0
    added = 0
    for g, (group, types) in enumerate(DEFAULTS.items()):
        parent = ProblemType(name=group, position=g, active=True)
        session.add(parent)
        session.flush()
        for t, name in enumerate(types):
            session.add(ProblemType(name=name, parent_id=parent.id, position=t, active=True))
        added += 1 + len(types)
    session.flush()
    return added
