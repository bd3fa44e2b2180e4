"""Shared steps of the staff browser tests: give a demo person a password and sign in."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select

from balie.db import session_scope
from balie.services.demo_data import DEMO_AGENT, DEMO_MANAGER, demo_email
from balie.services.staff import staff_auth
from balie.states.staff_session import first_page_for

PASSWORD = "een-lang-wachtwoord-2026"
COUNSELLOR = "Lotte Claeys"  # Verhuurderspunt in the demo data (role staff)
MANAGER_ADMIN = DEMO_MANAGER[0]  # roles manager + admin
AGENT = DEMO_AGENT[0]  # Gentinfo, role agent


def with_password(display_name: str) -> str:
    """Give the demo staff member ``display_name`` the test password; returns their e-mail."""
    from balie.models import StaffMember

    email = demo_email(display_name)
    with session_scope() as session:
        staff = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
        staff.password_hash = staff_auth.hash_password(PASSWORD)
        session.add(staff)
        session.commit()
    return email


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the local sign-in form."""
    page.goto(base_url + "/medewerkers/aanmelden")
    page.locator("#staff-email").fill(email)
    page.locator("#staff-password").fill(password)
    page.locator("#staff-sign-in").click()


def sign_in_as(page: Page, base_url: str, display_name: str) -> None:
    """Sign in as the demo staff member ``display_name``; returns once the landing page is in."""
    from balie.models import StaffMember

    email = with_password(display_name)
    with session_scope() as session:
        roles = session.exec(select(StaffMember.roles).where(StaffMember.email == email)).one()
    sign_in(page, base_url, email)
    # Navigating away before the landing page (after the redirect by role) has loaded would cut
    # off its load event, which then holds this browser's state lock (Redis variant) a while.
    landing = first_page_for(list(roles))
    page.wait_for_url(lambda url: url.rstrip("/").endswith(landing), timeout=15_000)
    expect(page.locator("#staff-sign-out")).to_be_visible(timeout=15_000)
