"""The deploy tests: the production set-up of deploy/ on PostgreSQL, Redis, nginx and Chromium.

They need PostgreSQL, Redis, nginx and Chromium on the machine and run only through
``make test-deploy`` (the plain ``pytest tests`` runs ignore this folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, with the flags the browser tests use."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: install Debian's package with `make chromium`.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """The site is https through nginx with the test's self-signed certificate."""
    return {**browser_context_args, "ignore_https_errors": True}
