"""`concord audit verify INCIDENT_ID [--against FILE.pdf …]` and `concord audit checkpoint`."""
from __future__ import annotations

from pathlib import Path

import click

from concord.cli.context import session_scope, settings
from incident import service
from incident.timeline import verify_chain


@click.group("audit")
def audit_group() -> None:
    """Check the hash-chained timeline, against the anchors kept outside the database."""


@audit_group.command("verify")
@click.argument("incident_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--against", "pdfs", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A sealed agreement or incident report PDF whose printed head must still lie on the chain "
                   "(repeatable).")
@click.pass_context
def verify_cmd(ctx: click.Context, incident_id: int, pdfs: tuple[Path, ...]) -> None:
    """Recompute an incident's chain, then check it against the signed checkpoints and the given PDFs.

    Exit 0 when all hold; 1 when the chain, a checkpoint or a PDF disagrees (each one is named)."""
    from exports.audit import anchors, checkpoints
    from exports.signing.service import trust_roots
    from incident.errors import ValidationError
    s = settings(ctx)
    bad = 0
    with session_scope(ctx) as session:
        inc = service.get(session, incident_id)
        report = verify_chain(session, inc.id, anchor_seq=inc.last_seq, anchor_hash=inc.head_hash,
                              progress=lambda n: click.echo(f"… {n:,} of {inc.last_seq:,} events checked",
                                                            err=True))
        if report.ok:
            click.echo(f"OK: incident {incident_id}, {report.events} events, head {report.head_hash}")
        else:
            bad += 1
            click.echo(f"BROKEN: incident {incident_id}, event #{report.broken_seq} (id {report.broken_event_id}): "
                       f"{report.reason}", err=True)
        cp = checkpoints.verify(session, instance=s.instance, trust=trust_roots(s), incident_id=inc.id)
        if cp.lines == 0:
            click.echo("checkpoints: none written yet (the scheduler writes one every "
                       f"{s.checkpoint_minutes} minutes; `concord audit checkpoint` writes one now)")
        elif cp.ok:
            click.echo(f"checkpoints: OK, {cp.lines} signed checkpoint(s), {cp.checked_heads} head(s) of this "
                       "incident still on the chain")
        else:
            bad += 1
            for problem in cp.problems:
                click.echo(f"CHECKPOINT DISAGREES: {problem}", err=True)
        for pdf in pdfs:
            try:
                check = anchors.check_pdf_anchor(session, pdf.read_bytes())
            except ValidationError as err:
                bad += 1
                click.echo(f"{pdf}: cannot be read ({err.message})", err=True)
                continue
            if check is None:
                bad += 1
                click.echo(f"{pdf}: carries no Concord timeline anchor", err=True)
            elif check.anchor.incident_id != inc.id:
                bad += 1
                click.echo(f"{pdf}: anchors incident {check.anchor.incident_ref} (id {check.anchor.incident_id}), "
                           f"not incident {incident_id}", err=True)
            elif check.on_chain:
                click.echo(f"{pdf}: OK, {check.anchor.kind} {check.anchor.ref}: {check.detail}")
            else:
                bad += 1
                click.echo(f"{pdf}: DISAGREES, {check.anchor.kind} {check.anchor.ref}: {check.detail}", err=True)
    ctx.exit(1 if bad else 0)


@audit_group.command("checkpoint")
@click.pass_context
def checkpoint_cmd(ctx: click.Context) -> None:
    """Append a signed checkpoint of every chain head to instance/checkpoints/heads.jsonl now."""
    from exports.audit import checkpoints
    from exports.signing.service import sealer_for
    s = settings(ctx)
    with session_scope(ctx) as session:
        sealer = sealer_for(s)
        doc = checkpoints.write(session, instance=s.instance, key=sealer.key, certificate=sealer.certificate)
    click.echo(f"checkpoint of {len(doc['heads'])} chain head(s) written to {checkpoints.path_of(s.instance)}")


def register(group: click.Group) -> None:
    group.add_command(audit_group)
