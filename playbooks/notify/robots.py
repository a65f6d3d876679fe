"""WeChat Work (企业微信) and DingTalk (钉钉) group robots: their documented message JSON, DingTalk's signed URL.

WeChat Work group robot: POST JSON to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
  {"msgtype": "markdown", "markdown": {"content": …}}  (content at most 4096 bytes, UTF-8)
DingTalk custom robot: POST JSON to https://oapi.dingtalk.com/robot/send?access_token=…
  {"msgtype": "markdown", "markdown": {"title": …, "text": …}}; with "加签" the URL also carries
  &timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(key=secret, msg="<ms>\\n<secret>")))>, and the
  timestamp must be within an hour of DingTalk's clock — so it is signed when sent, not when queued.
Both answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode (a bad signature, the
20-messages-a-minute limit) is a failure and is retried by the outbox.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote_plus

import requests

PLATFORMS = ("wecom", "dingtalk")
TIMEOUT = 10
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_CHARS = 5000
# Markdown that user text (an incident title like "<script>" or "[x](javascript:…)") could smuggle in.
_MD = str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］", "`": "｀", "*": "＊", "#": "＃", "_": "＿"})


def md_safe(text: Any) -> str:
    """User text as inert markdown: the characters that format or link are swapped for full-width ones."""
    return str(text if text is not None else "").replace("\r", " ").replace("\n", " ").translate(_MD)


def _cut_bytes(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit - 3].decode("utf-8", errors="ignore") + "…"


def body(platform: str, title: str, lines: list[str], url: str) -> dict[str, Any]:
    """The platform's documented markdown message: a heading, quoted lines, a link to the exact item."""
    link = f"[{md_safe(title)}]({url})" if url else md_safe(title)
    if platform == "wecom":
        content = "\n".join([f"### {md_safe(title)}", *(f"> {md_safe(x)}" for x in lines), link])
        return {"msgtype": "markdown", "markdown": {"content": _cut_bytes(content, WECOM_MAX_BYTES)}}
    if platform == "dingtalk":
        text = "\n\n".join([f"### {md_safe(title)}", *(f"> {md_safe(x)}" for x in lines), link])
        return {"msgtype": "markdown", "markdown": {"title": md_safe(title)[:64], "text": text[:DINGTALK_MAX_CHARS]}}
    raise ValueError(f"unknown platform {platform}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The robot URL with &timestamp=…&sign=… appended (unchanged without a secret)."""
    if not secret:
        return url
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(secret, ts)}"


def send(platform: str, url: str, secret: str, payload: dict[str, Any]) -> None:
    """POST the message; a non-2xx answer or an errcode other than 0 raises (the outbox retries)."""
    target = signed_url(url, secret) if platform == "dingtalk" else url
    resp = requests.post(target, json=payload, timeout=TIMEOUT, headers={"User-Agent": "concord-robot/1"})
    if not 200 <= resp.status_code < 300:
        raise RuntimeError(f"{platform} robot answered HTTP {resp.status_code}")
    try:
        answer = resp.json()
    except ValueError:
        raise RuntimeError(f"{platform} robot answered no JSON") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        msg = str(answer.get("errmsg", ""))[:200] if isinstance(answer, dict) else ""
        raise RuntimeError(f"{platform} robot refused the message: errcode {code} {msg}")
