"""The flood of issue 11, repeated: one sequential client books every free time of a service
for two weeks through POST /api/v1/appointments on a running server. Prints figures, asserts
nothing. ``--solve`` makes the client solve every proof-of-work puzzle (a determined attacker);
without it the client sends none.

    .venv/bin/python -m tests.bench.bench_flood --base http://127.0.0.1:8102 [--solve]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date, timedelta

import httpx

from balie.services.abuse.challenge import IssuedChallenge, solve


def _solution(client: httpx.Client) -> str:
    """Fetch and solve a puzzle."""
    data = client.get("/api/v1/challenge").json()
    issued = IssuedChallenge(
        data["algorithm"], data["challenge"], data["maxnumber"], data["salt"], data["signature"]
    )
    return solve(issued)


def main() -> None:
    """Run the flood and print what got through."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8102")
    parser.add_argument("--service", default="mobiliteitsbedrijf")
    parser.add_argument("--solve", action="store_true")
    args = parser.parse_args()
    with httpx.Client(base_url=args.base, timeout=60) as client:
        services = client.get("/api/v1/services").json()["services"]
        service = next(s for s in services if s["slug"] == args.service)
        topic = next(t["slug"] for t in service["topics"] if t["channel"] == "video")
        first = date.today()
        slots = client.get(
            f"/api/v1/services/{args.service}/slots",
            params={"from": first.isoformat(), "to": (first + timedelta(days=13)).isoformat()},
        ).json()["slots"]
        statuses: Counter[str] = Counter()
        began = time.perf_counter()
        for index, slot in enumerate(slots):
            headers = {"X-Altcha": _solution(client)} if args.solve else {}
            body = {
                "service": args.service,
                "topic": topic,
                "start": slot["start"],
                "name": "Flood",
                "email": f"flood{index}@example.be",
                "language": "nl",
                "consent": True,
            }
            answer = client.post("/api/v1/appointments", json=body, headers=headers)
            statuses[f"{answer.status_code} {answer.json().get('error', '')}".strip()] += 1
            if index % 10 == 9:  # progress, so an interrupted run still tells something
                elapsed = time.perf_counter() - began
                sys.stdout.write(f"{index + 1} tried in {elapsed:.1f} s: {dict(statuses)}\n")
                sys.stdout.flush()
        took = time.perf_counter() - began
    sys.stdout.write(f"free times: {len(slots)}; answers: {dict(statuses)}; took {took:.1f} s\n")


if __name__ == "__main__":
    main()
