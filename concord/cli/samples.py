"""`concord sample draw|verify-draw`: draw a verification sample, re-check a draw from the timeline."""
from __future__ import annotations

import json

import click

from concord.cli.context import acting_user, session_scope
from incident import service
from incident.access.permissions import Action
from incident.crowd.samples import service as samples
from incident.crowd.samples.verify import verify_draw


@click.group("sample")
def sample_group() -> None:
    """Verification samples of a crowd."""


@sample_group.command("draw")
@click.argument("incident_id", type=int)
@click.option("--claim", required=True, help="The claim to verify, in the crowd's words.")
@click.option("-k", "k", type=int, required=True, help="How many claimants to draw.")
@click.option("--stratified", is_flag=True, help="Proportional allocation by segment.")
@click.option("--as", "as_user", help="Username to act as (default: the first admin).")
@click.pass_context
def draw_cmd(ctx: click.Context, incident_id: int, claim: str, k: int, stratified: bool,
             as_user: str | None) -> None:
    """Draw k claimants at random; prints the draw id, seed, population hash and drawn ids."""
    with session_scope(ctx) as session:
        user = acting_user(session, as_user)
        d = samples.draw(session, actor=user.actor, incident_id=incident_id, claim=claim, k=k,
                         stratified=stratified)
        out = {"draw_id": d.id, "seed": d.seed, "algorithm": d.algorithm, "population_size": d.population_size,
               "population_hash": d.population_hash, "event_seq": d.event_seq,
               "drawn": [m.claimant_id for m in d.members]}
    click.echo(json.dumps(out, ensure_ascii=False))


@sample_group.command("verify-draw")
@click.argument("incident_id", type=int)
@click.argument("draw_id", type=int)
@click.option("--as", "as_user", help="Username to act as (default: the first admin).")
@click.pass_context
def verify_cmd(ctx: click.Context, incident_id: int, draw_id: int, as_user: str | None) -> None:
    """Re-run a draw from its timeline event alone. Exit 0: same sample, same population;
    1: not reproducible or the record was altered; 2: same sample but the population changed."""
    with session_scope(ctx) as session:
        user = acting_user(session, as_user)
        service.load_for(session, user.actor, incident_id, Action.INCIDENT_VIEW)
        check = verify_draw(session, incident_id, draw_id)
    click.echo(json.dumps(check.to_dict(), ensure_ascii=False, indent=2))
    if check.exit_code == 0:
        click.echo(f"OK: draw {draw_id} re-run from timeline event #{check.event_seq} gives the same sample; "
                   "the population is unchanged.", err=True)
    for problem in check.problems:
        click.echo(f"FAIL: {problem}", err=True)
    ctx.exit(check.exit_code)


def register(group: click.Group) -> None:
    group.add_command(sample_group)
