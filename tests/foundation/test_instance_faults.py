"""A read-only or missing instance folder: `concord init` / `serve` exit with one line, no
traceback (issue 17). Read-only is a real read-only tmpfs mount (see mounts.py)."""
from __future__ import annotations

import pytest

from tests.faults.mounts import tmpfs  # noqa: F401  (fixture)
from tests.live import concord, free_port

pytestmark = pytest.mark.slow


def _one_line(r) -> str:  # type: ignore[no-untyped-def]
    err = r.stderr.strip()
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_serve_and_init_on_a_read_only_instance_say_so_in_one_line(tmpfs):  # noqa: F811
    fs = tmpfs("instance", 64 * 1024)
    inst = fs.path / "实例 𠮷"
    concord(inst, "init", "--admin-password", "admin-pass-123")
    err = _one_line(concord(inst, "serve", "--port", str(free_port()), env={"CONCORD_KEEPALIVE": "forever"},
                            check=False))
    assert "CONCORD_KEEPALIVE" in err  # a bad keep-alive is named before start
    fs.remount("ro")
    err = _one_line(concord(inst, "serve", "--port", str(free_port()), "--no-scheduler", check=False))
    assert "cannot be written" in err and "Read-only file system" in err and str(inst) in err
    err = _one_line(concord(fs.path / "new", "init", check=False))
    assert "cannot be written" in err and "Read-only file system" in err


def test_serve_on_a_missing_instance_says_so_in_one_line(tmp_path):
    err = _one_line(concord(tmp_path / "nowhere", "serve", "--port", str(free_port()), check=False))
    assert "concord init" in err
