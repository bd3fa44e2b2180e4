"""Browser tests: the real app (production build) in headless Debian Chromium.

The app runs through Reflex's AppHarnessProd on a throwaway SQLite database with the demo
data, served as `make run` serves it: the built frontend and the backend on one port, behind the
same security headers; a test fails when the browser reports a Content-Security-Policy violation.
Meetings come from Microsoft Teams through the fake Entra ID and Graph servers (tests/fakes) on
loopback; BALIE_E2E_MEETINGS=jitsi runs the same
tests on the Jitsi default instead (CI's Redis variant does).
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import expect

PROJECT_ROOT = Path(__file__).resolve().parents[2]
E2E_DB = PROJECT_ROOT / "data" / "test-e2e.db"
E2E_OUTBOX = PROJECT_ROOT / "data" / "test-e2e-outbox"
E2E_DOCUMENTS = PROJECT_ROOT / "data" / "test-e2e-documents"

# Settings are read once per process, so the test database is chosen before anything imports them.
os.environ["BALIE_DATABASE_URL"] = f"sqlite:///{E2E_DB}"
os.environ["BALIE_OUTBOX_DIR"] = str(E2E_OUTBOX)
os.environ["BALIE_DOCUMENTS_DIR"] = str(E2E_DOCUMENTS)
os.environ.pop("BALIE_SMTP_HOST", None)
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")


def _free_port() -> int:
    """A free loopback port for the app (chosen now: the public URL must be known up front)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


APP_PORT = _free_port()
APP_URL = f"http://127.0.0.1:{APP_PORT}"
# As in `make run`: the public base URL is where the browser finds the app and its backend.
os.environ["BALIE_PUBLIC_BASE_URL"] = APP_URL
os.environ["REFLEX_API_URL"] = APP_URL
# The frontend is built with a "localhost" backend URL, which Reflex's frontend reads as "the
# page's own host": Ghent's pages (127.0.0.1) and Merelbeke's (merelbeke.localhost) each reach
# the backend on their own host, as in `make run`.
BUILD_API_URL = f"http://localhost:{APP_PORT}"

import reflex.constants  # noqa: E402
from reflex.config import get_config  # noqa: E402
from reflex.testing import AppHarnessProd, chdir  # noqa: E402
from reflex.utils.exec import get_frontend_mount  # noqa: E402
from reflex.utils.export import export  # noqa: E402

from tests.clamav import running_clamav  # noqa: E402
from tests.conftest import run_alembic  # noqa: E402
from tests.fakes.microsoft import MicrosoftFakes, running_fakes  # noqa: E402

MEETINGS = os.environ.get("BALIE_E2E_MEETINGS", "teams")
_FAKES_STACK = ExitStack()
# The Microsoft fakes run in both variants: staff sign in with Entra ID against them.
MICROSOFT: MicrosoftFakes = _FAKES_STACK.enter_context(running_fakes())
# A real clamd with the tests' own EICAR signature scans the documents citizens upload.
os.environ.update(_FAKES_STACK.enter_context(running_clamav()).env())
FAKES: MicrosoftFakes | None = None  # set when meetings come from Teams (through the fakes)
if MEETINGS == "teams":
    FAKES = MICROSOFT
    os.environ.update(FAKES.env())
    JOIN_URL = re.compile(r"^https://teams\.microsoft\.com/l/meetup-join/")
else:
    os.environ.update(MICROSOFT.sign_in_env())
    os.environ["BALIE_MEETING_PROVIDER"] = "jitsi"
    JOIN_URL = re.compile(r"^https://meet\.jit\.si/DigitaleBalie-")

# Page loads wait on the app's events; on CI's busy 2 cores (and with state in Redis) 5 s is
# sometimes too little for the first load of a page.
expect.set_options(timeout=10_000)

CHROMIUM = "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class SinglePortHarness(AppHarnessProd):
    """AppHarnessProd, but the backend serves the built frontend (`reflex run --single-port`)."""

    def _start_backend(self) -> None:
        """Serve the app on APP_PORT (AppHarnessProd picks a random port)."""
        import uvicorn
        from reflex_base.environment import environment

        environment.REFLEX_SKIP_COMPILE.set(True)
        self.backend = uvicorn.Server(
            uvicorn.Config(app=self.app_asgi, host="127.0.0.1", port=APP_PORT)
        )
        self.backend.shutdown = self._get_backend_shutdown_handler()
        # As AppHarnessProd: the server thread runs in a copy of this context, whose Reflex
        # registration context the build uses too (else the state schemas differ).
        context = contextvars.copy_context()
        self.backend_thread = threading.Thread(target=context.run, args=(self.backend.run,))
        self.backend_thread.start()

    def _start_frontend(self) -> None:
        """Build the frontend for APP_URL and mount it in the running backend."""
        with chdir(self.app_path):
            self._poll_for_servers(timeout=30)
            get_config().api_url = BUILD_API_URL
            try:
                export(
                    zipping=False,
                    frontend=True,
                    backend=False,
                    loglevel=reflex.constants.LogLevel.INFO,
                    env=reflex.constants.Env.PROD,
                )
            finally:
                get_config().api_url = APP_URL  # the backend's own links stay on APP_URL
        assert self.app_instance is not None
        self.app_instance._api.routes.append(get_frontend_mount(router=self.app_instance.router))

    def _wait_frontend(self) -> None:
        """The frontend is ready as soon as it is mounted."""
        self.frontend_url = APP_URL + "/"
        get_config().deploy_url = self.frontend_url


def _empty_test_redis() -> None:
    """Start the Redis variant's database empty, as the SQLite file is: limit counters and
    states of an earlier run (within the hour) must not count against this one."""
    url = os.environ.get("BALIE_REDIS_URL")
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="session")
def app_harness() -> Iterator[AppHarnessProd]:
    """The app, migrated and loaded with demo data, served for the whole test session."""
    from balie.db import session_scope
    from balie.services.demo_data import load_demo_data, load_demo_history
    from balie.services.demo_second_city import load_second_city

    E2E_DB.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(E2E_OUTBOX, ignore_errors=True)
    shutil.rmtree(E2E_DOCUMENTS, ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{E2E_DB}{suffix}").unlink(missing_ok=True)
    run_alembic(os.environ["BALIE_DATABASE_URL"], "upgrade", "head")
    _empty_test_redis()
    with session_scope() as session:
        load_demo_data(session)
        load_demo_history(session)  # the past calls `make run` shows, as on a fresh install
        load_second_city(session)  # Merelbeke, on merelbeke.localhost
    with _FAKES_STACK, SinglePortHarness.create(root=PROJECT_ROOT, app_name="balie") as harness:
        yield harness


@pytest.fixture(scope="session")
def base_url(app_harness: AppHarnessProd) -> str:
    """Where the browser finds the app."""
    assert app_harness.frontend_url
    return app_harness.frontend_url.rstrip("/")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use Debian's Chromium; Playwright cannot download a browser here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Chromium is missing: install Debian's package with `apt-get install chromium`."
        )
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
            "--host-resolver-rules=MAP *.localhost 127.0.0.1",  # the second city's host
        ],
    }


# Reports every CSP violation (also of eval and of styles) as a console error the test sees.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => console.error(
  'Content Security Policy violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI
  + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""


@pytest.fixture(autouse=True)
def no_csp_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the browser test when a page it visits breaks the Content-Security-Policy."""
    if "page" not in request.fixturenames:
        yield
        return
    context = request.getfixturevalue("context")
    reports: list[str] = []
    context.add_init_script(CSP_LISTENER)

    def watch(message) -> None:
        if "content security policy" in message.text.lower():
            reports.append(f"{message.type}: {message.text}")

    context.on("console", watch)
    yield
    if reports:
        pytest.fail("The page broke the Content-Security-Policy:\n" + "\n".join(reports))


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A/AA violations on the page as axe-core reports them."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return results.response["violations"]


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab (like a keyboard user) until the element matching ``selector`` has focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")
