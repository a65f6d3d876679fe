"""Small real filesystems for fault tests: a size-limited tmpfs (disk full) that can be remounted
read-only. Needs root with mount permission (a container with CAP_SYS_ADMIN); tests skip with the
reason otherwise."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30)


class Tmpfs:
    def __init__(self, path: Path, size_kb: int) -> None:
        self.path, self.size_kb = path, size_kb
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root (id -u is not 0)")
        r = _run("mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(path))
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
        self.mounted = True

    def remount(self, mode: str) -> None:
        r = _run("mount", "-o", f"remount,{mode}", str(self.path))
        assert r.returncode == 0, r.stderr

    def free(self) -> int:
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize

    def unmount(self) -> None:
        if self.mounted:
            _run("umount", "-l", str(self.path))
            self.mounted = False


@pytest.fixture
def tmpfs(tmp_path: Path):  # type: ignore[no-untyped-def]
    """tmpfs(name, size_kb) -> a mounted Tmpfs under tmp_path, unmounted after the test."""
    made: list[Tmpfs] = []

    def _make(name: str = "small", size_kb: int = 512) -> Tmpfs:
        fs = Tmpfs(tmp_path / name, size_kb)
        made.append(fs)
        return fs
    yield _make
    for fs in made:
        fs.unmount()
