"""`concord incident open` (from JSON or flags) and `concord incident show`."""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from concord.cli.context import acting_user, session_scope
from incident import service
from incident.errors import ValidationError
from incident.intake.schema import parse_intake


@click.group("incident")
def incident_group() -> None:
    """Open and inspect incidents."""


def _contacts(values: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    for i, v in enumerate(values):
        name, sep, phone = v.rpartition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME:PHONE, got {v!r}", param_hint=f"--contact #{i + 1}")
        out.append({"name": name.strip(), "phone": phone.strip()})
    return out


@incident_group.command("open")
@click.option("--json", "json_file", type=click.File("r", encoding="utf-8"),
              help="Intake as a JSON object (a file, or - for standard input); flags override it.")
@click.option("--demand", "core_demand", help="Core demand, in the complainants' words.")
@click.option("--headcount", type=int)
@click.option("--scope", "scope_text", help='Scope, e.g. "building 3-5, 86 households".')
@click.option("--channel", type=click.Choice(["on_site", "phone", "online", "letter"]))
@click.option("--object", "complaint_object", type=click.Choice(["goods", "service", "environment", "other"]))
@click.option("--contact", "contacts", multiple=True, help="NAME:PHONE of a representative (repeatable).")
@click.option("--circumstance", "circumstances", multiple=True,
              type=click.Choice(["elderly", "pregnant", "children", "media"]))
@click.option("--anonymous", is_flag=True, default=None)
@click.option("--safety", "safety_issue", is_flag=True, default=None)
@click.option("--emotion", type=click.Choice(["calm", "anxious", "disappointed", "angry"]))
@click.option("--place")
@click.option("--notes")
@click.option("--as", "as_user", help="Username to act as (default: the first admin).")
@click.pass_context
def open_cmd(ctx: click.Context, json_file: Any, as_user: str | None, contacts: tuple[str, ...],
             circumstances: tuple[str, ...], **flags: Any) -> None:
    """Open an incident from the command line; prints its id, grade and class."""
    data: dict[str, Any] = {}
    if json_file is not None:
        try:
            data = json.load(json_file)
        except json.JSONDecodeError as err:
            raise click.ClickException(f"--json is not valid JSON: {err}") from None
        if not isinstance(data, dict):
            raise click.ClickException("--json must hold a JSON object")
    data.update({k: v for k, v in flags.items() if v is not None})
    if contacts:
        data["contacts"] = _contacts(contacts)
    if circumstances:
        data["circumstances"] = list(circumstances)
    try:
        intake = parse_intake(data)
    except ValidationError as err:
        raise click.ClickException(f"{err.message} (field: {err.field})") from None
    with session_scope(ctx) as session:
        user = acting_user(session, as_user)
        inc = service.open_incident(session, actor=user.actor, intake=intake)
        out = {"id": inc.id, "ref": inc.ref, "grade": inc.grade, "class": inc.triage["class"],
               "response_due_at": inc.response_due_at.isoformat()}
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


@incident_group.command("show")
@click.argument("incident_id", type=int)
@click.option("--as", "as_user")
@click.pass_context
def show_cmd(ctx: click.Context, incident_id: int, as_user: str | None) -> None:
    """Print an incident's record and triage as JSON (phones masked)."""
    from incident.access.permissions import Action
    with session_scope(ctx) as session:
        user = acting_user(session, as_user)
        inc = service.load_for(session, user.actor, incident_id, Action.INCIDENT_VIEW)
        out = {"id": inc.id, "ref": inc.ref, "status": inc.status, "grade": inc.grade,
               "intake": service.intake_summary(inc), "triage": inc.triage}
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


def register(group: click.Group) -> None:
    group.add_command(incident_group)
