"""Citizens walking the booking wizard over the websocket, as a browser does.

Each citizen opens its own socket.io connection to ``/_event`` with a fresh token (a new
browser tab), sends the hydrate-and-load boot event in the CONNECT packet like Reflex's
``state.js``, then the wizard's events one by one, waiting after each for the state to show
the next step: load → service → topic → day → time → details → confirm. Bounded in count
and time; prints per-step latency and writes the references it booked for the database check.

    .venv/bin/python -m tests.load.wizard --url http://127.0.0.1:8600 --citizens 50 \
        --sessions 500 --seconds 30 [--think 2]

``--think SECONDS``: before each step the citizen reads the page for about that long (uniform
between half and one and a half times it), as a person does; the step's latency is timed from
the click, so think time is not counted in it (it is in the session time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import socketio

ROOT = "reflex___state____state"
BOOKING = f"{ROOT}.balie___states___booking____booking_state"
NAMESPACE = "/_event"
PAGE = "/boeken"
STEP_DONE, STEP_TIME = 6, 3
STEPS = ("load", "service", "topic", "day", "time", "details", "confirm")


def _plain(key: str) -> str:
    """A state var's name without Reflex's ``_rx_state_`` suffix."""
    return key.split("_rx_state_")[0]


@dataclass
class Figures:
    """Latencies per step and counts of outcomes, shared by all citizens."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    booked: list[str] = field(default_factory=list)
    session_seconds: list[float] = field(default_factory=list)


class Citizen:
    """One browser tab: a socket, its token and the booking state it has been sent."""

    def __init__(self, url: str, figures: Figures, timeout: float, think: float = 0) -> None:
        """Prepare a client; nothing is sent yet."""
        self.url, self.figures, self.timeout, self.think = url, figures, timeout, think
        self.token = str(uuid.uuid4())
        self.state: dict[str, Any] = {}
        self.changed = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_update, namespace=NAMESPACE)

    async def _on_update(self, update: Any) -> None:
        """Merge a state delta from the server."""
        if isinstance(update, str):
            update = json.loads(update)
        for state_name, values in (update.get("delta") or {}).items():
            if state_name == BOOKING:
                self.state.update({_plain(key): value for key, value in values.items()})
        self.changed.set()

    def _event(self, handler: str, **payload: Any) -> dict[str, Any]:
        """An event as state.js sends it, router data included."""
        return {
            "name": f"{BOOKING}.{handler}"
            if handler != "hydrate_and_load"
            else f"{ROOT}.{handler}",
            "payload": payload,
            "router_data": {"pathname": PAGE, "asPath": PAGE},
        }

    async def _until(self, ready: Any) -> None:
        """Wait for updates until ``ready(state)`` holds."""
        deadline = time.perf_counter() + self.timeout
        while not ready(self.state):
            self.changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"state stuck at step {self.state.get('step')}")
            await asyncio.wait_for(self.changed.wait(), left)

    async def _step(self, name: str, handler: str, ready: Any, **payload: Any) -> None:
        """Read the page for a while, send one event and time it until the state shows it."""
        if self.think > 0:
            await asyncio.sleep(random.uniform(0.5, 1.5) * self.think)
        began = time.perf_counter()
        await self.sio.emit("event", self._event(handler, **payload), namespace=NAMESPACE)
        await self._until(ready)
        self.figures.latencies[name].append(time.perf_counter() - began)

    async def walk(self) -> None:
        """One whole booking, from opening the page to the confirmation."""
        began = time.perf_counter()
        await self.sio.connect(
            f"{self.url}?token={self.token}",
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            auth={"event": self._event("hydrate_and_load")},
            wait_timeout=self.timeout,
        )
        try:
            await self._until(lambda s: s.get("services"))
            self.figures.latencies["load"].append(time.perf_counter() - began)
            await self._book()
        finally:
            await self.sio.disconnect()
        self.figures.session_seconds.append(time.perf_counter() - began)

    async def _book(self) -> None:
        """Choose service, topic, day, time, fill in details and confirm."""
        choices = [
            (service["slug"], topic["slug"])
            for service in self.state["services"]
            for topic in service["topics"]
            if topic["video"]
        ]
        service, topic = random.choice(choices)
        await self._step("service", "choose_service", lambda s: s.get("step") == 2, slug=service)
        await self._step("topic", "choose_topic", lambda s: s.get("step") == STEP_TIME, slug=topic)
        for _attempt in range(3):
            days = self.state.get("days") or []
            if not days:
                self.figures.outcomes["no free time"] += 1
                return
            day = random.choice(days)["key"]
            await self._step(
                "day",
                "show_day",
                lambda s, d=day: s.get("day_key") == d and s.get("times"),
                key=day,
            )
            start = random.choice(self.state["times"])["start"]
            await self._step("time", "choose_time", lambda s: s.get("step") == 4, start=start)
            form = {
                "name": "Load Test",
                "email": f"wizard{random.randrange(10**9)}@example.org",
                "phone": "",
                "question": "",
                "language": "nl",
                "consent": "on",
            }
            await self._step(
                "details", "submit_details", lambda s: s.get("step") == 5, form_data=form
            )
            await self._step(
                "confirm",
                "confirm",
                lambda s: s.get("step") in (STEP_DONE, STEP_TIME, 2) and not s.get("busy"),
            )
            if self.state.get("step") == STEP_DONE:
                self.figures.outcomes["booked"] += 1
                self.figures.booked.append(self.state["reference"])
                return
            self.figures.outcomes[self.state.get("notice") or "not booked"] += 1
            if self.state.get("step") != STEP_TIME:
                return


async def run(
    url: str, citizens: int, sessions: int, seconds: float, timeout: float, think: float = 0
) -> Figures:
    """Walk ``sessions`` wizards with ``citizens`` at once, for at most ``seconds``."""
    figures = Figures()
    deadline = time.perf_counter() + seconds
    remaining = iter(range(sessions))

    async def citizen_loop() -> None:
        for _ in remaining:
            if time.perf_counter() >= deadline:
                return
            try:
                await Citizen(url, figures, timeout, think).walk()
            except Exception as problem:  # noqa: BLE001 - counted and reported
                figures.outcomes[f"error: {type(problem).__name__}"] += 1

    await asyncio.gather(*(citizen_loop() for _ in range(citizens)))
    return figures


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(figures: Figures, elapsed: float) -> dict[str, Any]:
    """Print throughput and p50/p95/p99 per step; return the figures as a dict."""
    booked = figures.outcomes.get("booked", 0)
    print(f"wizard: {booked} bookings in {elapsed:.1f} s = {booked / elapsed:.1f} bookings/s")
    print(f"wizard outcomes: {dict(figures.outcomes)}")
    print(f"{'step':<10}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    steps: dict[str, Any] = {}
    for step in [*STEPS, "session"]:
        values = figures.session_seconds if step == "session" else figures.latencies.get(step, [])
        if not values:
            continue
        p50, p95, p99 = (1000 * percentile(values, q) for q in (0.5, 0.95, 0.99))
        steps[step] = {"count": len(values), "p50": p50, "p95": p95, "p99": p99}
        print(f"{step:<10}{len(values):>7}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}")
    return {
        "bookings": booked,
        "seconds": elapsed,
        "outcomes": dict(figures.outcomes),
        "steps": steps,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the wizard load and write the booked references."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8600")
    parser.add_argument("--citizens", type=int, default=50, help="concurrent citizens")
    parser.add_argument("--sessions", type=int, default=500, help="at most this many wizards")
    parser.add_argument("--seconds", type=float, default=30, help="start no wizard after this")
    parser.add_argument("--timeout", type=float, default=60, help="per step")
    parser.add_argument("--think", type=float, default=0, help="seconds of reading per step")
    parser.add_argument("--booked", default="data/loadtest-wizard-booked.txt")
    parser.add_argument("--json", default="", help="also write the figures here")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    figures = asyncio.run(
        run(args.url, args.citizens, args.sessions, args.seconds, args.timeout, args.think)
    )
    result = report(figures, time.perf_counter() - began)
    with open(args.booked, "w") as out:
        out.writelines(f"{reference}\n" for reference in figures.booked)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
