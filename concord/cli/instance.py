"""`concord init` and `concord serve`."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from sqlalchemy import select

from concord import migrate
from concord.cli.context import check_writable, instance_faults, session_scope, settings
from incident.accounts import service as accounts
from incident.accounts.models import User
from incident.db import make_engine
from incident.settings import default_instance, init_instance
from incident.triage.store import seed_defaults


def _migrate(ctx: click.Context) -> None:
    s = settings(ctx)
    engine = make_engine(s.database_url)
    ctx.obj["engine"] = engine
    migrate.upgrade(engine)


@click.command("init")
@click.option("--admin", "admin_name", default="admin", show_default=True, help="First admin's username.")
@click.option("--admin-password", envvar="CONCORD_ADMIN_PASSWORD",
              help="First admin's password (default: generated and printed once).")
@click.pass_context
def init_cmd(ctx: click.Context, admin_name: str, admin_password: str | None) -> None:
    """Create the instance folder, keys, database schema, lexicon, certificate and first admin."""
    path = ctx.obj.get("instance")
    folder = (Path(path) if path else default_instance()).resolve()
    with instance_faults(folder):  # -- resource faults (issue 17): one line, no traceback
        cfg = init_instance(folder)
        click.echo(f"instance config: {cfg}")
        _migrate(ctx)
    click.echo("database schema: up to date")
    for hook in INIT_HOOKS:
        hook(ctx)
    with session_scope(ctx) as session:
        added = seed_defaults(session)
        if added:
            click.echo(f"risk lexicon: {added} default terms")
        if session.scalar(select(User).where(User.role == "admin")) is None:
            password = admin_password or secrets.token_urlsafe(12)
            accounts.create_user(session, username=admin_name, password=password,
                                 display_name="管理员", role="admin")
            click.echo(f"admin user: {admin_name}" + ("" if admin_password else f"  password: {password}"))


# Later features (e.g. the organisation signing certificate) add steps to `concord init` here.
INIT_HOOKS: list = []


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=100, show_default=True, type=click.IntRange(1, 1000))
@click.option("--scheduler/--no-scheduler", default=True, show_default=True,
              help="Run the playbook scheduler in this process (a database lease keeps one firing).")
@click.pass_context
def serve_cmd(ctx: click.Context, host: str, port: int, threads: int, scheduler: bool) -> None:
    """Apply migrations and serve HTTP and Socket.IO (one gunicorn worker, many threads)."""
    s = settings(ctx)
    check_writable(s.instance)  # -- resource faults (issue 17): a read-only instance is one line
    check_writable(s.instance / "attachments")
    with instance_faults(s.instance):
        _migrate(ctx)
    from realtime.server import keepalive
    try:
        keepalive()
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    if not s.public_url:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["CONCORD_PUBLIC_URL"] = f"http://{shown}:{port}"
    from realtime.security.socket_limits import SocketLimits
    try:
        SocketLimits()  # -- socket limits (issue 10): a bad CONCORD_SOCKET_USER_* is named before start
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    from realtime.server import run
    run(host=host, port=port, threads=threads, instance=str(s.instance), scheduler=scheduler)


def register(group: click.Group) -> None:
    group.add_command(init_cmd)
    group.add_command(serve_cmd)
