"""A plausible history of closed cases for the demo (`concord demo`: six months) and the bench
(bench/review: 10,000): incidents with their hash-chained events, archive records frozen as closing
freezes them, contacts (some phones come back), improvement actions. Every reference starts with
演示- and every title with 【演示数据】, so the review and the queue say it is demo data.

Rows are inserted in bulk (a few statements, not one flush per event): the demo must stay fast.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from incident import clock, privacy
from incident.closing.models import ArchiveRecord, ImprovementAction, ProblemType
from incident.closing.taxonomy import seed_defaults
from incident.crowd.claimants.models import Claimant
from incident.models import Incident, IncidentContact
from incident.review.rows import DEMO_PREFIX
from incident.timeline.chain import canonical, event_hash
from incident.timeline.models import GENESIS, Event

MARK = "【演示数据】"
# (group, type, weight, places, what people said)
PROBLEMS = [
    ("停车/收费", "停车费争议", 22, ("锦绣花园", "滨江花园"), "地下车库月租上调，业主集体反对"),
    ("停车/收费", "物业费争议", 9, ("锦绣花园", "滨江花园", "翠湖苑"), "物业费调价未公示"),
    ("电梯", "电梯故障", 14, ("锦绣花园", "翠湖苑"), "电梯频繁停运"),
    ("电梯", "电梯困人", 5, ("锦绣花园",), "电梯困人，救援超时"),
    ("漏水", "屋面漏水", 8, ("翠湖苑", "滨江花园"), "顶楼雨后漏水"),
    ("漏水", "管道漏水", 6, ("锦绣花园", "翠湖苑"), "公共管道漏水淹到住户"),
    ("物业服务", "维修不及时", 9, ("锦绣花园", "滨江花园", "翠湖苑"), "报修一周无人处理"),
    ("物业服务", "保洁", 5, ("滨江花园",), "楼道垃圾多日未清"),
    ("商品质量", "商品质量问题", 8, ("万象汇购物中心",), "专柜化妆品过敏"),
    ("退款", "预付卡退费", 6, ("万象汇购物中心",), "健身房闭店，预付卡无法退费"),
    ("退款", "退款延迟", 4, ("线上旗舰店",), "网店批量订单退款迟迟未到"),
]
SHOPS = ("万象汇B1层 化妆品专柜", "万象汇2层 服装店", "万象汇3层 健身房", "万象汇4层 餐饮区")
GRADES = (("F", 8), ("E", 22), ("D", 30), ("C", 26), ("B", 11), ("A", 3))
LEVELS = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
SYSTEM = "system"  # the system actor: shown as 系统 / System


def _types(session: Session) -> dict[tuple[str, str], int]:
    seed_defaults(session)
    rows = session.execute(select(ProblemType.id, ProblemType.name, ProblemType.parent_id)).all()
    names = {i: n for i, n, _p in rows}
    return {(names[p], n): i for i, n, p in rows if p in names}


def _minutes(rnd: random.Random, typical: float, spread: float = 0.6) -> int:
    return max(1, round(rnd.lognormvariate(0, spread) * typical))


def _chain(incident_id: int, events: list[tuple[str, datetime, dict[str, Any]]]) -> tuple[list[dict[str, Any]], str]:
    rows, prev = [], GENESIS
    for seq, (type_, at, payload) in enumerate(events, start=1):
        body = canonical(incident_id=incident_id, seq=seq, type=type_, actor_id=None, actor_name=SYSTEM,
                         at=at, payload=payload)
        h = event_hash(prev, body)
        rows.append({"incident_id": incident_id, "seq": seq, "type": type_, "actor_id": None,
                     "actor_name": SYSTEM, "at": at, "payload": payload, "prev_hash": prev, "hash": h})
        prev = h
    return rows, prev


def _case(rnd: random.Random, i: int, end: datetime, days: int) -> dict[str, Any] | None:
    group, name, _w, places, said = rnd.choices(PROBLEMS, weights=[p[2] for p in PROBLEMS])[0]
    opened = end - timedelta(days=rnd.uniform(2, days), minutes=rnd.randint(0, 600))
    m = {"first_contact": _minutes(rnd, 9), "formation": _minutes(rnd, 22, 0.5),
         "written_reply": _minutes(rnd, 16 * 60, 0.4), "resolution": _minutes(rnd, 3 * 24 * 60, 0.5)}
    m["formation"] = max(m["formation"], m["first_contact"])
    m["resolution"] = max(m["resolution"], m["written_reply"] + 60)
    m["close"] = m["resolution"] + rnd.randint(24 * 60, 4 * 24 * 60)
    if opened + timedelta(minutes=m["close"]) >= end:
        return None
    place = rnd.choice(places)
    building = f"{rnd.randint(1, 8)}号楼" if "花园" in place or "苑" in place else ""
    segment = (f"{place}{building}" if building else
               rnd.choice(SHOPS) if place == "万象汇购物中心" else f"订单批次{clock.local(opened):%Y%m}")
    heads = rnd.randint(6, 120)
    # harder problems leave more people unhappy; the months get better as improvements land
    progress = 1 - (end - opened).days / days
    unhappy = (0.2 if name in ("停车费争议", "电梯困人", "预付卡退费") else 0.06) * (1.4 - 0.7 * progress)
    answered = rnd.randint(1, 6) if rnd.random() < 0.8 else 0
    dist = dict.fromkeys(LEVELS, 0)
    for _ in range(answered):
        dist[rnd.choices(LEVELS, weights=(35, 50, 100 * unhappy, 60 * unhappy, 20 * unhappy))[0]] += 1
    comp = Decimal(rnd.randint(2, 60) * 100) if rnd.random() < 0.5 else Decimal(0)
    indem = Decimal(rnd.randint(5, 80) * 100) if rnd.random() < 0.1 else Decimal(0)
    return {"i": i, "group": group, "type": name, "said": said, "opened": opened, "m": m, "place": place,
            "building": building, "segment": segment, "headcount": heads, "grade": rnd.choices([g for g, _ in GRADES],
                                                                           weights=[w for _, w in GRADES])[0],
            "dist": dist, "answered": answered, "comp": comp, "indem": indem,
            "phone": f"139{rnd.randint(0, 39):04d}{rnd.randint(1000, 1003):04d}" if rnd.random() < 0.6 else None,
            "improve": rnd.random() < 0.2, "improve_done": rnd.random() < 0.55}


def generate(session: Session, *, count: int, days: int = 183, seed: int = 14, end: datetime | None = None) -> int:
    """Insert up to *count* closed demo cases over the *days* before *end*; how many were added."""
    rnd = random.Random(seed)
    end = end or clock.now()
    types = _types(session)
    cp = privacy.cipher()
    specs = [s for s in (_case(rnd, i, end, days) for i in range(count)) if s]
    specs.sort(key=lambda s: s["opened"])
    incidents = []
    for s in specs:
        opened, m = s["opened"], s["m"]
        at = lambda k: opened + timedelta(minutes=m[k])  # noqa: E731
        inc = Incident(
            ref=f"{DEMO_PREFIX}{clock.local(opened):%Y%m%d}-{s['i']:05d}",
            title=f"{MARK}{s['place']}{s['building']}：{s['said']}", status="closed", opened_at=opened,
            closed_at=at("close"), core_demand=s["said"], headcount=s["headcount"],
            scope_text=f"{s['place']}{s['building']}，{s['headcount']}户", channel="on_site", circumstances=[],
            complaint_object="service", place=s["place"], grade=s["grade"], grade_floor="F", scope="group",
            triage={"grade": s["grade"], "demo": True}, first_contact_due_at=opened + timedelta(minutes=15),
            response_due_at=opened + timedelta(hours=24), formation_due_at=opened + timedelta(minutes=30),
            formed_at=at("formation"), version=1)
        incidents.append(inc)
    session.add_all(incidents)
    session.flush()
    events, records, contacts, actions, claimants = [], [], [], [], []
    for s, inc in zip(specs, incidents):
        opened, m = s["opened"], s["m"]
        at = lambda k: opened + timedelta(minutes=m[k])  # noqa: E731
        path = f"{s['group']} › {s['type']}"
        handling = {"start": opened.isoformat(), "moments": {
            k: {"at": at(k).isoformat(), "minutes": v} for k, v in m.items()}}
        sat = None
        if s["answered"]:
            happy = s["dist"]["very_satisfied"] + s["dist"]["satisfied"]
            sat = {"answered": s["answered"], "distribution": s["dist"],
                   "satisfied_share": f"{happy / s['answered']:.2f}"}
        paid = {"compensation": f"{s['comp']:.2f}", "indemnity": f"{s['indem']:.2f}", "other": "0.00"}
        evs = [("incident.opened", opened, {"ref": inc.ref, "demo": True, "triage": {"grade": s["grade"]},
                                            "intake": {"headcount": s["headcount"], "channel": "on_site"}}),
               ("taskgroup.formed", at("formation"), {"demo": True, "minutes_from_opening": m["formation"],
                                                      "late": m["formation"] > 30})]
        for step, title, late in (("first_contact", {"zh_CN": "首次联系投诉人（10–15分钟内）",
                                                     "en": "First contact with the complainants (10–15 min)"}, 15),
                                  ("written_reply", {"zh_CN": "24小时内书面答复群体",
                                                     "en": "Written reply to the group within 24 hours"}, 24 * 60)):
            if m[step] > late:
                evs.append(("playbook.step_overdue", opened + timedelta(minutes=late),
                            {"playbook": "property_mass", "step": step, "title": title, "round": 1,
                             "due_at": (opened + timedelta(minutes=late)).isoformat(), "demo": True}))
        evs += [("reply.issued", at("written_reply"), {"demo": True, "late": m["written_reply"] > 24 * 60,
                                                       "due_at": (opened + timedelta(hours=24)).isoformat()}),
                ("status.changed", at("resolution"), {"from": "command", "to": "resolved"}),
                ("archive.recorded", at("close"), {"round": 1, "problem_type": path, "root_cause": "",
                                                   "handling": handling, "satisfaction": sat, "paid": paid}),
                ("status.changed", at("close"), {"from": "resolved", "to": "closed"})]
        evs.sort(key=lambda e: e[1])
        rows, head = _chain(inc.id, evs)
        events += rows
        inc.last_seq, inc.head_hash = len(rows), head
        records.append({"incident_id": inc.id, "round": 1, "problem_type_id": types.get((s["group"], s["type"])),
                        "root_cause": "", "updated_at": at("close"), "closed_at": at("close"),
                        "snapshot": {"handling": handling, "satisfaction": sat, "paid": paid, "problem_type": path,
                                     "demo": True}})
        phone = {"phone_cipher": cp.encrypt(s["phone"]), "phone_index": cp.index(s["phone"]),
                 "phone_masked": privacy.mask_phone(s["phone"])} if s["phone"] else {}
        if phone:
            contacts.append({"incident_id": inc.id, "name": "投诉人代表（演示）", "note": ""} | phone)
        claimants.append({"incident_id": inc.id, "name": "投诉人代表（演示）", "unit": "", "unit_key": "",
                          "segment": s["segment"], "status": "settled", "joined_at": opened, "version": 1,
                          "attributes": {}, "phone_cipher": "", "phone_index": "", "phone_masked": ""} | phone)
        if s["improve"]:
            due = at("close") + timedelta(days=21)
            done = s["improve_done"] and due < end
            actions.append({"incident_id": inc.id, "round": 1, "title": f"{s['type']}：排查同类隐患并制定预防措施",
                            "owner": "物业服务中心", "due_at": due, "status": "done" if done else "open",
                            "done_at": due - timedelta(days=2) if done else None, "note": ""})
    for table, rows in ((Event, events), (ArchiveRecord, records), (IncidentContact, contacts),
                        (ImprovementAction, actions), (Claimant, claimants)):
        if rows:
            session.execute(insert(table), rows)
    session.flush()
    return len(incidents)


def load_demo_history(session: Session) -> int:
    """`concord demo`: six months of closed demo cases (about 150), once; how many were added."""
    if session.scalar(select(Incident.id).where(Incident.ref.like(f"{DEMO_PREFIX}%")).limit(1)) is not None:
        return 0
    return generate(session, count=160)
