"""`concord verify FILE` and `concord agreements …`: check sealed PDFs, make the demo certificate."""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import click

from concord.cli.context import session_scope, settings
from exports.agreements.enums import Verdict
from exports.signing import service as seal
from exports.signing.certificates import write_p12
from incident.settings import CONFIG_NAME

# 1 and 2 stay click's own (error, usage), so a script can tell "could not check" from a verdict.
EXIT = {Verdict.INTACT.value: 0, Verdict.MODIFIED.value: 3, Verdict.UNKNOWN_SIGNER.value: 4,
        Verdict.UNSIGNED.value: 5, Verdict.NOT_PDF.value: 5}
VOIDED = 6
NOT_ON_RECORD = 7  # -- files and rows commit together (issue 17): intact, but not a sealed agreement on record
DEMO_P12 = "org-seal.p12"


@click.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.pass_context
def verify_cmd(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Verify a sealed agreement PDF. Exit 0 intact and trusted, 3 modified after sealing, 4 unknown
    signer, 5 unsigned or not a PDF, 6 intact but the agreement has since been voided, 7 intact but
    not a sealed agreement on record here (no such agreement, not sealed, or another file)."""
    s = settings(ctx)
    with session_scope(ctx) as session:
        report = seal.verify_document(session, file.read_bytes(), seal.trust_roots(s))
    ag = report.get("agreement") or {}
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        outcome = "intact, but not a sealed agreement on record" if report["outcome"] == seal.NOT_ON_RECORD \
            else report["verdict"]
        click.echo(f"{file}: {outcome}" + (f" — {report['detail']}" if report["detail"] else ""))
        if ag:
            click.echo(f"agreement {ag['ref']}: {ag['status']}"
                       + (f" (voided: {ag['void_reason']})" if ag.get("void_reason") else ""))
        for w in report["warnings"]:
            click.echo(f"warning: {w}")
    code = EXIT[report["verdict"]]
    if code == 0 and report["outcome"] == seal.NOT_ON_RECORD:
        code = NOT_ON_RECORD
    elif code == 0 and ag.get("status") == "void":
        code = VOIDED
    ctx.exit(code)


def ensure_demo_certificate(ctx: click.Context) -> None:
    """INIT_HOOK: create a self-signed organisation certificate unless one is configured."""
    s = settings(ctx)
    if s.signing_p12:
        return
    cfg = s.instance / CONFIG_NAME
    doc = json.loads(cfg.read_text(encoding="utf-8"))
    password = secrets.token_urlsafe(24)
    write_p12(s.instance / DEMO_P12, s.org_name, password)
    doc.update({"signing_p12": DEMO_P12, "signing_password": password})
    tmp = cfg.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(cfg)
    click.echo(f"organisation seal: self-signed demo certificate {s.instance / DEMO_P12} "
               "(replace with a CA-issued one for production)")


@click.group("agreements")
def group() -> None:
    """Settlement agreements."""


@group.command("demo-certificate")
@click.option("--force", is_flag=True, help="Replace an existing configured certificate.")
@click.pass_context
def demo_certificate(ctx: click.Context, force: bool) -> None:
    """Create the self-signed organisation certificate (as `concord init` does)."""
    s = settings(ctx)
    if s.signing_p12 and not force:
        raise click.ClickException(f"a certificate is configured already: {s.signing_p12} (use --force)")
    if force:
        cfg = s.instance / CONFIG_NAME
        doc = json.loads(cfg.read_text(encoding="utf-8"))
        doc.pop("signing_p12", None)
        cfg.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    ensure_demo_certificate(ctx)


def register(main: click.Group) -> None:
    main.add_command(verify_cmd)
    main.add_command(group)
    from concord.cli import instance
    if ensure_demo_certificate not in instance.INIT_HOOKS:
        instance.INIT_HOOKS.append(ensure_demo_certificate)
    from concord.cli import demo
    if _demo_hook not in demo.DEMO_HOOKS:
        demo.DEMO_HOOKS.append(_demo_hook)  # after the crowd and demands hooks: uses their claimants
    # -- durable batches (issue 17): default templates at init (the migration seeds them too), and
    # every scheduler tick (embedded in `serve` or `concord scheduler`) interrupts dead batches.
    if seed_templates not in instance.INIT_HOOKS:
        instance.INIT_HOOKS.append(seed_templates)
    from exports.signing import batches
    from playbooks.scheduler import runner
    if batches.sweep not in runner.TICK_HOOKS:
        runner.TICK_HOOKS.append(batches.sweep)


def seed_templates(ctx: click.Context) -> None:
    """INIT_HOOK: version 1 of the default agreement template for every language that has none."""
    from exports.agreements.templates import seed_defaults
    with session_scope(ctx) as session:
        if seed_defaults(session):
            click.echo("agreement templates: defaults added")


def _demo_hook(session, inc, users) -> None:  # type: ignore[no-untyped-def]
    from exports.agreements.demo import load_demo_agreements
    from incident.settings import load_settings
    try:
        org = load_settings().org_name
    except FileNotFoundError:
        org = ""
    load_demo_agreements(session, inc, users, org)
