"""Shared plumbing for CLI commands: settings, engine, a unit of work, the acting user."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import concord.models  # noqa: F401  (every model and feature hook, e.g. default playbooks on open)
from incident import attachments, clock, privacy
from incident.accounts.models import User
from incident.db import is_lock_error, make_engine, make_session_factory, unit_of_work
from incident.errors import DomainError
from incident.settings import Settings, load_settings


def settings(ctx: click.Context) -> Settings:
    path = ctx.obj.get("instance") if ctx.obj else None
    try:
        s = load_settings(Path(path) if path else None)
    except (FileNotFoundError, ValueError) as err:  # missing instance, bad setting
        raise click.ClickException(str(err)) from None
    privacy.configure(s.field_key)
    with instance_faults(s.instance):
        attachments.configure(s.instance / "attachments")
    try:
        clock.configure_zone(s.timezone)
    except ValueError as err:
        raise click.ClickException(f"{err} (setting timezone / CONCORD_TIMEZONE)") from None
    return s


@contextlib.contextmanager
def session_scope(ctx: click.Context) -> Iterator[Session]:
    """A committed-on-success session; domain errors become a clear message and exit code 1."""
    s = settings(ctx)
    engine = ctx.obj.get("engine") if ctx.obj else None
    if engine is None:
        engine = make_engine(s.database_url)
        ctx.obj["engine"] = engine
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    except DomainError as err:
        field = f" (field: {err.field})" if err.field else ""
        raise click.ClickException(f"{err.message}{field}") from None
    except OperationalError as err:  # one writer at a time (issue 17): say so, no traceback
        if not is_lock_error(err):
            raise
        raise click.ClickException("the database stayed busy with other writers; try again") from None


def acting_user(session: Session, username: str | None) -> User:
    """The user a command acts as: --as USERNAME, else the first admin."""
    if username:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user named {username!r} (option --as)")
        return user
    user = session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    if user is None:
        raise click.ClickException("no admin user: run `concord init` first")
    return user


# -- resource faults (issue 17): a read-only, missing or full instance folder is one line, no traceback
@contextlib.contextmanager
def instance_faults(instance: Path) -> Iterator[None]:
    """Turn a failure to write the instance folder (or its SQLite database) into a one-line message."""
    try:
        yield
    except OSError as err:
        raise click.ClickException(f"the instance folder {instance} cannot be written: "
                                   f"{err.strerror or err} ({getattr(err, 'filename', None) or instance})") from None
    except OperationalError as err:
        if is_lock_error(err):
            raise
        raise click.ClickException(f"the database in {instance} cannot be opened or written: "
                                   f"{str(err.orig).splitlines()[0]}") from None


def check_writable(folder: Path) -> None:
    """Fail with one line unless a file can be created in *folder* (read-only mount, missing, full)."""
    import tempfile
    with instance_faults(folder):
        if not folder.is_dir():
            raise click.ClickException(f"the instance folder {folder} does not exist: run `concord init` first")
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
