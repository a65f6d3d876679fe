"""`concord demo`: realistic demo users and a live mass-complaint incident."""
from __future__ import annotations

import click
from sqlalchemy import select

from concord.cli.context import session_scope
from incident import service
from incident.accounts import service as accounts
from incident.accounts.models import User
from incident.intake.schema import parse_intake
from incident.models import Incident

DEMO_PASSWORD = "concord-demo"
DEMO_USERS = [
    ("leader", "王建国（组长）", "manager"),
    ("service", "李敏（客服）", "staff"),
    ("engineer", "张强（工程部）", "staff"),
    ("legal", "陈律（法务）", "staff"),
    ("logistics", "赵磊（后勤）", "staff"),
    ("gm", "孙立（总经理）", "manager"),
]
# -- callbacks (issue 13): the managers' rungs on the grade ladder (who leads a second round)
DEMO_LEVELS = {"leader": "department_manager", "gm": "general_manager"}
DEMO_INTAKE = {
    "title": "3-5号楼电梯频繁故障，86户业主集体投诉",
    "core_demand": "3号楼到5号楼的电梯这个月坏了六次，有老人被困过，要求三天内彻底修好，并减免当月电梯费",
    "headcount": 86,
    "scope_text": "锦绣花园3-5号楼，86户",
    "channel": "on_site",
    "complaint_object": "service",
    "demand_type": "repair",
    "place": "物业服务中心大厅",
    "emotion": "angry",
    "demands_consistent": True,
    "prior_contact": "上周已找过工程部，没有结果",
    "safety_issue": True,
    "circumstances": ["elderly", "children"],
    "contacts": [{"name": "刘先生（3号楼业主代表）", "phone": "13812345678"},
                 {"name": "周女士（5号楼业主代表）", "phone": "13998765432"}],
    "notes": "业主带了横幅，表示今天不解决就打12345并找媒体曝光。",
}


def load_demo(session, *extra_hooks) -> Incident:  # type: ignore[no-untyped-def]
    """Create the demo users and incident once; returns the incident."""
    users = {}
    for username, name, role in DEMO_USERS:
        u = session.scalar(select(User).where(User.username == username))
        users[username] = u or accounts.create_user(session, username=username, password=DEMO_PASSWORD,
                                                    display_name=name, role=role)
    # -- accounts (issue 10): the demo `legal` user, and nobody else, is legal staff
    users["legal"].is_legal = True
    for username, level in DEMO_LEVELS.items():
        users[username].manager_level = users[username].manager_level or level
    session.flush()
    inc = session.scalar(select(Incident).where(Incident.title == DEMO_INTAKE["title"]))
    if inc is None:
        inc = service.open_incident(session, actor=users["leader"].actor, intake=parse_intake(DEMO_INTAKE))
        for hook in DEMO_HOOKS:
            hook(session, inc, users)
    return inc


# Later features (task group, crowd, playbooks, agreements) extend the demo incident here.
DEMO_HOOKS: list = []


@click.command("demo")
@click.option("--history/--no-history", default=True,
              help="Also add six months of closed demo cases (演示-…) for the review of a period.")
@click.pass_context
def demo_cmd(ctx: click.Context, history: bool) -> None:
    """Load the demo users and a realistic incident (idempotent)."""
    with session_scope(ctx) as session:
        inc = load_demo(session)
        click.echo(f"demo incident {inc.ref} (id {inc.id}), grade {inc.grade}")
        # -- the review of a period (issue 14): not a DEMO_HOOK, so tests building the demo incident
        # (tests/api_world.py) do not get 150 closed incidents with it
        if history:
            from incident.review.history import load_demo_history
            added = load_demo_history(session)
            if added:
                click.echo(f"demo history: {added} closed cases over six months (演示-…, 演示数据) — see /review")
    click.echo(f"demo login: leader / {DEMO_PASSWORD}  (also service, engineer, legal, logistics, gm)")


def register(group: click.Group) -> None:
    group.add_command(demo_cmd)


# -- task group (issue 3): service, engineer, legal and logistics take their seats (forms the group)
from incident.taskgroup.demo import seat_demo_group  # noqa: E402

DEMO_HOOKS.append(seat_demo_group)

# -- crowd (issue 4): 86 households of 锦绣花园 3/4/5号楼 and three representatives
from incident.crowd.demo import load_demo_crowd  # noqa: E402

DEMO_HOOKS.append(load_demo_crowd)

# -- demands and samples (issue 4): a verification sample and the split demand; must come after the crowd hook
from incident.crowd.demo import load_demo_demands  # noqa: E402

DEMO_HOOKS.append(load_demo_demands)

# -- opinion watch (issue 14): a Douyin video about the lifts with three snapshots (trend, growth, alert)
def _demo_opinion(session, inc, users) -> None:  # type: ignore[no-untyped-def]
    from incident.opinion.demo import load_demo_opinion
    from playbooks.scheduler.opinion import rule
    load_demo_opinion(session, inc, users, rule=rule())


DEMO_HOOKS.append(_demo_opinion)
