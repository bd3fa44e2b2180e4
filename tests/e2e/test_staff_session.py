"""Staff data never outlives the session, tried as an attacker would: after sign-out, a websocket
that presents the same Reflex client token without a cookie gets no citizen data."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import requests
import socketio
from playwright.sync_api import Page, expect
from reflex.config import get_config
from reflex.state import State

from tests.e2e.staff_helpers import COUNSELLOR, PASSWORD, sign_in, with_password
from tests.e2e.test_staff import appointment_at, two_starts_today

CITIZEN = "Vertrouwelijke Burger Zeynep"
NAMESPACE = "/_event"  # Reflex's socket.io path and namespace


def _hydrate_once(client_token: str, cookie: str, path: str) -> tuple[list[Any], list[str]]:
    """One raw websocket for ``client_token`` (with ``cookie``) that hydrates ``path``: the state
    updates it got, and any new token the server handed out instead of the one presented."""
    updates: list[Any] = []
    renamed: list[str] = []
    got = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("event", namespace=NAMESPACE)
    def _update(data: Any) -> None:
        updates.append(data)
        got.set()

    @client.on("new_token", namespace=NAMESPACE)
    def _renamed(token: str) -> None:
        renamed.append(token)

    # As the browser does: the hydrate rides in the CONNECT packet of the "/_event" namespace.
    hydrate = {
        "name": f"{State.get_full_name()}.hydrate_and_load",
        "payload": {},
        "router_data": {"pathname": path, "asPath": path},
    }
    client.connect(
        f"{get_config().api_url.rstrip('/')}?token={client_token}",
        socketio_path=NAMESPACE,
        namespaces=[NAMESPACE],
        transports=["websocket"],
        headers={"Cookie": cookie} if cookie else {},
        auth={"event": hydrate},
    )
    got.wait(timeout=15)
    time.sleep(0.5)  # a token still linked to another socket is renamed right after connect
    client.disconnect()
    return updates, renamed


def first_update(client_token: str, cookie: str, path: str) -> str:
    """The first state update a raw websocket for ``client_token`` gets, as JSON text.

    Retries while the server still links the token to the closed browser page (it would then
    hand out a new token, and the check would prove nothing).
    """
    for _attempt in range(30):
        updates, renamed = _hydrate_once(client_token, cookie, path)
        if not renamed:
            assert updates, "no state update arrived"
            return json.dumps(updates[0])
        time.sleep(0.5)
    raise AssertionError("the client token stayed linked to the closed browser page")


def test_after_sign_out_the_client_token_gets_no_citizen_data(page: Page, base_url: str) -> None:
    email = with_password(COUNSELLOR)
    start, _later = two_starts_today()
    reference = appointment_at(CITIZEN, start)
    sign_in(page, base_url, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    expect(page.locator(f"[data-reference='{reference}']")).to_contain_text(CITIZEN)
    client_token = page.evaluate("window.sessionStorage.getItem('token')")
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "balie_staff")
    cookie = f"balie_staff={session_cookie['value']}"
    page.close()  # the counter PC's tab is closed; its client token is what the next one reuses
    # While signed in, this very way of asking does get the list: the check below can fail.
    assert CITIZEN in first_update(client_token, cookie, "/medewerkers")
    # Sign-out by a plain POST, as a script can do without pressing the button.
    response = requests.post(
        get_config().api_url.rstrip("/") + "/api/staff/logout",
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=15,
    )
    assert response.status_code == 303
    for path in ("/", "/medewerkers/aanmelden"):
        assert CITIZEN not in first_update(client_token, "", path)
    assert CITIZEN not in first_update(client_token, cookie, "/")  # the revoked cookie: nothing
