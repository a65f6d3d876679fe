"""`concord doctor [--fix] [--json]`: the attachments folder against its rows, and the database.

Exit codes: 0 nothing wrong (or, with --fix, everything found was set right); 3 problems remain
(each one listed). 1 and 2 stay click's own: could not check, bad usage.
"""
from __future__ import annotations

import json

import click
from sqlalchemy import text

from concord.cli.context import settings
from incident.attachments import check
from incident.db import make_engine, make_session_factory

PROBLEMS = 3
WORDS = {"orphan": "orphan", "partial": "partial write", "stray": "stray file", "missing": "MISSING",
         "mismatch": "HASH MISMATCH", "promotable": "not yet in place"}


def _integrity(session) -> str:  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name != "sqlite":
        return "ok"
    rows = [r[0] for r in session.execute(text("PRAGMA integrity_check"))]
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


@click.command("doctor")
@click.option("--fix", is_flag=True, help="Remove orphaned, partial and stray files; move committed "
                                          "files left under a temporary name into place.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def doctor_cmd(ctx: click.Context, fix: bool, as_json: bool) -> None:
    """Check every stored file against its row and recorded hash, and the database's integrity.
    Exit 0 when all is well, 3 when problems remain (listed)."""
    s = settings(ctx)
    engine = make_engine(s.database_url)
    try:
        with make_session_factory(engine)() as session:  # reads only: no write lock while hashing
            result = check.scan(session)
            integrity = _integrity(session)
    finally:
        engine.dispose()
    if fix:
        check.fix(result)
    problems = len(result.problems) + (integrity != "ok")
    if as_json:
        click.echo(json.dumps({"files": result.files, "rows": result.rows, "database": integrity,
                               "findings": [f.to_dict() for f in result.findings], "problems": problems},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(f"attachments: {result.files} file(s), {result.rows} row(s) in {check.folder()}")
        for f in result.findings:
            state = " — removed" if f.fixed and f.kind != "promotable" else " — moved into place" if f.fixed else ""
            click.echo(f"{WORDS[f.kind]}: {f.name}: {f.detail}{state}")
        click.echo(f"database integrity: {integrity}")
        fixable = sum(1 for f in result.problems if f.kind in check.FIXABLE)
        if not problems:
            click.echo("OK: nothing wrong")
        elif fixable and not fix:
            click.echo(f"{problems} problem(s); `concord doctor --fix` sets {fixable} of them right")
        else:
            click.echo(f"{problems} problem(s) remain")
    ctx.exit(PROBLEMS if problems else 0)


def register(group: click.Group) -> None:
    group.add_command(doctor_cmd)
