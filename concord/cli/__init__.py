"""The `concord` command. Subcommands live in modules named after what they handle."""
from __future__ import annotations

import os

import click

from concord.cli import audit, demo, incidents, instance, users

MODULES = [instance, users, incidents, audit, demo]
# Features append their CLI module below their marker (module must define register(group)).
# -- crowd (issue 4)
# -- demands and samples (issue 4)
from concord.cli import samples as _samples  # noqa: E402
MODULES.append(_samples)
# -- playbooks (issue 5)
from concord.cli import playbooks as _playbooks_cli  # noqa: E402

MODULES.append(_playbooks_cli)
# -- agreements (issue 6)
from concord.cli import agreements as _agreements_cli  # noqa: E402
MODULES.append(_agreements_cli)
# -- files and rows commit together (issue 17): `concord doctor`
from concord.cli import doctor as _doctor_cli  # noqa: E402
MODULES.append(_doctor_cli)


@click.group()
@click.option("--instance", "instance_path", envvar="CONCORD_INSTANCE", type=click.Path(file_okay=False),
              help="Instance folder (config, SQLite database, certificates). Default: ./instance")
@click.pass_context
def main(ctx: click.Context, instance_path: str | None) -> None:
    """Concord: command mass complaints."""
    ctx.ensure_object(dict)
    ctx.obj["instance"] = instance_path
    # -- one writer at a time (issue 17): the test suite's write guard in its server processes too
    if os.environ.get("CONCORD_WRITE_GUARD") == "1":
        from incident.db import install_write_guard
        install_write_guard()


for module in MODULES:
    module.register(main)
