"""The `concord` command. Subcommands live in modules named after what they handle."""
from __future__ import annotations

import click

from concord.cli import audit, demo, incidents, instance, users


@click.group()
@click.option("--instance", "instance_path", envvar="CONCORD_INSTANCE", type=click.Path(file_okay=False),
              help="Instance folder (config, SQLite database, certificates). Default: ./instance")
@click.pass_context
def main(ctx: click.Context, instance_path: str | None) -> None:
    """Concord: command mass complaints."""
    ctx.ensure_object(dict)
    ctx.obj["instance"] = instance_path


for module in (instance, users, incidents, audit, demo):
    module.register(main)
