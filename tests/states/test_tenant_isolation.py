"""Staff of city A, connected to A's host, call every public handler of every state with the
ids, slugs, references and tokens of city B: none of B's rows changes and no text of B reaches
the state (what the browser receives) or an event the handler returns (downloads). The same
staff on B's host are signed out there: they see nothing of A and only B's public catalogue.

The states are found by importing every module of balie.states, so a state added later is
walked automatically; its handlers' parameter names must have a value in ``b_arguments`` (else
the walk fails and says which), and ``HANDLERS_PER_STATE`` pins the counts the issue reports.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import io
import json
import pkgutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session

import balie.states
from balie.pages import register_all
from balie.services import demo_look, org_settings
from balie.services.insight import statistics
from balie.services.staff.staff_auth import SESSION_COOKIE
from balie.settings import get_settings
from balie.states.staff_session import StaffSessionState
from tests.samples import pdf_document
from tests.tenancy_fixtures import City, TwoCities, rows_of

# setvar is Reflex's generic setter: it only calls a handler named ``set_<var>`` (auto setters
# are off), and those are walked themselves; hydrate/set_is_hydrated belong to Reflex's mixins.
FRAMEWORK_HANDLERS = {"setvar", "hydrate", "hydrate_and_load", "set_is_hydrated"}
# The public handlers per state, as counted when this test was written (issue 15 reports them).
HANDLERS_PER_STATE: dict[str, int] = {
    "AbuseAdminState": 3,
    "AgentBookingState": 12,
    "AgentFindState": 12,
    "AuditState": 5,
    "BookingState": 17,
    "CatalogueAdminState": 12,
    "CatalogueState": 1,
    "DashboardState": 4,
    "DataRequestsState": 4,
    "FeedbackState": 2,
    "HoursState": 12,
    "LocaleState": 1,
    "ManageState": 14,
    "NotRequestedState": 2,
    "OrgSettingsState": 4,
    "PlatformState": 2,
    "PrivacyState": 1,
    "SignInPageState": 1,
    "SiteState": 1,
    "StaffAdminState": 5,
    "StaffSignOutState": 1,
    "StaffState": 18,
    "TeamDayState": 2,
    "WeekState": 4,
}
# The order in which a browser gets somewhere: open the page, find or pick, then act.
FIRST = (
    *("load", "find", "search", "choose_staff", "show", "choose_service", "choose_topic"),
    *("edit_service", "edit_topic", "edit_staff", "open_upload", "start_cancel", "start_move"),
    *("start_follow_up", "show_day", "choose_time", "submit_details"),
)
# Handlers that select what a later handler acts on; the second round runs the related ones
# (a shared word: start_cancel before cancel_appointment) right before each handler.
OPENERS = ("load", "find", "search", "choose_staff", "show", "choose_service", "choose_topic")
OPENING = ("edit_", "open_", "start_")
COMMON_WORDS = {"edit", "open", "start", "choose", "confirm", "save", "remove", "close", "add"}


def all_states() -> list[type[rx.State]]:
    """Every concrete state class defined in balie.states (every module imported)."""
    register_all()
    for module in pkgutil.iter_modules(balie.states.__path__):
        importlib.import_module(f"balie.states.{module.name}")
    found: set[type[rx.State]] = set()
    queue = list(rx.State.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("balie.states.") and not cls._mixin:
            found.add(cls)
    return sorted(found, key=lambda cls: cls.__name__)


def public_handlers(cls: type[rx.State]) -> list[str]:
    """The handlers a browser can call, in the order a browser would reach them."""
    names = [name for name in cls.event_handlers if name not in FRAMEWORK_HANDLERS]
    return sorted(
        names, key=lambda name: (name not in FIRST, FIRST.index(name) if name in FIRST else 0, name)
    )


STATES = all_states()


def _upload(data: bytes | None = None, name: str = "zwaluw.pdf") -> rx.UploadFile:
    """A small PDF (or ``data``) as the upload endpoint hands it to a handler."""
    data = pdf_document() if data is None else data
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


def b_form(b: City) -> dict[str, Any]:
    """A form naming B's rows in every field a staff or citizen form of the app has."""
    appointment = b.appointments[1]
    day = appointment.start_at.date().isoformat()
    ids = ("appointment_id", "id", "row_id", "target_id", "entry_id", "exception_id", "key_id")
    return {
        **dict.fromkeys(ids, appointment.id),
        "staff_id": b.staff["counsellor"].id,
        "service_id": b.services[0].id,
        "topic_id": b.topics[0].id,
        "closure_id": b.closures[0].id,
        "leave_id": b.leaves[0].id,
        "organisation_id": b.organisation.id,
        "organisation": b.slug,
        "host": b.host,
        "service": b.services[0].slug,
        "topic": b.topics[0].slug,
        "reference": appointment.reference,
        "token": b.manage_tokens[appointment.reference],
        "email": appointment.citizen_email,
        "query": appointment.reference,
        "outcome": "resolved",
        "note": "door stad A",
        "reason": "door stad A",
        "cancel_reason": "door stad A",
        "confirm": "on",
        "roles": ["admin"],
        "name": "door stad A",
        "slug": "door-stad-a",
        "weekday": "0",
        "start": "08:00",
        "end": "20:00",
        "day": day,
        "date": day,
        "date_from": day,
        "date_until": day,
        "from": day,
        "to": day,
        "score": "5",
        "comment": "door stad A",
        "language": "nl",
        "consent": True,
        # The organisation's settings page: a valid form, so a save runs to its write.
        "display_name": "door stad A",
        "time_zone": "Europe/Brussels",
        "language_nl": "on",
        "language_en": "on",
        "privacy_contact": "privacy@door-stad-a.be",
        "brand_primary": "#0b3d91",
        "brand_secondary": "#eef3fb",
        "retention_days": "30",
        "counter_booking_url": "",
        "mail_from_name": "door stad A",
        "mail_from_address": "afzender@door-stad-a.be",
        "mail_transport": "smtp",
        "smtp_host": "smtp.door-stad-a.test",
        "smtp_port": "587",
        "smtp_username": "door-stad-a",
        "smtp_password_new": "door-stad-a-wachtwoord",
        "meeting_provider": "teams",
        "entra_tenant_id": "aaaaaaaa-0000-4000-8000-00000000000a",
        "entra_client_id": "aaaaaaaa-0000-4000-8000-0000000000c1",
        "entra_client_secret_new": "door-stad-a-geheim",
        # The platform page's new organisation: B's host and catalogue.
        "admin_email": "beheer@door-stad-a.test",
        "admin_name": "door stad A",
        "catalogue_from": b.slug,
    }


# The parameter names of the public handlers; b_arguments has values of B for each.
ARGUMENT_NAMES = {
    *("appointment_id", "service_id", "topic_id", "staff_id", "closure_id", "leave_id"),
    *("key_id", "slug", "start", "key", "weekday", "field", "value", "part", "table"),
    *("solution", "form_data", "files"),
}


def b_arguments(b: City) -> dict[str, list[Any]]:
    """Values for each parameter name of a public handler: B's ids, slugs, times and forms."""
    appointment = b.appointments[1]
    values = {
        "appointment_id": [appointment.id, b.appointments[0].id, str(appointment.id)],
        "service_id": [b.services[0].id, b.services[1].id],
        "topic_id": [b.topics[0].id, b.topics[2].id],
        "staff_id": [b.staff["counsellor"].id, b.staff["admin"].id],
        "closure_id": [b.closures[0].id],
        "leave_id": [b.leaves[0].id],
        "key_id": [b.api_keys[0].id],
        "slug": [b.services[0].slug, b.services[1].slug, b.topics[0].slug],
        "start": [
            (appointment.start_at + timedelta(hours=1)).isoformat(),
            appointment.start_at.isoformat(),
        ],
        "key": [appointment.start_at.date().isoformat(), b.hours[0].id, "0"],
        "weekday": [0],
        "field": ["email", "start"],
        "value": ["08:00"],
        "part": ["service", "topic", "time", "details"],
        "table": sorted(statistics.TABLES),
        "solution": [""],
        "form_data": [b_form(b)],
        # A PDF (documents) and a PNG (logo: the caller's own city's, so a stored one is A's).
        "files": [[_upload()], [_upload(demo_look.ghent_logo(), "logo.png")]],
    }
    assert set(values) == ARGUMENT_NAMES
    return values


def argument_sets(handler: Any, values: dict[str, list[Any]]) -> list[tuple]:
    """Argument lists for a handler: the i-th value of each parameter, for every i."""
    parameters = [
        p
        for p in list(inspect.signature(handler.fn).parameters.values())[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    missing = [p.name for p in parameters if p.name not in values]
    assert not missing, f"{handler.fn.__qualname__}: add B's values for {missing} to b_arguments"
    if not parameters:
        return [()]
    longest = max(len(values[p.name]) for p in parameters)
    return [
        tuple(values[p.name][i % len(values[p.name])] for p in parameters) for i in range(longest)
    ]


def connection(
    cls: type[rx.State], host: str, token: str, b: City, link: City | None = None
) -> rx.State:
    """``cls`` on a websocket opened at ``host`` by a browser with staff cookie ``token``.

    The page's address names B's service and organisation, and the personal link of an
    appointment of ``link`` (default B): it is client data.
    """
    appointment = (link or b).appointments[1]
    query = (
        f"?ref={appointment.reference}&token={(link or b).manage_tokens[appointment.reference]}"
        f"&dienst={b.services[0].slug}&onderwerp={b.topics[0].slug}&organisatie={b.slug}"
    )
    root = rx.State(_reflex_internal_init=True)  # the whole tree: handlers may use get_state
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    cookie = f"{SESSION_COOKIE}={token}" if token else ""
    router = RouterData.from_router_data(
        {
            "headers": {"host": host, "origin": f"http://{host}", "cookie": cookie},
            "pathname": "/afspraak",
            "asPath": f"/afspraak{query}",
            "ip": "203.0.113.9",
        }
    )
    root.router = state.router = router
    return state


def run(result: Any) -> list[Any]:
    """Drive what a handler returned (coroutine, generator) to its end; what it sent back."""
    if inspect.iscoroutine(result):
        return [asyncio.run(result)]
    if inspect.isasyncgen(result):

        async def drain() -> list[Any]:
            return [item async for item in result]

        return asyncio.run(drain())
    if inspect.isgenerator(result):
        return list(result)
    return [result]


def leaked(state: rx.State, sent: list[Any], secrets: set[str]) -> set[str]:
    """Which of ``secrets`` the state's vars or what the handler sent contain."""
    visible = json.dumps(state.dict(), default=str) + repr(sent)
    return {text for text in secrets if text in visible}


def _openers(cls: type[rx.State], name: str) -> list[str]:
    """The handlers a browser would call before ``name`` to pick what it acts on."""
    words = set(name.split("_")) - COMMON_WORDS
    related = [
        other
        for other in public_handlers(cls)
        if other.startswith(OPENING) and words & set(other.split("_")) and other != name
    ]
    timed = ["choose_time"] if name.startswith("confirm_") else []
    names = [n for n in public_handlers(cls) if n in OPENERS and n != name]
    return [*names, *related, *(t for t in timed if t in cls.event_handlers)]


Step = tuple[str, tuple]


def _plan(
    cls: type[rx.State], values: dict[str, list[Any]] | None, thorough: bool = True
) -> list[tuple[str, list[Step]]]:
    """Blocks of calls, each named after the handler it tries (B's rows are compared after
    each block). Round 1: every handler in browser order with every argument set; round 2
    (``thorough``): each handler after its openers, twice (for "really delete?")."""

    def sets(name: str) -> list[tuple]:
        return argument_sets(cls.event_handlers[name], values) if values is not None else [()]

    plan = [(name, [(name, args) for args in sets(name)]) for name in public_handlers(cls)]
    if thorough:
        for name in public_handlers(cls):
            openers = [(opener, sets(opener)[0]) for opener in _openers(cls, name)]
            plan.append((name, openers + [(name, a) for a in sets(name) for _ in range(2)]))
    return plan


def _rewind(args: tuple) -> None:
    """Put uploaded files back at their start (the same PDF is sent many times)."""
    for value in args:
        for item in value if isinstance(value, list) else []:
            if isinstance(item, rx.UploadFile):
                item.file.seek(0)


def walk(
    cls: type[rx.State],
    state: rx.State,
    cities: TwoCities,
    session: Session,
    with_args: bool,
    hidden: set[str] | None = None,
    thorough: bool = True,
) -> list[str]:
    """Call every handler as planned; the problems found, one line each.

    ``hidden``: the texts the state may never show (default: everything private of B).
    """
    b = cities.b
    values = b_arguments(b)
    # What the caller typed may be shown back to them (a search field); the rest may not.
    given = json.dumps(values, default=str) if with_args else ""
    secrets = {text for text in (b.private if hidden is None else hidden) if text not in given}
    problems: list[str] = []
    completed = 0
    before = rows_of(session, b)
    for label, steps in _plan(cls, values if with_args else None, thorough):
        for name, args in steps:
            _rewind(args)
            try:
                sent = run(cls.event_handlers[name].fn(state, *args))
                completed += 1
            except TypeError:
                if with_args:
                    raise
                continue  # the no-arguments pass: this handler needs some
            except Exception:  # noqa: BLE001 - a refusal may raise; what it changed counts
                sent = []
            if found := leaked(state, sent, secrets):
                problems.append(f"{name}{args!r:.60} shows private text {sorted(found)}")
        after = rows_of(session, b)
        if after != before:
            changed = sorted(t for t in after if after[t] != before[t])
            problems.append(f"{label} (after {steps[0][0]}…) changed B's rows in {changed}")
            before = after
    if not completed:
        problems.append("no handler ran to its end: the walk itself is broken")
    return problems


def test_every_state_and_handler_is_walked() -> None:
    counts = {cls.__name__: len(public_handlers(cls)) for cls in STATES}
    total = sum(counts.values())
    print(f"\nwalked: {len(counts)} state classes, {total} public handlers")  # noqa: T201
    for cls in STATES:
        print(f"  {cls.__name__}: {', '.join(public_handlers(cls))}")  # noqa: T201
    assert counts == HANDLERS_PER_STATE, "a state or handler was added: check it is walked"


def test_every_parameter_of_every_handler_gets_a_value_of_b() -> None:
    for cls in STATES:
        for name in public_handlers(cls):
            parameters = list(inspect.signature(cls.event_handlers[name].fn).parameters)[1:]
            unknown = [p for p in parameters if p not in ARGUMENT_NAMES]
            assert not unknown, f"{cls.__name__}.{name}: give B's values for {unknown}"


@pytest.mark.parametrize("cls", STATES, ids=lambda cls: cls.__name__)
def test_staff_of_a_cannot_reach_b_through_any_handler(
    cls: type[rx.State], cities: TwoCities, session: Session
) -> None:
    a = cities.a
    state = connection(cls, a.host, a.tokens["all"], cities.b)
    problems = walk(cls, state, cities, session, with_args=True)
    bare = connection(cls, a.host, a.tokens["all"], cities.b)
    problems += walk(cls, bare, cities, session, with_args=False, thorough=False)
    assert not problems, "\n".join(dict.fromkeys(problems))
    if issubclass(cls, StaffSessionState) and cls.__name__ != "PlatformState":
        assert state.display_name == a.staff["all"].display_name, "the walk ran signed out"


# States in which B's own staff, on B's host, do see B's private data: the walk's detector works.
SEEN_BY_OWN_STAFF = ["StaffState", "AgentFindState", "AuditState", "OrgSettingsState"]


@pytest.mark.parametrize("name", SEEN_BY_OWN_STAFF)
def test_the_walk_sees_b_when_b_walks_it(name: str, cities: TwoCities, session: Session) -> None:
    cls = next(cls for cls in STATES if cls.__name__ == name)
    b = cities.b
    problems = walk(cls, connection(cls, b.host, b.tokens["all"], b), cities, session, True)
    assert any("shows private text" in problem for problem in problems)


def test_the_walk_reaches_the_settings_write_of_its_own_city(
    cities: TwoCities, session: Session
) -> None:
    """The settings walk is not blind: A's admin's valid form and logo are stored for A only."""
    a = cities.a
    cls = next(cls for cls in STATES if cls.__name__ == "OrgSettingsState")
    state = connection(cls, a.host, a.tokens["all"], cities.b)
    for name in ("load", "save", "upload_logo"):
        for args in argument_sets(cls.event_handlers[name], b_arguments(cities.b)):
            _rewind(args)
            run(cls.event_handlers[name].fn(state, *args))
    assert (state.errors, state.problem) == ({}, ""), "the walk's settings form was refused"
    session.expire_all()
    row = org_settings.settings_row(session, a.organisation)
    assert (row.mail_from_address, row.logo) == (
        "afzender@door-stad-a.be",
        demo_look.ghent_logo(),
    )
    key = org_settings.secrets_key(get_settings())
    opened = org_settings.open_secret(
        key, a.organisation.id, "smtp_password", row.smtp_password_sealed
    )
    assert opened == "door-stad-a-wachtwoord"
    session.rollback()


@pytest.mark.parametrize("cls", STATES, ids=lambda cls: cls.__name__)
def test_staff_of_a_on_b_host_reach_nothing_through_any_handler(
    cls: type[rx.State], cities: TwoCities, session: Session
) -> None:
    a, b = cities.a, cities.b
    # B's host shows B's catalogue to anyone; nothing else of B, and nothing of A at all.
    hidden = (b.private - b.catalogue) | (a.private - a.catalogue - set(a.tokens.values()))
    before = rows_of(session, a)
    state = connection(cls, b.host, a.tokens["all"], b, link=a)  # and A's personal link
    # Signed out there, so no sequence opens anything: one round is enough.
    problems = walk(cls, state, cities, session, True, hidden=hidden, thorough=False)
    assert not problems, "\n".join(dict.fromkeys(problems))
    if issubclass(cls, StaffSessionState):
        assert (state.display_name, state.roles) == ("", []), "signed in on another city's host"
    after = rows_of(session, a)
    changed = [
        t for t in after if after[t] != before[t] and t not in ("staffsession", "auditentry")
    ]
    assert not changed, f"A's rows changed from B's host: {changed}"
