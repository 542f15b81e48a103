"""`make test` as a user without root and without Chromium: the browser step says the browser tests will be
skipped instead of failing on apt-get."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("setpriv") is None, reason="needs make and setpriv")
@pytest.mark.skipif(os.geteuid() != 0, reason="drops to the nobody user, which needs root")
def test_browser_step_skips_cleanly_for_a_user_without_root() -> None:
    result = subprocess.run(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "make",
            "-s",
            "-C",
            str(REPO),
            "browser",
            "CHROMIUM=/nonexistent/chromium",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "browser tests will be skipped" in result.stdout
