"""The two outbound transports: a JSON POST and an SMTP e-mail (smtp://, smtps://, smtp+starttls://)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

TIMEOUT = 10


def post_json(url: str, payload: dict[str, Any]) -> None:
    """POST the payload; anything but a 2xx answer is an error (and is retried)."""
    resp = requests.post(url, json=payload, timeout=TIMEOUT,
                         headers={"User-Agent": "concord-webhook/1", "X-Concord-Event": str(payload.get("event", ""))})
    if not 200 <= resp.status_code < 300:
        raise RuntimeError(f"webhook answered HTTP {resp.status_code}")


def send_mail(smtp_url: str, sender: str, to: str, subject: str, body: str) -> None:
    """Send one plain-text UTF-8 message."""
    u = urlsplit(smtp_url)
    if u.scheme not in ("smtp", "smtps", "smtp+starttls") or not u.hostname:
        raise RuntimeError("smtp_url must look like smtp://host:25, smtps://host:465 or smtp+starttls://host:587")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(body)
    cls = smtplib.SMTP_SSL if u.scheme == "smtps" else smtplib.SMTP
    with cls(u.hostname, u.port or (465 if u.scheme == "smtps" else 25), timeout=TIMEOUT) as smtp:
        if u.scheme == "smtp+starttls":
            smtp.starttls()
        if u.username:
            smtp.login(unquote(u.username), unquote(u.password or ""))
        smtp.send_message(msg)
