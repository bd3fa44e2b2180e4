"""Wizard throughput with 1 and 2 app instances behind nginx (figures, no assertions).

    PATH=/usr/sbin:$PATH .venv/bin/python -m tests.deploy.measure --instances 1 --seconds 60

Starts the deploy set-up (its own throwaway database), then CONCURRENCY Chromium pages book
through the wizard, each from a fresh page load, for SECONDS; prints bookings per minute,
the median booking time and the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.deploy import stack
from tests.deploy.conftest import CHROMIUM

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def book_once(page, base: str, rng: random.Random) -> bool:
    """One booking through the wizard; False when the time was taken meanwhile."""
    page.goto(f"{base}/boeken?dienst=energiecentrale")
    page.locator("[data-topic=renovatieadvies]").click()
    times = page.locator(".time")
    times.first.wait_for()
    times.nth(rng.randrange(min(times.count(), 30))).click()
    page.locator("#name").fill("Meet Burger")
    page.locator("#email").fill("meet@voorbeeld.be")
    page.locator("#consent").click()
    page.locator("#to-review").click()
    page.locator("#confirm").click()
    heading = page.locator("#step-heading")
    page.wait_for_function(
        "() => !document.getElementById('step-heading')?.textContent.includes('Kijk alles na')",
        timeout=30_000,
    )
    return "gemaakt" in heading.inner_text()


def drive(base: str, seconds: float, concurrency: int) -> tuple[list[float], int]:
    """Book from ``concurrency`` pages for ``seconds``; durations of successes, failures."""
    durations: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def worker(index: int) -> None:
        rng = random.Random(index)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.set_default_timeout(30_000)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                started = time.monotonic()
                try:
                    ok = book_once(page, base, rng)
                except Exception:  # noqa: BLE001 - a failed attempt is counted, not fatal
                    ok = False
                with lock:
                    if ok:
                        durations.append(time.monotonic() - started)
                    else:
                        failures[0] += 1
            browser.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return durations, failures[0]


def main() -> None:
    """Set up, measure, tear down."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    ports = [stack.PROXY_PORT + 1 + i for i in range(args.instances)]
    name = f"{os.environ.get('BALIE_DEPLOY_DB_PREFIX', 'balie_deploy')}_measure"
    workdir = Path(tempfile.mkdtemp(prefix="balie-measure-"))
    url = stack.create_database(name)
    env = stack.instance_env(url, workdir / "outbox", stack.PROXY_PORT, {})
    running = stack.Stack(workdir, env, ports)
    try:
        stack.migrate_concurrently(env, runs=1)
        stack.load_demo(env)
        stack.flush_redis()
        stack.export_frontend(running.base_url, env)
        for port in ports:
            running.start_instance(port)
        for port in ports:
            running.wait_ready(port)
        running.start_nginx(upstream_ports=ports)
        durations, failures = drive(running.base_url, args.seconds, args.concurrency)
        load = Path("/proc/loadavg").read_text().strip()
        per_minute = len(durations) * 60 / args.seconds
        median = statistics.median(durations) if durations else float("nan")
        print(  # noqa: T201
            f"instances={args.instances} concurrency={args.concurrency} "
            f"bookings={len(durations)} failed={failures} per_minute={per_minute:.1f} "
            f"median_s={median:.2f} loadavg='{load}'"
        )
    finally:
        running.stop()
        stack.drop_database(name)


if __name__ == "__main__":
    main()
