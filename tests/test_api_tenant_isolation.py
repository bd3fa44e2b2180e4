"""Every HTTP route of the API, called on city A's host with city B's references, tokens and
document ids (and A's staff cookie), finds nothing of B and changes none of B's rows; an unknown
host gets 404 everywhere; the organisation comes from the Host header only.

The routes are read from the Starlette app itself, so a route added later is walked too; its
path parameters must have a value of B in ``B_PATH_VALUES`` (else the walk fails and says so).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session
from starlette.routing import Route
from starlette.testclient import TestClient

from balie.api import api
from balie.db_types import utcnow
from balie.services.staff.staff_auth import SESSION_COOKIE, staff_for_token
from tests.tenancy_fixtures import PASSWORD, SHARED_EMAIL, UNKNOWN_HOST, City, TwoCities, rows_of

ROUTES: list[Route] = [route for route in api.routes if isinstance(route, Route)]
# The catch-all answers 404/405 for any other /api/ address; it is walked like the others.
ROUTE_COUNT = 22
PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
# Answers that mean "not yours / no such thing" for a route that names B's rows in its path.
REFUSED = {403, 404}


def calls() -> list[tuple[Route, str]]:
    """Every route with every method it answers (HEAD is GET without a body)."""
    return [(route, method) for route in ROUTES for method in sorted(route.methods - {"HEAD"})]


def b_path_values(b: City) -> dict[str, str]:
    """B's value for each path parameter name of the API."""
    return {
        "service": b.services[0].slug,
        "reference": b.appointments[1].reference,
        "document": str(b.documents[0].id),
        "rest": "v1/organisations/kleinegem",
    }


PATH_PARAMETERS = {"service", "reference", "document", "rest"}


def b_request(route: Route, method: str, cities: TwoCities) -> tuple[str, dict[str, Any]]:
    """URL and options of a request on A's host that names B's rows everywhere."""
    a, b = cities.a, cities.b
    appointment = b.appointments[1]
    token = b.manage_tokens[appointment.reference]
    values = b_path_values(b)
    path = PARAMETER.sub(lambda match: values[match.group(1)], route.path)
    query = {
        "token": token,
        "ref": appointment.reference,
        "afspraak": appointment.reference,
        "dienst": b.services[0].slug,
        "onderwerp": b.topics[0].slug,
        "from": appointment.start_at.date().isoformat(),
        "to": appointment.start_at.date().isoformat(),
        "organisation": b.slug,
    }
    start = (appointment.start_at + timedelta(hours=2)).isoformat()
    body: dict[str, Any] = {
        "service": b.services[0].slug,
        "topic": b.topics[0].slug,
        "start": start,
        "name": "Burger van stad A",
        "email": "burger@stad-a.test",
        "consent": True,
    }
    if path.endswith("/cancel"):
        body = {"reason": "door stad A"}
    elif path.endswith("/reschedule"):
        body = {"start": start}
    options: dict[str, Any] = {
        "params": query,
        "headers": {"host": a.host, "authorization": f"Bearer {token}"},
        "cookies": {SESSION_COOKIE: a.tokens["all"]},
    }
    if path == "/api/staff/login":
        options["data"] = {"email": b.staff["admin"].email, "password": PASSWORD}
    elif method == "POST" and "not-requested" in path:
        options["data"] = {"List-Unsubscribe": "One-Click"}
    elif method == "POST":
        options["json"] = body
    return path, options


@pytest.fixture
def client(cities: TwoCities) -> TestClient:
    """The API app, not following redirects (their targets are checked)."""
    return TestClient(api, base_url=f"http://{cities.a.host}", follow_redirects=False)


def shown(response: Any, b: City, given: str) -> set[str]:
    """B's private texts in an answer (body and headers), except what the caller sent."""
    visible = response.text + repr(dict(response.headers))
    return {text for text in b.private if text in visible and text not in given}


def test_every_api_route_is_walked() -> None:
    print(f"\nwalked: {len(ROUTES)} API routes, {len(calls())} route+method pairs")  # noqa: T201
    for route, method in calls():
        print(f"  {method} {route.path}")  # noqa: T201
    assert len(ROUTES) == ROUTE_COUNT, "an API route was added or removed: check it is walked"
    for route in ROUTES:
        assert set(PARAMETER.findall(route.path)) <= PATH_PARAMETERS, route.path


def _problems_with_b(
    route: Route, method: str, cities: TwoCities, client: TestClient, session: Session
) -> list[str]:
    """What went wrong when ``route`` was called on A's host with B's rows (empty: nothing)."""
    b = cities.b
    before = rows_of(session, b)
    path, options = b_request(route, method, cities)
    response = client.request(method, path, **options)
    status, location = response.status_code, response.headers.get("location", "")
    problems = []
    if rows_of(session, b) != before:
        problems.append("changed B's rows")
    if found := shown(response, b, repr(options)):
        problems.append(f"showed B's {sorted(found)}")
    if status >= 500 and not (path == "/api/readyz" and status == 503):
        problems.append(f"answered {status}")
    if b.host in location:
        problems.append(f"sent the browser to B's host: {location}")
    names_b = "{" in route.path and route.path != "/api/{rest:path}"
    # A GET of the mail link only leads to the page that asks first (nothing looked up).
    leads_to_page = status == 303 and method == "GET"
    if names_b and status not in REFUSED and not leads_to_page:
        problems.append(f"answered {status}, not 403/404")
    if path == "/api/staff/login" and SESSION_COOKIE in response.headers.get("set-cookie", ""):
        problems.append("signed B's staff member in")
    return [f"{method} {route.path}: {problem}" for problem in problems]


def test_b_rows_named_on_a_host_are_not_found_and_not_changed(
    cities: TwoCities, client: TestClient, session: Session
) -> None:
    problems = []
    for route, method in calls():
        problems += _problems_with_b(route, method, cities, client, session)
    assert not problems, "\n".join(problems)


def test_an_unknown_host_gets_404_on_every_route(
    cities: TwoCities, client: TestClient, session: Session
) -> None:
    before = rows_of(session, cities.a), rows_of(session, cities.b)
    problems = []
    for route, method in calls():
        path, options = b_request(route, method, cities)
        options["headers"]["host"] = UNKNOWN_HOST
        response = client.request(method, path, **options)
        if response.status_code != 404:
            problems.append(f"{method} {route.path}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert (rows_of(session, cities.a), rows_of(session, cities.b)) == before


def _service_names(client: TestClient, host: str, **headers: str) -> str:
    """The text of the service list as served at ``host`` (the query names another city)."""
    other = {"organisation": "kleinegem" if "gent" in host else "gent"}
    response = client.get("/api/v1/services", params=other, headers={"host": host, **headers})
    assert response.status_code == 200, response.text
    return response.text


def test_each_host_lists_only_its_own_services(cities: TwoCities, client: TestClient) -> None:
    a, b = cities.a, cities.b
    on_a = _service_names(client, a.host)
    on_b = _service_names(client, b.host)
    assert a.services[0].name["nl"] in on_a and b.services[0].name["nl"] not in on_a
    assert b.services[0].name["nl"] in on_b and a.services[0].name["nl"] not in on_b
    assert b.services[1].name["nl"] in on_b  # B's service with the slug Ghent also uses


def test_slots_of_b_are_found_only_on_b_host(cities: TwoCities, client: TestClient) -> None:
    b = cities.b
    path = f"/api/v1/services/{b.services[0].slug}/slots"
    day = b.appointments[1].start_at.date().isoformat()
    days = {"from": day, "to": day}
    assert client.get(path, params=days, headers={"host": cities.a.host}).status_code == 404
    on_b = client.get(path, params=days, headers={"host": b.host})
    assert on_b.status_code == 200 and on_b.json()


def test_x_forwarded_host_does_not_choose_the_organisation(
    cities: TwoCities, client: TestClient
) -> None:
    a, b = cities.a, cities.b
    forged = {"x-forwarded-host": b.host, "forwarded": f"host={b.host}", "x-original-host": b.host}
    on_a = _service_names(client, a.host, **forged)
    assert a.services[0].name["nl"] in on_a and b.services[0].name["nl"] not in on_a
    forged = {"x-forwarded-host": a.host, "forwarded": f"host={a.host}"}
    on_b = _service_names(client, b.host, **forged)
    assert b.services[0].name["nl"] in on_b and a.services[0].name["nl"] not in on_b


def _sign_in(client: TestClient, host: str, email: str, password: str) -> str:
    """The session token the sign-in at ``host`` set ("" when refused)."""
    client.cookies.clear()
    response = client.post(
        "/api/staff/login", data={"email": email, "password": password}, headers={"host": host}
    )
    assert response.status_code == 303
    cookie = response.headers.get("set-cookie", "")
    return cookie.split(";")[0].split("=", 1)[1] if cookie.startswith(SESSION_COOKIE) else ""


def test_staff_sign_in_on_a_host_finds_only_that_citys_staff(
    cities: TwoCities, client: TestClient, session: Session
) -> None:
    a, b = cities.a, cities.b
    assert _sign_in(client, b.host, a.staff["admin"].email, PASSWORD) == ""
    assert _sign_in(client, a.host, b.staff["admin"].email, PASSWORD) == ""
    # One address in both cities, another password in each: each host knows only its own.
    assert _sign_in(client, a.host, SHARED_EMAIL, PASSWORD + "-kleinegem") == ""
    assert _sign_in(client, b.host, SHARED_EMAIL, PASSWORD) == ""
    token = _sign_in(client, b.host, SHARED_EMAIL, PASSWORD + "-kleinegem")
    assert staff_for_token(session, token, utcnow()).organisation_id == b.organisation.id
    token = _sign_in(client, a.host, SHARED_EMAIL, PASSWORD)
    assert staff_for_token(session, token, utcnow()).organisation_id == a.organisation.id


def test_staff_of_a_on_b_host_cannot_download_documents(
    cities: TwoCities, client: TestClient
) -> None:
    a, b = cities.a, cities.b
    path = f"/api/staff/documents/{a.documents[0].id}"
    cookie = {SESSION_COOKIE: a.tokens["counsellor"]}  # the counsellor of the appointment
    assert client.get(path, headers={"host": a.host}, cookies=cookie).status_code == 200
    assert client.get(path, headers={"host": b.host}, cookies=cookie).status_code == 404


def _manage_answers(client: TestClient, host: str, reference: str, token: str) -> list[tuple]:
    """Status and body of every manage-link route for one reference and token."""
    bearer = {"host": host, "authorization": f"Bearer {token}"}
    answers = []
    for method, path, options in (
        ("GET", f"/api/v1/appointments/{reference}", {}),
        ("GET", f"/api/v1/appointments/{reference}/documents", {"params": {"token": token}}),
        ("POST", f"/api/v1/appointments/{reference}/cancel", {"json": {"reason": "x"}}),
        ("POST", f"/api/v1/appointments/{reference}/reschedule", {"json": {"start": "x"}}),
        (
            "POST",
            f"/api/v1/appointments/{reference}/not-requested",
            {"params": {"token": token}, "data": {"List-Unsubscribe": "One-Click"}},
        ),
    ):
        response = client.request(method, path, headers=bearer, **options)
        answers.append(
            (method, path.replace(reference, "REF"), response.status_code, response.json())
        )
    return answers


def test_a_manage_link_of_a_on_b_host_is_an_unknown_link(
    cities: TwoCities, client: TestClient, session: Session
) -> None:
    a, b = cities.a, cities.b
    appointment = a.appointments[1]
    before = rows_of(session, a)
    token = a.manage_tokens[appointment.reference]
    unknown = _manage_answers(client, b.host, "AAAA-AAAA", "0" * 64)
    assert _manage_answers(client, b.host, appointment.reference, token) == unknown
    assert rows_of(session, a) == before
    answers = _manage_answers(client, a.host, appointment.reference, token)
    assert answers[0][2] == 200  # the same link on its own host works
