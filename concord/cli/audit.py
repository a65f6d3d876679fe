"""`concord audit verify INCIDENT_ID`."""
from __future__ import annotations

import click

from concord.cli.context import session_scope
from incident import service
from incident.timeline import verify_chain


@click.group("audit")
def audit_group() -> None:
    """Check the hash-chained timeline."""


@audit_group.command("verify")
@click.argument("incident_id", type=int)
@click.pass_context
def verify_cmd(ctx: click.Context, incident_id: int) -> None:
    """Recompute an incident's chain; exit 1 and name the first broken event when it does not hold."""
    with session_scope(ctx) as session:
        inc = service.get(session, incident_id)
        report = verify_chain(session, inc.id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash)
    if report.ok:
        click.echo(f"OK: incident {incident_id}, {report.events} events, head {report.head_hash}")
        return
    click.echo(f"BROKEN: incident {incident_id}, event #{report.broken_seq} (id {report.broken_event_id}): "
               f"{report.reason}", err=True)
    ctx.exit(1)


def register(group: click.Group) -> None:
    group.add_command(audit_group)
