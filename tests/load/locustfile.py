"""Locust user for the public API mix: services, slots for 14 days, book, read the appointment.

Run by ``tests/load/run.py`` (``make loadtest``), headless and bounded in time. Every 201 is
written to ``LOADTEST_BOOKED`` (one reference per line) so the run can check its row exists.
"""

from __future__ import annotations

import os
import random
import threading
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from locust import FastHttpUser, between, constant, events, task

BOOKED_FILE = os.environ.get("LOADTEST_BOOKED", "data/loadtest-booked.txt")
THINK = float(os.environ.get("LOADTEST_THINK_SECONDS", "0"))
NO_FREE_TIME = "mix: no free time left"  # the demo data's free times ran out: stop sooner
SLOT_TAKEN = "mix: 409 time taken"
_booked: list[str] = []
_booked_lock = threading.Lock()


def _video_topics(services: list[dict]) -> list[tuple[str, str]]:
    """(service, topic) pairs that can be booked by video."""
    return [
        (service["slug"], topic["slug"])
        for service in services
        for topic in service["topics"]
        if topic["channel"] == "video"
    ]


class Citizen(FastHttpUser):
    """One API client doing the whole mix in a closed loop.

    FastHttpUser (geventhttpclient), not HttpUser (requests): the load generator shares the
    cores with the app, and the requests library costs it several times the CPU per request.
    """

    wait_time = between(0, 2 * THINK) if THINK > 0 else constant(0)

    def _count(self, outcome: str) -> None:
        """Count a mix's outcome as a row of its own in locust's figures (no request, no time)."""
        self.environment.events.request.fire(
            request_type="MIX",
            name=outcome,
            response_time=0,
            response_length=0,
            response=None,
            context={},
            exception=None,
        )

    @task
    def book_once(self) -> None:
        """services → slots for 14 days → book → read the appointment."""
        with self.client.get("/api/v1/services", name="GET services", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return
            pairs = _video_topics(r.json()["services"])
        if not pairs:
            return
        service, topic = random.choice(pairs)
        first = date.today()
        last = first + timedelta(days=13)
        with self.client.get(
            f"/api/v1/services/{service}/slots?from={first}&to={last}",
            name="GET slots (14 days)",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return
            slots = [slot for slot in r.json()["slots"] if slot["capacity"] > 0]
        if not slots:
            self._count(NO_FREE_TIME)
            return
        slot = random.choice(slots)
        body = {
            "service": service,
            "topic": topic,
            "start": slot["start"],
            "name": "Load Test",
            "email": f"load{random.randrange(10**9)}@example.org",
            "language": "nl",
            "consent": True,
        }
        with self.client.post(
            "/api/v1/appointments", json=body, name="POST booking", catch_response=True
        ) as r:
            if r.status_code == 409:
                r.success()  # someone else took the time: a correct answer, not a failure
                self._count(SLOT_TAKEN)
                return
            if r.status_code != 201:
                r.failure(f"status {r.status_code}: {r.text[:200]}")
                return
            answer = r.json()
        reference = answer["reference"]
        with _booked_lock:
            _booked.append(reference)
        token = parse_qs(urlsplit(answer["manage_url"]).query)["token"][0]
        with self.client.get(
            f"/api/v1/appointments/{reference}",
            headers={"Authorization": f"Bearer {token}"},
            name="GET appointment",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")


@events.test_stop.add_listener
def _write_booked(**_kwargs: object) -> None:
    """Hand the references of every 201 to the database check."""
    with _booked_lock, open(BOOKED_FILE, "w") as out:
        out.writelines(f"{reference}\n" for reference in _booked)
