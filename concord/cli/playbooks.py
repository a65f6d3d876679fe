"""`concord playbook check|list` and `concord scheduler` (the one process that fires deadlines)."""
from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

import click

import playbooks  # noqa: F401  -- registers the open-incident hook for `concord demo` and other commands
from concord.cli.context import settings


@click.group("playbook")
def playbook_group() -> None:
    """Playbook files: validate them, list the built-ins."""


@playbook_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def check_cmd(files: tuple[Path, ...]) -> None:
    """Validate playbook files; every error names its file, step and field (exit 1 on any)."""
    from playbooks.loader import load_file
    from playbooks.spec import PlaybookInvalid
    bad = 0
    for path in files:
        try:
            pb = load_file(path)
            click.echo(f"{path}: ok ({pb.key}, {len(pb.steps)} steps)")
        except PlaybookInvalid as err:
            bad += len(err.issues)
            for issue in err.issues:
                click.echo(str(issue), err=True)
    if bad:
        raise click.ClickException(f"{bad} error(s)")


@playbook_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """The playbooks available to this instance (built-ins plus instance/playbooks/*.yaml)."""
    from playbooks import config, loader
    config.configure(settings(ctx))
    for key, pb in sorted(loader.registry().items()):
        click.echo(f"{key}\t{len(pb.steps)} steps\t{pb.title.get('zh_CN')} / {pb.title.get('en')}")


@click.command("scheduler")
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Seconds between database polls (new deadlines from other processes).")
@click.option("--lease-ttl", default=10.0, show_default=True, type=click.FloatRange(1, 600),
              help="Seconds a scheduler's lease lasts; a standby takes over after it expires.")
@click.pass_context
def scheduler_cmd(ctx: click.Context, poll: float, lease_ttl: float) -> None:
    """Run the scheduler: reminders, overdue actions, webhook and e-mail delivery (until SIGTERM)."""
    from incident.db import make_engine, make_session_factory
    from playbooks import config
    from playbooks.scheduler.runner import Runner
    from realtime import publisher
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per wake-up is noise
    s = settings(ctx)
    config.configure(s)
    engine = make_engine(s.database_url)  # `concord init`/`serve` migrate; this process only reads and fires
    pub = publisher.install(s)
    from exports.audit.checkpoints import scheduled_job  # -- audit (issue 17): signed chain-head checkpoints
    factory = make_session_factory(engine)
    runner = Runner(factory, poll=poll, lease_ttl=lease_ttl, extra_jobs=[scheduled_job(factory, s)])
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    runner.start()
    click.echo(f"scheduler {runner.holder} running (poll {poll}s, lease {lease_ttl}s)", err=True)
    stop.wait()
    runner.stop()
    if pub:
        pub.close()


def register(group: click.Group) -> None:
    group.add_command(playbook_group)
    group.add_command(scheduler_cmd)
