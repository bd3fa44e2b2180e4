"""A staff member signs in with Microsoft Entra ID (the fake on loopback) in the browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.models import StaffMember
from tests.e2e.conftest import MICROSOFT
from tests.e2e.test_booking import assert_accessible
from tests.fakes.microsoft import DEFAULT_USERS

EVA, _MO, NINA = DEFAULT_USERS  # app roles: staff / manager + admin / none


def test_staff_sign_in_with_microsoft_lands_on_the_staff_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/medewerkers/aanmelden")
    button = page.get_by_role("link", name="Aanmelden met Microsoft")
    expect(button).to_be_visible()
    assert_accessible(page)

    button.click()
    expect(page.get_by_role("heading", name="Sign in to your account")).to_be_visible()
    assert page.url.startswith(f"{MICROSOFT.login_url}/{MICROSOFT.tenant}/oauth2/v2.0/authorize")
    assert_accessible(page)  # the fake's page is a fair stand-in for Microsoft's
    page.get_by_role("button", name=EVA.label).click()

    expect(page).to_have_url(re.compile(r"/medewerkers/?$"))
    expect(page.get_by_text(EVA.name, exact=True)).to_be_visible()
    menu = page.get_by_role("navigation", name="Menu voor medewerkers")
    expect(menu.get_by_role("link", name="Vandaag")).to_be_visible()
    expect(page.locator("#staff-sign-out")).to_be_visible()
    assert_accessible(page)
    with session_scope() as session:
        staff = session.exec(
            select(StaffMember).where(StaffMember.entra_object_id == EVA.oid)
        ).one()
        assert staff.roles == ["staff"] and staff.entra_tenant_id == MICROSOFT.tenant


def test_an_account_without_a_role_is_told_what_to_do(page: Page, base_url: str) -> None:
    page.goto(base_url + "/medewerkers/aanmelden")
    page.get_by_role("link", name="Aanmelden met Microsoft").click()
    page.get_by_role("button", name=NINA.label).click()

    expect(page).to_have_url(re.compile(r"/medewerkers/aanmelden/?\?fout=no_role$"))
    expect(page.locator("#sign-in-problem")).to_contain_text("geen rol")
    assert_accessible(page)
