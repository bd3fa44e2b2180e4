"""The managers' dashboard in the browser: figures from the database, a service filter, CSV.

The expected numbers come from balie.services.insight.statistics on the same database (the demo data
may carry a history of appointments), never from hard-coded demo counts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Organisation, Service
from balie.services.insight import statistics as stats
from tests.e2e.conftest import tab_to
from tests.e2e.staff_helpers import COUNSELLOR, MANAGER_ADMIN, sign_in_as
from tests.e2e.test_booking import assert_accessible

SERVICE = "woonwijzer"


def today() -> date:
    """Today in Ghent."""
    return utcnow().astimezone(ZoneInfo("Europe/Brussels")).date()


def figures(service_slug: str | None = None) -> tuple[stats.Dashboard, int | None]:
    """The statistics of the default period (all services, or one), and the service id."""
    with session_scope() as session:
        gent = session.exec(select(Organisation).where(Organisation.slug == "gent")).one()
        service_id = None
        if service_slug is not None:
            service_id = session.exec(select(Service.id).where(Service.slug == service_slug)).one()
        period = stats.default_period(session, gent.id, today())
        return stats.dashboard(session, gent.id, period, service_id, utcnow()), service_id


def expect_headline(page: Page, expected: stats.Headline) -> None:
    """The counts on the page are the expected ones."""
    for code in ("held", "booked", "cancelled", "no_shows", "services_live"):
        value = page.locator(f"#figure-{code} .dash-figure-value")
        expect(value).to_have_text(str(getattr(expected, code)))


def overlaps(page: Page, chart: str) -> list[list[str]]:
    """Pairs of a go-live label and an axis label of ``chart`` whose boxes overlap."""
    return page.evaluate(
        """chart => {
          const boxes = (selector) => [...document.querySelectorAll(chart + ' ' + selector)]
            .map((e) => [e.textContent, e.getBoundingClientRect()]);
          const waves = boxes('text.recharts-label');
          const ticks = boxes('.recharts-cartesian-axis-tick-value');
          const apart = (a, b) => a.right <= b.left || b.right <= a.left
            || a.bottom <= b.top || b.bottom <= a.top;
          if (!waves.length || !ticks.length) return [['no go-live or axis label in', chart]];
          return waves.flatMap(([w, a]) => ticks.filter(([, b]) => !apart(a, b))
            .map(([t]) => [w, t]));
        }""",
        chart,
    )


def test_manager_sees_figures_filters_and_downloads_csv(page: Page, base_url: str) -> None:
    sign_in_as(page, base_url, MANAGER_ADMIN)
    page.wait_for_url(lambda url: "/aanmelden" not in url)
    page.goto(base_url + "/statistieken")
    everything, _ = figures()
    expect(page.locator("#figure-held .dash-figure-value")).to_be_visible()
    expect_headline(page, everything.headline)
    expect(page.locator("#table-services tbody tr")).to_have_count(len(everything.per_service))
    expect(page.locator("#table-weeks tbody tr")).to_have_count(len(everything.held_per_week))
    expect(page.locator("#demo-data")).to_have_count(1 if everything.contains_demo_data else 0)
    expect(page.locator("#chart-weeks")).to_have_attribute("aria-hidden", "true")
    assert_accessible(page)

    one, service_id = figures(SERVICE)
    page.locator("#dash-service").select_option(str(service_id))
    page.locator("#dash-apply").click()
    expect(page.locator("#table-services tbody tr")).to_have_count(1)
    expect(page.locator(f"#table-services tr[data-service='{SERVICE}']")).to_be_visible()
    expect_headline(page, one.headline)
    expect(page.locator("#figure-services_live .dash-figure-value")).to_have_text("1")
    expect(page.locator("#dash-service")).to_have_value(str(service_id))
    assert_accessible(page)

    with page.expect_download() as info:
        page.locator("#csv-headline").click()
    download = info.value
    assert download.suggested_filename == (
        f"balie-headline-{one.period.first.isoformat()}-{one.period.last.isoformat()}.csv"
    )
    text = Path(download.path()).read_bytes().decode()
    assert text == stats.to_csv(stats.tables(one)["headline"])
    assert text.splitlines()[0] == "figure,value"
    assert text.splitlines()[1] == f"held,{one.headline.held}"

    with page.expect_download() as info:
        page.locator("#csv-services").click()
    lines = Path(info.value.path()).read_bytes().decode().splitlines()
    assert lines[0].startswith("service,name,held,upcoming,no_show_rate,median_lead_time_days,")
    assert len(lines) == 2 and lines[1].startswith(
        f"{SERVICE},Woonwijzer,{one.per_service[0].held},"
    )


def test_a_bad_period_is_explained_and_kept(page: Page, base_url: str) -> None:
    sign_in_as(page, base_url, MANAGER_ADMIN)
    page.wait_for_url(lambda url: "/aanmelden" not in url)
    page.goto(base_url + "/statistieken")
    expect(page.locator("#figure-held .dash-figure-value")).to_be_visible()
    page.locator("#dash-from").fill("2026-06-30")
    page.locator("#dash-to").fill("2026-06-01")
    page.locator("#dash-apply").click()
    expect(page.locator("#dash-filter-error")).to_contain_text("vóór of op de laatste dag")
    expect(page.locator("#dash-from")).to_have_value("2026-06-30")
    expect(page.locator("#dash-from")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_a_counsellor_gets_no_access(page: Page, base_url: str) -> None:
    sign_in_as(page, base_url, COUNSELLOR)
    page.wait_for_url(lambda url: "/aanmelden" not in url)
    page.goto(base_url + "/statistieken")
    expect(page.locator("#no-access")).to_be_visible()
    expect(page.locator("#figure-held")).to_have_count(0)
    assert_accessible(page)


def test_dashboard_reads_at_a_glance_at_1280_by_800(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, base_url, MANAGER_ADMIN)
    page.wait_for_url(lambda url: "/aanmelden" not in url)
    page.goto(base_url + "/statistieken")
    everything, _ = figures()
    expect(page.locator("#figure-held .dash-figure-value")).to_be_visible()
    # The key figures come first: all of them inside the window without scrolling.
    for code in ("held", "upcoming", "booked", "cancelled", "no_shows", "services_live"):
        expect(page.locator(f"#figure-{code}")).to_be_in_viewport(ratio=1)
    expect(page.locator("#figure-upcoming .dash-figure-value")).to_have_text(
        str(everything.upcoming)
    )
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], sizes

    # Colour is not the only cue: each service's bars have a pattern of their own, which the
    # legend shows too; the go-live labels stay clear of every axis label.
    for chart_id in ("#chart-weeks", "#chart-months"):
        fills = page.evaluate(
            """id => [...document.querySelectorAll(id + ' .recharts-bar')].map(
                 bar => bar.querySelector('path')?.getAttribute('fill'))""",
            chart_id,
        )
        fills = [fill for fill in fills if fill]
        assert fills and len(set(fills)) == len(fills), fills
        assert all(fill.startswith("url(#series-pattern-") for fill in fills), fills
        assert overlaps(page, chart_id) == [], overlaps(page, chart_id)
    assert page.locator("pattern#series-pattern-1 line").count() > 0

    # The weekly table is behind a disclosure that opens and closes by keyboard.
    table = page.locator("#table-weeks")
    expect(table).to_be_hidden()
    tab_to(page, "#show-table-weeks", limit=200)
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(page.locator("#table-weeks caption")).to_have_text("Gesprekken per week")
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], sizes  # the open table scrolls inside its own container
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(table).to_be_hidden()

    tab_to(page, "#csv-weeks", limit=200)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    text = Path(info.value.path()).read_bytes().decode()
    assert text == stats.to_csv(stats.tables(everything)["weeks"])
