"""Instance configuration: a folder with concord.json (keys, organisation), overridable by env."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from incident import privacy

CONFIG_NAME = "concord.json"


@dataclass
class Settings:
    instance: Path
    database_url: str
    secret_key: str
    field_key: str
    redis_url: str | None = None
    public_url: str = ""
    allowed_origins: list[str] = field(default_factory=list)
    timezone: str = "Asia/Shanghai"
    formation_minutes: int = 30
    org_name: str = "Concord Demo Property Management Co., Ltd."
    signing_p12: str | None = None
    signing_password: str | None = None
    tsa_url: str | None = None
    webhook_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "concord@localhost"
    # -- playbooks (issue 5): reminder lead, business hours for "business_hours: true" deadlines,
    # addresses that get overdue/escalation mail (comma-separated).
    reminder_minutes: int = 5
    business_hours: str = "mon-fri 09:00-18:00"
    notify_emails: str = ""
    # -- login throttling (issue 10): how many reverse proxies in front of Concord may be believed
    # about the client address (X-Forwarded-For) and scheme; 0 = none, use the socket's peer.
    trusted_proxies: int = 0
    # -- accounts (issue 10): absolute session lifetime on top of the idle timeout
    session_lifetime_days: float = 7.0
    session_idle_hours: float = 12.0
    # -- audit (issue 17): minutes between signed checkpoints of every chain head (0: off)
    checkpoint_minutes: int = 60
    # -- group robots (issue 12): the hosts a robot's webhook address may point at (comma-separated);
    # anything else is refused, so a robot cannot be aimed at an internal service.
    robot_hosts: str = "qyapi.weixin.qq.com,oapi.dingtalk.com"
    # -- opinion watch (issue 14): the alert rule the admin tunes — growth of the metric in 30
    # minutes above a threshold, or reads above a level; the reply deadline of a negative post
    # (hours; 0 = the public_opinion playbook's reply step, 8 h)
    opinion_metric: str = "reposts"
    opinion_growth_30min: int = 150
    opinion_reads_level: int = 100_000
    opinion_reply_hours: float = 0
    # -- the review of a period (issue 14): satisfaction target (share), the repeat window, and
    # per-moment handling targets in minutes overriding the playbook's ({"resolution": 10080})
    satisfaction_target: float = 0.85
    repeat_window_days: int = 30
    review_targets: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(days=float(self.session_lifetime_days))

    @property
    def session_idle(self) -> timedelta:
        return timedelta(hours=float(self.session_idle_hours))

    def origins(self) -> list[str]:
        """Origins allowed to open a Socket.IO connection (never '*')."""
        if self.allowed_origins:
            return list(self.allowed_origins)
        base = (self.public_url or "http://127.0.0.1:5000").rstrip("/")
        out = [base]
        for a, b in (("//127.0.0.1", "//localhost"), ("//localhost", "//127.0.0.1")):
            if a in base:
                out.append(base.replace(a, b))
        return out


def default_instance() -> Path:
    return Path(os.environ.get("CONCORD_INSTANCE") or Path.cwd() / "instance").resolve()


def init_instance(path: Path | None = None, **values: Any) -> Path:
    """Create the instance folder and a config with fresh secrets; an existing config is kept."""
    path = (path or default_instance()).resolve()
    path.mkdir(parents=True, exist_ok=True)
    cfg = path / CONFIG_NAME
    if not cfg.exists():
        doc = {"secret_key": secrets.token_urlsafe(48), "field_key": privacy.new_key()} | values
        tmp = cfg.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(cfg)
    return cfg


def load_settings(instance: Path | None = None, env: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Read the instance config, then the CONCORD_* environment, then explicit overrides."""
    env = os.environ if env is None else env
    instance = (instance or Path(env.get("CONCORD_INSTANCE") or default_instance())).resolve()
    cfg = instance / CONFIG_NAME
    doc: dict[str, Any] = json.loads(cfg.read_text(encoding="utf-8")) if cfg.exists() else {}
    if "secret_key" not in doc and "secret_key" not in overrides:
        raise FileNotFoundError(f"no {CONFIG_NAME} in {instance}: run `concord init` first")
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{instance / 'concord.db'}",
    } | {k: v for k, v in doc.items() if k in Settings.__dataclass_fields__}
    for key in ("database_url", "redis_url", "public_url", "tsa_url", "webhook_url", "smtp_url",
                "org_name", "signing_p12", "signing_password", "timezone", "mail_from",
                "business_hours", "notify_emails"):
        if env.get(f"CONCORD_{key.upper()}"):
            values[key] = env[f"CONCORD_{key.upper()}"]
    if env.get("CONCORD_ALLOWED_ORIGINS"):
        values["allowed_origins"] = [o.strip() for o in env["CONCORD_ALLOWED_ORIGINS"].split(",")
                                     if o.strip()]
    # -- login throttling (issue 10)
    if env.get("CONCORD_TRUSTED_PROXIES"):
        values["trusted_proxies"] = env["CONCORD_TRUSTED_PROXIES"]
    # -- accounts (issue 10)
    for key in ("session_lifetime_days", "session_idle_hours"):
        if env.get(f"CONCORD_{key.upper()}"):
            try:
                values[key] = float(env[f"CONCORD_{key.upper()}"])
            except ValueError:
                raise ValueError(f"CONCORD_{key.upper()} must be a number") from None
    values.update(overrides)
    values["trusted_proxies"] = proxy_count(values.get("trusted_proxies", 0))
    return Settings(instance=instance, **values)


# -- login throttling (issue 10)
def proxy_count(value: Any) -> int:
    """CONCORD_TRUSTED_PROXIES as a count of proxies (0-5), or a clear error."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > 5:
        raise ValueError(f"CONCORD_TRUSTED_PROXIES must be a whole number from 0 to 5 "
                         f"(the reverse proxies in front of Concord), not {value!r}")
    return int(text)
