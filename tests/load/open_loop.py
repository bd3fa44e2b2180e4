"""Open-loop API mix: new mixes start at a fixed rate, whatever the answers take.

    .venv/bin/python -m tests.load.open_loop --url http://127.0.0.1:8600 --rate 20 --seconds 25

Run by ``tests/load/run.py --rate`` instead of locust. Each mix (services → slots for 14 days
→ book → read the appointment) starts at its planned moment (``rate`` per second, evenly
spaced) on one asyncio event loop with httpx, so a slow answer never delays the next arrival.
Measured on this machine at 20 mixes/s with the app 75 % idle: locust's 50 gevent users
reported POST p50 about 300 ms where one locust user, and this client, saw about 15 ms;
locust's figure was its own scheduling, not the app's. Every 201's reference goes to
``--booked`` so the run can check its row; the figures go to ``--json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.load.wizard import percentile

ENDPOINTS = ("GET services", "GET slots (14 days)", "POST booking", "GET appointment")
PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


class Mixes:
    """The API mix against one app, with per-endpoint latencies and outcomes."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        self.booked: list[str] = []

    async def _timed(self, name: str, method: str, url: str, **options) -> httpx.Response | None:
        """One request, timed; None (a failure) on a transport error."""
        began = time.perf_counter()
        try:
            response = await self.client.request(method, url, **options)
        except httpx.HTTPError:
            self.failures[name] += 1
            return None
        self.latencies[name].append(time.perf_counter() - began)
        return response

    def _ok(self, name: str, response: httpx.Response | None, *ok: int) -> bool:
        """Whether the answer has one of the ``ok`` statuses; count a failure otherwise."""
        if response is not None and response.status_code in ok:
            return True
        if response is not None:
            self.failures[name] += 1
        return False

    async def mix(self) -> None:
        """services → slots for 14 days → book → read the appointment."""
        services = await self._timed("GET services", "GET", "/api/v1/services")
        if not self._ok("GET services", services, 200):
            return
        pairs = [
            (service["slug"], topic["slug"])
            for service in services.json()["services"]
            for topic in service["topics"]
            if topic["channel"] == "video"
        ]
        if not pairs:
            return
        service, topic = random.choice(pairs)
        first = date.today()
        slots = await self._timed(
            "GET slots (14 days)",
            "GET",
            f"/api/v1/services/{service}/slots",
            params={"from": str(first), "to": str(first + timedelta(days=13))},
        )
        if not self._ok("GET slots (14 days)", slots, 200) or not slots.json()["slots"]:
            return
        await self._book(service, topic, random.choice(slots.json()["slots"])["start"])

    async def _book(self, service: str, topic: str, start: str) -> None:
        """POST the booking and read it back with its token."""
        body = {
            "service": service,
            "topic": topic,
            "start": start,
            "name": "Load Test",
            "email": f"load{random.randrange(10**9)}@example.org",
            "consent": True,
        }
        answer = await self._timed("POST booking", "POST", "/api/v1/appointments", json=body)
        if not self._ok("POST booking", answer, 201, 409) or answer.status_code == 409:
            return
        booked = answer.json()
        self.booked.append(booked["reference"])
        token = parse_qs(urlsplit(booked["manage_url"]).query)["token"][0]
        read = await self._timed(
            "GET appointment",
            "GET",
            f"/api/v1/appointments/{booked['reference']}",
            headers={"Authorization": f"Bearer {token}"},
        )
        self._ok("GET appointment", read, 200)


async def run(url: str, rate: float, seconds: float) -> Mixes:
    """Start ``rate`` mixes per second for ``seconds``; wait for the last one to end."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        mixes = Mixes(client)
        began = time.perf_counter()
        running: list[asyncio.Task] = []
        for number in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, began + number / rate - time.perf_counter()))
            running.append(asyncio.create_task(mixes.mix()))
        await asyncio.gather(*running)
        return mixes


def report(mixes: Mixes, seconds: float) -> dict:
    """Per endpoint: count, failures, requests/s, p50/p95/p99 in ms (as locust's CSV gives)."""
    figures = {}
    for name in ENDPOINTS:
        values = sorted(mixes.latencies[name])
        figures[name] = {
            "count": len(values),
            "failures": mixes.failures[name],
            "rps": len(values) / seconds,
            **{
                key: percentile(values, share) * 1000 if values else 0.0
                for key, share in PERCENTILES.items()
            },
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the open loop, write the references and the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True, help="mixes per second")
    parser.add_argument("--seconds", type=float, default=25)
    parser.add_argument("--booked", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    mixes = asyncio.run(run(args.url, args.rate, args.seconds))
    args.booked.write_text("\n".join(mixes.booked) + "\n")
    args.json.write_text(json.dumps(report(mixes, args.seconds), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
