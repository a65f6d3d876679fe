"""`concord user add`."""
from __future__ import annotations

import click

from concord.cli.context import session_scope
from incident.accounts import service as accounts


@click.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "manager", "staff"]), default="staff", show_default=True)
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="CONCORD_USER_PASSWORD")
@click.pass_context
def add_cmd(ctx: click.Context, username: str, role: str, display_name: str | None, locale: str,
            password: str) -> None:
    """Add a user with an argon2-hashed password."""
    with session_scope(ctx) as session:
        user = accounts.create_user(session, username=username, password=password,
                                    display_name=display_name, role=role, locale=locale)
        click.echo(f"user {user.username} ({user.role}) created with id {user.id}")


def register(group: click.Group) -> None:
    group.add_command(user_group)
