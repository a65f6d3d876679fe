"""`concord user add | list | set | disable | enable | reset-password`."""
from __future__ import annotations

import click

from concord.cli.context import acting_user, session_scope, settings
from incident.accounts import admin, levels
from incident.accounts import service as accounts
from incident.accounts.models import User


@click.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "manager", "staff"]), default="staff", show_default=True)
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True)
@click.option("--legal/--no-legal", default=False, show_default=True,
              help="Legal staff: may hold the legal seat, edit templates and ceilings, approve and seal.")
@click.option("--level", "manager_level", type=click.Choice(levels.LEVELS),
              help="A manager's level on the grade ladder (asked to lead second rounds of that grade).")
@click.option("--must-change-password", is_flag=True, help="The user must choose a new password at first login.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="CONCORD_USER_PASSWORD")
@click.pass_context
def add_cmd(ctx: click.Context, username: str, role: str, display_name: str | None, locale: str,
            legal: bool, manager_level: str | None, must_change_password: bool, password: str) -> None:
    """Add a user with an argon2-hashed password (at least 10 characters, not a common one)."""
    with session_scope(ctx) as session:
        level = _level(manager_level, role)
        user = accounts.create_user(session, username=username, password=password,
                                    display_name=display_name, role=role, locale=locale, is_legal=legal,
                                    must_change_password=must_change_password)
        user.manager_level = level
        extra = (", legal staff" if legal else "") + (f", level {level}" if level else "")
        click.echo(f"user {user.username} ({user.role}{extra}) created with id {user.id}")


def _level(value: str | None, role: str) -> str | None:
    from incident.errors import ValidationError
    try:
        return levels.check(value, role)
    except ValidationError as err:
        raise click.UsageError(err.message) from None


def _target(session, username: str) -> User:  # type: ignore[no-untyped-def]
    from sqlalchemy import select
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


def _end_sockets(ctx: click.Context, ended: list[str], reason: str) -> None:
    from realtime.sessions.control import publish_outside
    from realtime.sockets import channel
    s = settings(ctx)
    told = publish_outside(s.redis_url, channel(), ended, reason)
    if ended:
        click.echo(f"{len(ended)} session(s) ended" + ("; their sockets are disconnected now" if told else
                                                        "; open sockets are disconnected within 15 s"))


@user_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """Every account: username, role, legal staff, two-factor, enabled."""
    with session_scope(ctx) as session:
        for u in admin.users(session, actor=acting_user(session, None).actor):
            flags = [str(u.role)] + ([u.manager_level] if u.manager_level else []) + \
                (["legal"] if u.is_legal else []) + (["totp"] if u.has_totp else []) + \
                ([] if u.active else ["disabled"]) + (["must-change-password"] if u.must_change_password else [])
            click.echo(f"{u.id}\t{u.username}\t{u.display_name}\t{','.join(flags)}")


@user_group.command("set")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "manager", "staff"]))
@click.option("--legal/--no-legal", default=None, help="Grant or remove the legal qualification.")
@click.option("--level", "manager_level", type=click.Choice([*levels.LEVELS, "none"]),
              help="A manager's level on the grade ladder (none: no level).")
@click.option("--name", "display_name")
@click.option("--as", "as_user", help="Acting admin (default: the first admin).")
@click.pass_context
def set_cmd(ctx: click.Context, username: str, role: str | None, legal: bool | None, manager_level: str | None,
            display_name: str | None, as_user: str | None) -> None:
    """Change a user's role, manager level, legal qualification or name."""
    data = {k: v for k, v in (("role", role), ("is_legal", legal), ("display_name", display_name),
                              ("manager_level", "" if manager_level == "none" else manager_level)) if v is not None}
    if not data:
        raise click.UsageError("nothing to change: give --role, --level, --legal/--no-legal or --name")
    with session_scope(ctx) as session:
        out = admin.update(session, actor=acting_user(session, as_user).actor,
                           user_id=_target(session, username).id, data=data)
        level = f", level {out.user.manager_level}" if out.user.manager_level else ""
        click.echo(f"user {out.user.username}: role {out.user.role}{level}, "
                   f"legal staff: {'yes' if out.user.is_legal else 'no'}")


def _simple(name: str, fn, reason: str, help_text: str) -> None:  # type: ignore[no-untyped-def]
    @user_group.command(name, help=help_text)
    @click.argument("username")
    @click.option("--as", "as_user", help="Acting admin (default: the first admin).")
    @click.pass_context
    def cmd(ctx: click.Context, username: str, as_user: str | None) -> None:
        with session_scope(ctx) as session:
            out = fn(session, actor=acting_user(session, as_user).actor, user_id=_target(session, username).id)
            ended = out.ended
            click.echo(f"user {out.user.username}: {'enabled' if out.user.active else 'disabled'}")
            if out.temporary_password:
                click.echo(f"temporary password (must be changed at the next login): {out.temporary_password}")
        _end_sockets(ctx, ended, reason)


_simple("disable", admin.disable, "disabled", "Disable a user and end all their sessions.")
_simple("enable", admin.enable, "", "Enable a disabled user again.")
_simple("reset-password", admin.reset_password, "password_reset",
        "Give a user a temporary password (changed at the next login); ends their sessions.")
_simple("reset-totp", admin.reset_totp, "totp_reset", "Turn off a user's two-factor authentication (lost phone).")


def register(group: click.Group) -> None:
    group.add_command(user_group)
