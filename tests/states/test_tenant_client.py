"""The organisation of a websocket event comes from the connection's Host header, set at the
handshake: not from what the browser puts in an event (router data, page address, query,
arguments), not from a cookie or local-storage var. Staff and manage links are bound to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from types import SimpleNamespace
from typing import Any

import reflex as rx
from reflex.app import EventNamespace
from reflex.istate.data import RouterData
from reflex.state import _apply_client_storage_vars
from sqlmodel import Session

from balie.http_guard import HttpGuard
from balie.services.tenancy import normalised_host, organisation_slug_for_host
from balie.states.booking import BookingState
from balie.states.catalogue import CatalogueState
from balie.states.manage import ManageState
from balie.states.staff import StaffState
from balie.states.staff_views import TeamDayState
from balie.states.tenant import organisation_slug_of
from tests.states.test_tenant_isolation import STATES, connection, public_handlers, run
from tests.tenancy_fixtures import UNKNOWN_HOST, City, TwoCities, rows_of


class _Processor:
    """Stands in for Reflex's event processor: keeps the events the namespace hands on."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def enqueue(self, token: str, event: Any) -> None:
        """Keep the event."""
        self.events.append(event)


def _forged_event(host: str, b: City) -> dict[str, Any]:
    """An event whose client-made router data names B everywhere it can."""
    url = f"http://{b.host}/afspraak?organisatie={b.slug}&host={b.host}"
    return {
        "name": f"{CatalogueState.get_full_name()}.load",
        "payload": {"organisation": b.slug, "host": b.host},
        "router_data": {
            "pathname": "/afspraak",
            "asPath": url,
            "query": {"organisatie": b.slug},
            "headers": {"host": b.host, "origin": f"http://{b.host}", "x-forwarded-host": b.host},
            "ip": "198.51.100.1",
        },
    }


def _router_after_handshake(host: str, event: dict[str, Any]) -> RouterData:
    """The router data Reflex gives a state for ``event`` on a socket opened at ``host``."""
    processor = _Processor()
    app = SimpleNamespace(
        event_processor=processor, router=lambda path: path, sio=None, _state=None
    )
    namespace = EventNamespace("/_event", app)  # type: ignore[arg-type]
    environ = {
        "asgi.scope": {"headers": [(b"host", host.encode())], "client": ("203.0.113.9", 1)},
        "QUERY_STRING": "token=tab-1",
    }

    async def exchange() -> None:
        await namespace.on_connect("sid-1", environ)
        await namespace.on_event("sid-1", json.loads(json.dumps(event)))

    asyncio.run(exchange())
    (received,) = processor.events
    return RouterData.from_router_data(received.router_data)


def test_an_event_naming_b_on_a_socket_opened_at_a_belongs_to_a(cities: TwoCities) -> None:
    a, b = cities.a, cities.b
    router = _router_after_handshake(a.host, _forged_event(a.host, b))
    assert router.headers.host == a.host
    state = CatalogueState(_reflex_internal_init=True)
    state.router = router
    assert organisation_slug_of(state) == a.slug
    router = _router_after_handshake(b.host, _forged_event(b.host, b))
    state.router = router
    assert organisation_slug_of(state) == b.slug


def test_a_host_header_names_its_organisation_in_any_case_and_with_a_port(
    cities: TwoCities,
) -> None:
    a, b = cities.a, cities.b
    assert organisation_slug_for_host(normalised_host(b.host.upper() + ":443")) == b.slug
    assert organisation_slug_for_host(normalised_host(f" {a.host}:8000 ")) == a.slug
    assert organisation_slug_for_host(normalised_host(f"{b.slug}.{a.host}")) is None
    assert organisation_slug_for_host(normalised_host(f"{a.host}.{b.host}")) is None


def test_an_unknown_host_has_no_organisation(cities: TwoCities) -> None:
    state = CatalogueState(_reflex_internal_init=True)
    state.router = _router_after_handshake(UNKNOWN_HOST, _forged_event(UNKNOWN_HOST, cities.b))
    assert organisation_slug_of(state) is None


def _text(state: rx.State) -> str:
    """Everything the browser receives of a state."""
    return json.dumps(state.dict(), default=str)


def test_the_home_page_on_each_host_lists_only_its_citys_services(cities: TwoCities) -> None:
    for own, other in ((cities.a, cities.b), (cities.b, cities.a)):
        state = connection(CatalogueState, own.host, "", cities.b)
        CatalogueState.load.fn(state)
        text = _text(state)
        assert own.services[0].name["nl"] in text, own.host
        assert other.services[0].name["nl"] not in text, own.host


def test_the_booking_wizard_on_b_host_offers_only_b_services(cities: TwoCities) -> None:
    a, b = cities.a, cities.b
    state = connection(BookingState, b.host, "", b)
    run(BookingState.load.fn(state))
    text = _text(state)
    assert b.services[0].name["nl"] in text and a.services[0].name["nl"] not in text
    run(BookingState.choose_service.fn(state, a.services[0].slug))
    assert state.service_slug != a.services[0].slug


def test_client_storage_vars_cannot_switch_the_organisation(cities: TwoCities) -> None:
    a, b = cities.a, cities.b
    root = rx.State(_reflex_internal_init=True)
    forged: dict[str, Any] = {}
    for cls in STATES:
        for name in cls.base_vars:
            forged[f"{cls.get_full_name()}.{name}"] = b.slug
    applied = asyncio.run(_apply_client_storage_vars(root, forged))
    assert applied, "the app has a cookie var (the language); it must have been set"
    for state, _name in applied:
        state.router = connection(type(state), a.host, "", b).router
        assert organisation_slug_of(state) == a.slug
    state = connection(CatalogueState, a.host, "", b)
    CatalogueState.load.fn(state)
    assert b.services[0].name["nl"] not in _text(state)


def test_setvar_cannot_change_the_connection_or_the_organisation(cities: TwoCities) -> None:
    a, b = cities.a, cities.b
    for cls in STATES:
        state = connection(cls, a.host, a.tokens["all"], b)
        for name in [*cls.base_vars, "router", "router_data"]:
            with contextlib.suppress(AttributeError, TypeError, ValueError):  # no setter
                cls.event_handlers["setvar"].fn(state, name, {"headers": {"host": b.host}})
        assert organisation_slug_of(state) == a.slug, cls.__name__


STAFF_STATES = [StaffState, TeamDayState]


def test_staff_of_a_on_b_host_are_not_signed_in(cities: TwoCities, session: Session) -> None:
    a, b = cities.a, cities.b
    before = rows_of(session, a), rows_of(session, b)
    for cls in STATES:
        if "roles" not in cls.base_vars:  # SiteState's display_name is the city's
            continue
        for token in a.tokens.values():
            state = connection(cls, b.host, token, b)
            for name in public_handlers(cls):
                if name in {"load", "refresh", "sign_out"}:
                    with contextlib.suppress(Exception):  # refused by exception is fine
                        run(cls.event_handlers[name].fn(state))
            assert (state.display_name, state.roles) == ("", []), f"{cls.__name__} on B's host"
    assert (rows_of(session, a), rows_of(session, b)) == before


def test_staff_of_a_on_a_host_are_signed_in(cities: TwoCities) -> None:
    a = cities.a
    for cls in STAFF_STATES:
        state = connection(cls, a.host, a.tokens["all"], cities.b)
        run(cls.load.fn(state))
        assert state.display_name == a.staff["all"].display_name


def _manage(host: str, reference: str, token: str) -> dict[str, Any]:
    """What the manage page shows when opened at ``host`` with this link."""
    state = ManageState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {
            "headers": {"host": host, "origin": f"http://{host}"},
            "pathname": "/afspraak",
            "asPath": f"/afspraak?ref={reference}&token={token}",
        }
    )
    ManageState.load.fn(state)
    return state.dict()


def test_a_manage_link_of_a_on_b_host_is_an_unknown_link(cities: TwoCities) -> None:
    a, b = cities.a, cities.b
    appointment = a.appointments[1]
    token = a.manage_tokens[appointment.reference]
    unknown = _manage(b.host, "AAAA-AAAA", "0" * 64)
    assert _manage(b.host, appointment.reference, token) == unknown
    assert _manage(a.host, appointment.reference, token) != unknown


def _handshake(host: str, forged_host: str) -> tuple[list[Any], list[Any]]:
    """Open the websocket at ``host`` through HttpGuard: what the app saw, what was sent back."""
    seen: list[Any] = []
    sent: list[Any] = []

    async def app(scope: Any, _receive: Any, _send: Any) -> None:
        seen.append(scope)

    async def receive() -> dict[str, str]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(message)

    headers = [(b"host", host.encode()), (b"x-forwarded-host", forged_host.encode())]
    scope = {
        "type": "websocket",
        "path": "/_event/",
        "headers": headers,
        "query_string": b"token=tab-1",
        "client": ("203.0.113.9", 1),
    }
    asyncio.run(HttpGuard(app)(scope, receive, send))
    return seen, sent


def test_a_websocket_handshake_at_an_unknown_host_is_closed(cities: TwoCities) -> None:
    seen, sent = _handshake(UNKNOWN_HOST, cities.a.host)
    assert seen == [] and sent == [{"type": "websocket.close", "code": 1008}]
    seen, _sent = _handshake(cities.b.host, UNKNOWN_HOST)
    assert len(seen) == 1
