"""Playbook settings taken from the instance Settings once per process (web app or scheduler)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from playbooks.timing import BusinessHours

DEFAULT_HOURS = "mon-fri 09:00-18:00"


@dataclass
class Config:
    reminder: timedelta = timedelta(minutes=5)
    hours: BusinessHours = field(default_factory=lambda: BusinessHours.parse(DEFAULT_HOURS))
    webhook_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "concord@localhost"
    mail_to: list[str] = field(default_factory=list)
    public_url: str = ""
    robot_hosts: list[str] = field(default_factory=lambda: ["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
    # -- opinion watch (issue 14): the admin's rule settings, merged with the playbook's cadence
    opinion: dict[str, Any] = field(default_factory=dict)


_config = Config()


def current() -> Config:
    return _config


def configure(settings: Any) -> Config:
    """Read the playbook-related Settings fields (missing ones keep their defaults)."""
    global _config
    from playbooks import loader
    tz = getattr(settings, "timezone", "Asia/Shanghai") or "Asia/Shanghai"
    mail_to = getattr(settings, "notify_emails", "") or ""
    _config = Config(
        reminder=timedelta(minutes=int(getattr(settings, "reminder_minutes", 5))),
        hours=BusinessHours.parse(getattr(settings, "business_hours", DEFAULT_HOURS) or DEFAULT_HOURS, tz),
        webhook_url=getattr(settings, "webhook_url", None) or None,
        smtp_url=getattr(settings, "smtp_url", None) or None,
        mail_from=getattr(settings, "mail_from", "concord@localhost"),
        mail_to=[a.strip() for a in mail_to.split(",") if a.strip()],
        public_url=getattr(settings, "public_url", "") or "",
        robot_hosts=[h.strip().lower() for h in str(getattr(settings, "robot_hosts", "") or
                                                     "qyapi.weixin.qq.com,oapi.dingtalk.com").split(",") if h.strip()],
        opinion={k: getattr(settings, f"opinion_{k}") for k in ("metric", "growth_30min", "reads_level", "reply_hours")
                 if getattr(settings, f"opinion_{k}", None) is not None},
    )
    instance = getattr(settings, "instance", None)
    loader.configure(instance / "playbooks" if instance else None)
    return _config
