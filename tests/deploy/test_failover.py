"""Two app instances behind nginx lose one in the middle of a booking: nothing is lost.

The set-up is deploy/'s: nginx with deploy/nginx/balie.conf in front of the exported frontend
and two backend-only instances on PostgreSQL and Redis. A citizen books in Chromium while the
API books through nginx; the instance serving the citizen is killed (SIGKILL) while it holds a
leased job; the page reconnects to the other instance and finishes, the other instance takes
the job over after its lease, and every booking ends with one meeting and one e-mail. Then an
instance is killed while it confirms a citizen's booking: on the other instance the page can
confirm again and gets that same booking.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.deploy import stack
from tests.fakes.microsoft import hang, running_fakes

PORTS = [stack.PROXY_PORT + 1, stack.PROXY_PORT + 2]
WIZARD_SERVICE, WIZARD_TOPIC = "energiecentrale", "renovatieadvies"
FIGURES: dict[str, float] = {}


@pytest.fixture(scope="module")
def deployed():
    """Database, Redis, exported frontend, two instances and nginx; torn down afterwards."""
    name = f"balie_deploy_{os.getpid()}"
    if os.environ.get("BALIE_DEPLOY_DB_PREFIX"):
        name = f"{os.environ['BALIE_DEPLOY_DB_PREFIX']}_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="balie-deploy-"))
    with running_fakes() as fakes:
        url = stack.create_database(name)
        # A confirmation waits up to 8 s (production: 2 s) for a hung meeting: time enough to
        # kill its instance while it runs, in the second test.
        extra = {**fakes.env(), "BALIE_MEETING_WAIT_SECONDS": "8"}
        env = stack.instance_env(url, workdir / "outbox", stack.PROXY_PORT, extra)
        running = stack.Stack(workdir, env, PORTS)
        try:
            stack.migrate_concurrently(env)
            stack.load_demo(env)
            stack.flush_redis()
            stack.export_frontend(running.base_url, env)
            for port in PORTS:
                running.start_instance(port)
            for port in PORTS:
                running.wait_ready(port)
            running.start_nginx()
            engine = create_engine(url)
            yield running, fakes, engine
            engine.dispose()
        finally:
            running.stop()
            print(f"\nlogs of the deploy test: {workdir}")  # noqa: T201
            stack.drop_database(name)


def post_json(url: str, body: dict, headers: dict | None = None, timeout: float = 30):
    """Status and JSON body of a POST (errors included); (0, {}) when the connection broke."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=stack.LOOPBACK_TLS) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except OSError:
        return 0, {}


def api_service(base_url: str) -> tuple[str, str]:
    """A video service and topic for the API bookings, other than the citizen's."""
    status, _, body = stack.get(base_url + "/api/v1/services")
    assert status == 200
    for service in json.loads(body)["services"]:
        for topic in service["topics"]:
            if service["slug"] != WIZARD_SERVICE and topic["channel"] == "video":
                return service["slug"], topic["slug"]
    raise AssertionError("no second video service in the demo data")


def free_starts(base_url: str, service: str) -> list[str]:
    """Free start times of ``service`` in the coming three weeks."""
    first = date.today()
    query = f"?from={first}&to={first + timedelta(days=20)}"
    status, _, body = stack.get(f"{base_url}/api/v1/services/{service}/slots{query}")
    assert status == 200
    return [slot["start"] for slot in json.loads(body)["slots"]]


def citizen(name: str) -> dict:
    """Booking details of a made-up citizen."""
    return {
        "name": name,
        "email": f"{name.lower().replace(' ', '.')}@voorbeeld.be",
        "consent": True,
        "language": "nl",
    }


class ApiLoad(threading.Thread):
    """Books one free time after the other through nginx until stopped; keeps every answer."""

    def __init__(self, base_url: str, service: str, topic: str, starts: list[str]) -> None:
        super().__init__(daemon=True)
        self.base_url, self.service, self.topic, self.starts = base_url, service, topic, starts
        self.answers: list[tuple[int, dict]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        """Book until stopped or out of times (two tries per time: the second may be a 409)."""
        for index, start in enumerate(self.starts):
            if self.stop.is_set():
                return
            for attempt in range(2):
                body = {
                    "service": self.service,
                    "topic": self.topic,
                    "start": start,
                    **citizen(f"Api Burger {index} {attempt}"),
                }
                key = {"Idempotency-Key": uuid.uuid4().hex}
                self.answers.append(post_json(self.base_url + "/api/v1/appointments", body, key))
            time.sleep(0.3)


def serving_instance(running: stack.Stack) -> int:
    """The instance that holds the page's websocket (its metrics count one connection)."""

    def holder() -> int | None:
        for port in PORTS:
            if running.instances[port].poll() is not None:
                continue  # stopped
            _, _, body = stack.get(running.instance_url(port) + "/api/metrics")
            found = re.search(rb"^balie_websocket_connections (\d+)", body, re.MULTILINE)
            if found and int(found.group(1)) > 0:
                return port
        return None

    return stack.wait_until(holder, 20, "the page's websocket connection")


def to_review(page: Page, base: str, name: str, address: str) -> None:
    """Walk the wizard through nginx up to its review step: the first free time, these details."""
    page.set_default_timeout(20_000)
    page.goto(f"{base}/boeken?dienst={WIZARD_SERVICE}")
    page.locator(f"[data-topic={WIZARD_TOPIC}]").click()
    expect(page.locator("#step-heading")).to_have_text("Kies een dag en een uur")
    page.locator(".time").first.click()
    expect(page.locator("#step-heading")).to_have_text("Jouw gegevens")
    page.locator("#name").fill(name)
    page.locator("#email").fill(address)
    page.locator("#consent").click()
    page.locator("#to-review").click()
    expect(page.locator("#step-heading")).to_have_text("Kijk alles na")


def test_an_instance_dies_in_the_middle_of_a_booking(deployed, page: Page) -> None:
    running, fakes, engine = deployed
    base = running.base_url
    started = datetime.now(UTC)

    # The proxy: liveness and readiness through nginx, a request id in and out, caching.
    status, headers, _ = stack.get(base + "/api/readyz", {"X-Request-ID": "deploy-test-1"})
    assert status == 200 and headers.get("X-Request-ID") == "deploy-test-1"
    status, headers, html = stack.get(base + "/boeken")
    assert status == 200 and headers.get("Cache-Control") == "no-cache"
    asset = re.search(rb'(/assets/[^"]+\.js)', html).group(1).decode()
    status, headers, _ = stack.get(base + asset)
    assert status == 200 and "immutable" in headers.get("Cache-Control", "")

    # The citizen fills in the wizard up to the review step, through nginx.
    to_review(page, base, "Fatma Yildiz", "fatma@voorbeeld.be")
    victim = serving_instance(running)
    survivor = next(port for port in PORTS if port != victim)

    # API traffic through nginx for the whole episode, on another service.
    service, topic = api_service(base)
    starts = free_starts(base, service)
    load = ApiLoad(base, service, topic, starts[:12])
    load.start()

    # The victim takes a booking's jobs and hangs in Graph: the jobs stay leased by it.
    fakes.fail("create_event", hang())
    stranded = threading.Thread(
        target=post_json,
        args=(
            running.instance_url(victim) + "/api/v1/appointments",
            {
                "service": service,
                "topic": topic,
                "start": starts[-1],
                **citizen("Gestrande Burger"),
            },
        ),
        kwargs={"headers": {"X-Request-ID": "stranded-booking"}, "timeout": 120},
        daemon=True,
    )
    stranded.start()

    def leased() -> list[int]:
        with engine.connect() as connection:
            rows = (
                connection.execute(
                    text("SELECT id FROM job WHERE state = 'running' AND request_id = :rid"),
                    {"rid": "stranded-booking"},
                )
                .scalars()
                .all()
            )
        return list(rows)

    leased_jobs = stack.wait_until(leased, 30, "the victim to lease the stranded jobs")

    # The instance dies; the citizen confirms; the page reconnects through nginx and finishes.
    running.kill_instance(victim)
    killed_at = time.monotonic()
    # A click in the very instant of the kill can go down with the old connection (socket.io
    # does not resend it); the citizen then clicks again, which the idempotency key makes safe.
    # So the page first reconnects, then the citizen confirms.
    assert serving_instance(running) == survivor
    FIGURES["page_reconnected_seconds"] = time.monotonic() - killed_at
    expect(page.locator("#step-heading")).to_have_text("Kijk alles na")
    expect(page.locator("#name")).to_have_count(0)  # still the review, details kept:
    expect(page.locator(".summary")).to_contain_text("fatma@voorbeeld.be")
    page.locator("#confirm").click()
    expect(page.locator("#step-heading")).to_have_text("Je afspraak is gemaakt", timeout=60_000)
    FIGURES["page_finished_seconds"] = time.monotonic() - killed_at
    reference = page.locator("#reference").inner_text()

    # The survivor takes the victim's leased jobs over once their lease has run out.
    def taken_over() -> bool:
        with engine.connect() as connection:
            states = (
                connection.execute(
                    text("SELECT state FROM job WHERE id = ANY(:ids)"), {"ids": leased_jobs}
                )
                .scalars()
                .all()
            )
        return all(state == "done" for state in states)

    stack.wait_until(taken_over, 90, "the survivor to take the leased jobs over", 0.5)
    FIGURES["jobs_taken_over"] = len(leased_jobs)
    FIGURES["takeover_seconds"] = time.monotonic() - killed_at
    load.stop.set()
    load.join(timeout=120)
    stranded.join(timeout=5)

    # Every job that is due is done: meetings made, e-mails written.
    def all_done() -> bool:
        with engine.connect() as connection:
            waiting = connection.execute(
                text("SELECT count(*) FROM job WHERE state <> 'done' AND run_after <= now()")
            ).scalar_one()
        return waiting == 0

    stack.wait_until(all_done, 120, "every due job to be done", 0.5)

    with engine.connect() as connection:
        booked = connection.execute(
            text(
                "SELECT reference, join_url FROM appointment "
                "WHERE status = 'booked' AND created_at >= :t"
            ),
            {"t": started},
        ).all()
        overlaps = connection.execute(
            text(
                "SELECT count(*) FROM appointment a JOIN appointment b "
                "ON a.staff_id = b.staff_id AND a.id < b.id "
                "AND a.status <> 'cancelled' AND b.status <> 'cancelled' "
                "AND tstzrange(a.start_at, a.busy_until) && tstzrange(b.start_at, b.busy_until)"
            )
        ).scalar_one()
        failed = connection.execute(
            text("SELECT count(*) FROM job WHERE state = 'failed'")
        ).scalar_one()
    references = {row.reference for row in booked}
    created = [body["reference"] for status, body in load.answers if status == 201]
    assert created, load.answers
    assert set(created) <= references  # every 201 has its appointment
    assert reference in references
    assert overlaps == 0
    assert failed == 0
    assert all(row.join_url for row in booked)

    # Every meeting exactly once in the (fake) organiser calendar.
    from balie.services.meetings.interface import transaction_id_for

    events = fakes.graph.events_in(fakes.organiser, include_cancelled=True)
    for ref in references:
        made = [event for event in events if event.transaction_id == transaction_id_for(ref)]
        assert len(made) == 1, (ref, len(made))

    # Every confirmation e-mail exactly once in the outbox folder. The background workers send
    # them after the answers (a booking waits only for its meeting link), so wait for them.
    outbox = running.workdir / "outbox"

    def subjects_by_reference() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for path in outbox.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            content = path.read_text(errors="replace")
            for ref in references:
                if ref in content:
                    found.setdefault(ref, []).append(str(message["Subject"]))
        return found

    def all_confirmed() -> dict[str, list[str]] | None:
        found = subjects_by_reference()
        sent = all(any("Bevestiging" in s for s in found.get(ref, [])) for ref in references)
        return found if sent else None

    stack.wait_until(all_confirmed, 60, "every confirmation e-mail")
    time.sleep(2)  # a duplicate would come from a second worker's round: give it the time
    subjects = subjects_by_reference()
    for ref in references:
        confirmations = [s for s in subjects.get(ref, []) if "Bevestiging" in s]
        assert len(confirmations) == 1, (ref, subjects.get(ref))

    # Metrics through nginx (loopback): bookings counted, the jobs gauge read from the database.
    status, _, body = stack.get(base + "/api/metrics")
    assert status == 200 and b'balie_jobs{state="due"}' in body
    FIGURES["api_201"] = len(created)
    FIGURES["api_other"] = len(load.answers) - len(created)
    load_average = Path("/proc/loadavg").read_text().strip()
    print("\nFIGURES", json.dumps(FIGURES), "load average", load_average)  # noqa: T201


def _appointments_of(engine, email_address: str) -> list[str]:
    """References of the appointments booked with this e-mail address."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT reference FROM appointment WHERE citizen_email = :e"),
            {"e": email_address},
        )
        return list(rows.scalars())


def test_an_instance_dies_while_it_confirms_a_booking(deployed, page: Page) -> None:
    """The instance dies after the booking is stored but before the page heard of it. The saved
    state says "busy"; the reconnected page must not keep its button disabled, and the second
    click gets the booking already made (the idempotency key), not a second one."""
    running, fakes, engine = deployed
    for port in PORTS:  # the first test killed one: two instances again
        if running.instances[port].poll() is not None:
            running.start_instance(port)
    for port in PORTS:
        running.wait_ready(port)
    address = f"karim.{uuid.uuid4().hex[:8]}@voorbeeld.be"

    to_review(page, running.base_url, "Karim Benali", address)
    victim = serving_instance(running)

    fakes.fail("create_event", hang())  # the confirmation then waits for its meeting link
    page.locator("#confirm").click()
    expect(page.locator("#confirm")).to_be_disabled()  # "busy" while the booking runs
    booked = stack.wait_until(
        lambda: _appointments_of(engine, address), 20, "the booking to be stored", 0.1
    )
    running.kill_instance(victim)  # before its answer reached the page

    assert serving_instance(running) != victim
    expect(page.locator("#step-heading")).to_have_text("Kijk alles na")
    expect(page.locator("#confirm")).to_be_enabled(timeout=60_000)
    page.locator("#confirm").click()
    expect(page.locator("#step-heading")).to_have_text("Je afspraak is gemaakt", timeout=60_000)
    assert page.locator("#reference").inner_text() == booked[0]
    assert _appointments_of(engine, address) == booked  # one booking, not two
