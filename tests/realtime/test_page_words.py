"""Every page of the demo, as leader, legal and admin, in both locales: no "UTC", no "None", no raw
keys, no English left on a Chinese screen, and every <time> shown in the display zone."""
from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from concord.cli import main
from incident import clock
from incident.settings import load_settings

PAGES = ["/", "/incidents/new", "/incidents/1", "/inbox", "/verify", "/agreements/1", "/agreements/2",
         "/agreements/3", "/agreement-templates", "/admin/lexicon", "/incidents/1/taskgroup/section",
         "/incidents/1/sections/demands", "/incidents/1/sections/samples", "/incidents/1/sections/deadlines",
         # -- board (issue 12): the strip, the sections' own routes, the queue with its filters
         "/incidents/1/board/strip", "/incidents/1/board/overview", "/incidents/1/board/intake",
         "/incidents/1/board/timeline", "/incidents/1/board/agreements", "/?mine=1&grade=A&status=open&q=%F0%A0%AE%B7",
         # -- every later section as well (issues 13–15), and the review
         *(f"/incidents/1/board/{name}" for name in ("deadlines", "taskgroup", "crowd", "samples", "demands",
                                                     "replies", "callbacks", "ledger", "closing", "public", "opinion")),
         "/review"]
USERS = [("leader", "concord-demo"), ("legal", "concord-demo"), ("admin", "admin-pass-1")]
RAW_KEY = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")
# English that belongs on a Chinese page: the language switch, file formats, a statistician's name.
ALLOWED = {"English", "PDF", "CSV", "XLSX", "Clopper", "Pearson", "QR", "pdf", "csv", "xlsx"}
# The import hint names the English column headers the importer accepts (they are file headers).
HEADER_HINT = re.compile(r"姓名/name.*?segment \(optional\)|英文表头.*?segment", re.S)


class Visible(HTMLParser):
    """The text a person reads, less what is not ours to translate: scripts, styles, <code>, text
    marked lang="en" (the English read-back, the English template) or translate="no" (user data)."""

    SKIP = {"script", "style", "code", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []
        self.times: list[tuple[str, str]] = []
        self._time: list[str] | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        parent_skip = bool(self.stack and self.stack[-1])
        if tag in ("br", "img", "input", "meta", "link", "hr", "source"):
            return
        self.stack.append(parent_skip or tag in self.SKIP or a.get("lang") == "en" or a.get("translate") == "no")
        if tag == "time" and a.get("datetime") and "data-relative" not in a:
            self._time = [a["datetime"], ""]

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "time" and self._time is not None:
            self.times.append((self._time[0], self._time[1].strip()))
            self._time = None
        if self.stack and tag not in ("br", "img", "input", "meta", "link", "hr", "source"):
            self.stack.pop()

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._time is not None:
            self._time[1] += data
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def read(body: str) -> Visible:
    v = Visible()
    v.feed(body)
    return v


def problems(body: str, locale: str) -> list[str]:
    v = read(body)
    text = HEADER_HINT.sub(" ", " ".join(v.parts))
    out = [w for w in ("UTC", "None") if re.search(rf"\b{w}\b", text)]
    out += [f"raw key {k}" for k in RAW_KEY.findall(text)]
    if locale == "zh_CN":
        out += [f"English {w}" for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED]
    for iso, shown in v.times:
        if not shown:
            continue  # filled by the browser clock
        when = datetime.fromisoformat(iso)
        if shown not in {clock.show(when, kind) for kind in clock.FORMATS}:
            out.append(f"time {shown!r} for {iso} is not in the display zone")
    return out


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):  # type: ignore[no-untyped-def]
    instance = tmp_path_factory.mktemp("words") / "instance"
    runner = CliRunner()
    for args in (["init", "--admin-password", "admin-pass-1"], ["demo"]):
        result = runner.invoke(main, ["--instance", str(instance), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    from realtime.app import create_app
    app = create_app(load_settings(instance), config={"TESTING": True})
    yield app
    app.extensions["concord.bus_unsubscribe"]()  # else later apps' rooms get every event twice


def _client(app, username, password, locale):  # type: ignore[no-untyped-def]
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert c.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code == 302
    c.get(f"/lang/{locale}?next=/")
    return c


def test_the_reader_sees_what_the_issue_saw():
    assert problems("<p>18:30 UTC</p>", "en") == ["UTC"]
    assert problems("<p>in_review → approved</p>", "zh_CN")
    assert problems('<p lang="en">Your demand</p><code>sha256-rank</code>', "zh_CN") == []
    assert problems('<time datetime="2026-12-01T10:30:00+00:00">10:30</time>', "en")
    assert problems('<time datetime="2026-12-01T10:30:00+00:00">18:30</time>', "en") == []
    assert problems('<time data-relative datetime="2026-12-01T10:30:00+00:00">5 min ago</time>', "en") == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("username,password", USERS)
def test_every_page_speaks_the_users_language_in_the_display_zone(demo_app, username, password, locale):
    c = _client(demo_app, username, password, locale)
    found = {}
    for path in PAGES:
        resp = c.get(path)
        assert resp.status_code < 500, path
        issues = problems(resp.get_data(as_text=True), locale)
        if issues:
            found[path] = sorted(set(issues))
    assert found == {}, found
