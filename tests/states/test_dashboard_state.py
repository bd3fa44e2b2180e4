"""The dashboard state: only managers and admins see figures, every filter is checked, and the
page shows exactly what balie.services.insight.statistics.dashboard computes."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import Organisation, Service, StaffMember
from balie.services.demo_data import DEMO_MANAGER, demo_email
from balie.services.insight import statistics as stats
from balie.services.staff import staff_auth
from balie.states.dashboard import DashboardState, parse_period, parse_service
from tests.services.insight.test_statistics import build_with_feedback as build

PASSWORD = "een-lang-wachtwoord"
MANAGER = DEMO_MANAGER[0]
COUNSELLOR = "Lotte Claeys"
HOSTILE: list[Any] = [None, 0, -1, "999999", "x", {}, [], True, 10**12, "1 OR 1=1"]


def state_with_cookie(token: str) -> DashboardState:
    """A dashboard state on a connection that carries ``token`` in its cookie header."""
    state = DashboardState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data({"headers": {"cookie": f"balie_staff={token}"}})
    return state


def signed_in(session: Session, name: str) -> DashboardState:
    """A dashboard state for the demo staff member ``name``, after opening the page."""
    email = demo_email(name)
    member = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
    member.password_hash = staff_auth.hash_password(PASSWORD)
    session.commit()
    _member, token = staff_auth.sign_in_local(session, email, PASSWORD, "127.0.0.1", utcnow())
    state = state_with_cookie(token)
    DashboardState.load.fn(state)
    return state


def today() -> date:
    """Today in Ghent."""
    return utcnow().astimezone(ZoneInfo("Europe/Brussels")).date()


def expected(session: Session, organisation: Organisation, service_id: int | None = None):
    """The statistics of the default period (as the page computes them)."""
    period = stats.default_period(session, organisation.id, today())
    return stats.dashboard(session, organisation.id, period, service_id, utcnow())


def shown(state: DashboardState) -> dict[str, str]:
    """The headline figures on the page, in Dutch."""
    return {figure.code: figure.value["nl"] for figure in state.headline}


def download(spec: Any) -> tuple[str, str]:
    """File name and text of an rx.download event."""
    values = {str(name): value._var_value for name, value in spec.args}
    prefix = "data:text/csv;base64,"
    assert values["url"].startswith(prefix)
    return values["filename"], base64.b64decode(values["url"][len(prefix) :]).decode()


def test_public_handlers_are_exactly_these() -> None:
    assert sorted(DashboardState.event_handlers) == [
        "apply_filters",
        "download_csv",
        "load",
        "reset_filters",
        "setvar",
    ]


@pytest.mark.parametrize("token", ["", "not-a-session", "x" * 5000])
def test_without_a_valid_session_nothing_is_shown(
    session: Session, app_database: Engine, token: str
) -> None:
    build(session)
    state = state_with_cookie(token)
    assert DashboardState.load.fn(state) is not None  # the redirect to sign in
    DashboardState.apply_filters.fn(state, {"from": "2026-01-01", "to": "2026-12-31"})
    DashboardState.reset_filters.fn(state)
    assert DashboardState.download_csv.fn(state, "headline") is None
    assert state.headline == [] and state.services_table == [] and state.display_name == ""


def test_a_counsellor_gets_the_no_access_notice(session: Session, app_database: Engine) -> None:
    build(session)
    state = signed_in(session, COUNSELLOR)
    assert state.access_denied is True and state.headline == [] and state.weeks_table == []
    DashboardState.apply_filters.fn(state, {"from": "2026-01-01", "to": "2026-12-31"})
    DashboardState.reset_filters.fn(state)
    assert DashboardState.download_csv.fn(state, "services") is None
    assert state.headline == [] and state.services_table == []


def test_the_manager_sees_the_figures_of_the_default_period(
    session: Session, app_database: Engine
) -> None:
    gent = build(session)
    state = signed_in(session, MANAGER)
    figures = expected(session, gent)
    assert state.access_denied is False and state.loaded is True
    assert (state.date_from, state.date_to, state.service) == (
        "2025-11-03",
        today().isoformat(),
        "",
    )
    assert shown(state) == {
        "held": "6",
        "upcoming": "0",  # from now: #11 and #12 lie in the past by now
        "booked": "2",  # #11 and #12 (the test's NOW was 4 November; today is later)
        "cancelled": "2",
        "no_shows": "2",
        "no_show_rate": "25,0 %",
        "cancellation_rate": "16,7 %",
        "satisfaction": "3,5",
        "services_live": "9",
    }
    assert state.headline[7].detail == {"nl": "4 antwoorden", "en": "4 answers"}
    assert state.headline[5].value["en"] == "25.0%"
    assert figures.headline.held == 6
    assert [row.label for row in state.weeks_table] == [w for w, _ in figures.held_per_week]
    march = next(row for row in state.months_table if row.label == "2026-03")
    assert march.cells == ["0", "2", "0", "0", "0", "0", "0", "1", "0", "3"]  # + total
    assert [series.slug for series in state.series][:2] == ["energiecentrale", "woonwijzer"]
    assert state.weeks_chart[0]["label"] == "2025-W45"
    woonwijzer = next(row for row in state.services_table if row.slug == "woonwijzer")
    assert (woonwijzer.held, woonwijzer.no_show_rate["nl"], woonwijzer.lead_time["nl"]) == (
        "3",
        "25,0 %",
        "2,0",  # leads 9, 2, 1, 1 and (#11) 9 days
    )
    assert woonwijzer.outcomes == ["1", "1", "0", "1"]
    march_channels = next(row for row in state.channels_table if row.label == "2026-03")
    assert march_channels.cells == ["3", "1", "4"]
    assert [wave.day for wave in state.wave_weeks] == ["2025-11-03", "2026-02-23"]
    assert state.demo is False


def test_filtering_by_service_and_period(session: Session, app_database: Engine) -> None:
    gent = build(session)
    state = signed_in(session, MANAGER)
    gas = session.exec(select(Service.id).where(Service.slug == "gas-boetes")).one()
    DashboardState.apply_filters.fn(
        state, {"from": "2026-03-01", "to": "2026-10-31", "service": str(gas)}
    )
    assert state.filter_error == ""
    assert (state.date_from, state.date_to, state.service) == ("2026-03-01", "2026-10-31", str(gas))
    assert shown(state)["held"] == "3" and shown(state)["services_live"] == "1"
    assert [row.slug for row in state.services_table] == ["gas-boetes"]
    assert [series.slug for series in state.series] == ["gas-boetes"]
    assert len(state.weeks_table[0].cells) == 2  # gas-boetes and the total
    name, text = download(DashboardState.download_csv.fn(state, "headline"))
    assert name == "balie-headline-2026-03-01-2026-10-31.csv"
    period = stats.Period(date(2026, 3, 1), date(2026, 10, 31))
    figures = stats.dashboard(session, gent.id, period, gas, utcnow())
    assert text == stats.to_csv(stats.tables(figures)["headline"])
    assert text.splitlines()[1] == "held,3"
    DashboardState.reset_filters.fn(state)
    assert state.service == "" and shown(state)["held"] == "6"


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"from": "2026-13-01", "to": "2026-12-31"}, "dash_error_date"),
        ({"from": "x", "to": "2026-12-31"}, "dash_error_date"),
        ({"from": None, "to": 5}, "dash_error_date"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "dash_error_order"),
        ({"from": "1999-12-31", "to": "2026-02-01"}, "dash_error_range"),
        ({"from": "2026-01-01", "to": "2099-01-01"}, "dash_error_range"),
        ({"from": "2026-01-01", "to": "2026-02-01", "service": "999999"}, "dash_error_service"),
        ({"from": "2026-01-01", "to": "2026-02-01", "service": True}, "dash_error_service"),
        ({"from": "2026-01-01", "to": "2026-02-01", "service": "1 OR 1=1"}, "dash_error_service"),
    ],
)
def test_bad_filters_get_a_message_and_change_nothing(
    session: Session, app_database: Engine, form: dict, problem: str
) -> None:
    build(session)
    state = signed_in(session, MANAGER)
    before = (shown(state), state.date_from, state.date_to, state.service)
    DashboardState.apply_filters.fn(state, form)
    assert state.filter_error == problem
    assert (shown(state), state.date_from, state.date_to, state.service) == before


def test_a_service_of_another_organisation_is_refused(
    session: Session, app_database: Engine
) -> None:
    build(session)
    other = Organisation(slug="elders", name="Elders")
    session.add(other)
    session.flush()
    foreign = Service(
        organisation_id=other.id,
        slug="x",
        name={"nl": "X"},
        description={},
        live_from=date(2025, 1, 1),
    )
    session.add(foreign)
    session.commit()
    state = signed_in(session, MANAGER)
    form = {"from": "2026-01-01", "to": "2026-02-01", "service": str(foreign.id)}
    DashboardState.apply_filters.fn(state, form)
    assert state.filter_error == "dash_error_service" and state.service == ""


@pytest.mark.parametrize("value", [*HOSTILE, "../headline", "HEADLINE"])
def test_only_known_tables_are_exported(session: Session, app_database: Engine, value: Any) -> None:
    build(session)
    state = signed_in(session, MANAGER)
    assert DashboardState.download_csv.fn(state, value) is None
    for table in stats.TABLES:
        name, text = download(DashboardState.download_csv.fn(state, table))
        assert name.startswith(f"balie-{table}-2025-11-03-")
        assert text.endswith("\r\n")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_form_data_is_ignored(session: Session, app_database: Engine, value: Any) -> None:
    build(session)
    state = signed_in(session, MANAGER)
    before = shown(state)
    DashboardState.apply_filters.fn(state, value)
    DashboardState.apply_filters.fn(state, {"from": value, "to": value, "service": value})
    assert shown(state) == before


def test_demo_data_is_announced(session: Session, app_database: Engine) -> None:
    build(session)
    from tests.services.insight.test_statistics import numbered

    appointment = numbered(session, 5)
    appointment.is_demo = True
    session.add(appointment)
    session.commit()
    assert signed_in(session, MANAGER).demo is True


def test_parsers() -> None:
    today_ = date(2026, 11, 29)
    assert parse_period("2026-01-01", "2026-01-31", today_) == stats.Period(
        date(2026, 1, 1), date(2026, 1, 31)
    )
    assert parse_period("2026-01-01", (today_ + timedelta(days=367)).isoformat(), today_) == (
        "dash_error_range"
    )
    assert parse_period("20260101", "2026-01-31", today_) == "dash_error_date"
    assert parse_service("", {1}) is None
    assert parse_service("1", {1}) == 1 and parse_service(1, {1}) == 1
    assert parse_service("2", {1}) == "dash_error_service"
    assert parse_service("1" * 20, {1}) == "dash_error_service"


def test_key_figures_compare_with_the_previous_period() -> None:
    from balie.states.dashboard import PERCENT_POINTS, _points, _relative

    assert _relative(12, 10) == (
        {"nl": "↑ 20 % t.o.v. vorige periode", "en": "↑ 20% vs. previous period"},
        "up",
    )
    assert _relative(5, 10)[0]["en"] == "↓ 50% vs. previous period"
    assert _relative(5, 0) == ({"nl": "↑ vorige periode: 0", "en": "↑ previous period: 0"}, "up")
    assert _relative(0, 0) == ({}, "")  # nothing to compare
    assert _relative(3, 3)[1] == "same"
    change, trend = _points(0.25, 0.2, 100, PERCENT_POINTS)
    assert change["nl"] == "↑ 5,0 procentpunt t.o.v. vorige periode" and trend == "up"
    assert _points(None, 0.2, 100, PERCENT_POINTS) == ({}, "")
