"""Documents in the browser, keyboard only: the citizen sends a PDF (and an EICAR test file,
refused) from the manage page; the counsellor sees it on the call card, downloads it, and adds
a document for the citizen. axe-core and HTML_CodeSniffer find nothing on either page."""

from __future__ import annotations

import secrets
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlmodel import select

from balie.db import session_scope
from balie.models import Appointment
from balie.services.booking import manage_token_for, token_hash
from tests.clamav import EICAR
from tests.e2e.conftest import tab_to
from tests.e2e.htmlcs import htmlcs_errors
from tests.e2e.staff_helpers import COUNSELLOR, sign_in_as
from tests.e2e.test_booking import assert_accessible
from tests.e2e.test_staff import appointment_at, two_starts_today
from tests.samples import pdf_document


def personal_link(reference: str) -> str:
    """Give the appointment a known manage token; its personal link (path and query)."""
    token = manage_token_for(reference, secrets.token_hex())
    with session_scope() as session:
        appointment = session.exec(
            select(Appointment).where(Appointment.reference == reference)
        ).one()
        appointment.manage_token_hash = token_hash(token)
        session.add(appointment)
        session.commit()
    return f"/afspraak?ref={reference}&token={token}"


def choose_file_with_keyboard(page: Page, zone: str, path: Path) -> None:
    """Tab to the upload zone, press Enter, and pick ``path`` in the file dialog.

    On the busy CI machine a keypress during a re-render sometimes opens no dialog; a keyboard
    user would press Enter again, and so does this (at most three times).
    """
    for attempt in range(3):
        tab_to(page, zone)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Enter")
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            continue
        chooser.value.set_files(str(path))
        return


def send_with_keyboard(page: Page, button: str) -> None:
    """Tab to the send button and press Enter."""
    tab_to(page, button)
    page.keyboard.press("Enter")


def download_with_keyboard(page: Page, link: str) -> bytes:
    """Tab to a download link, press Enter, and return what was downloaded."""
    tab_to(page, link)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    return Path(download.value.path()).read_bytes()


def assert_no_htmlcs_errors(page: Page) -> None:
    """HTML_CodeSniffer (WCAG2AA) reports no errors."""
    errors = htmlcs_errors(page)
    assert errors == [], errors


def test_citizen_sends_a_document_and_the_counsellor_downloads_it(
    page: Page, browser: Browser, base_url: str, tmp_path: Path
) -> None:
    first, _second = two_starts_today()
    reference = appointment_at("Mira Documenta", first)
    pdf = pdf_document("Attest gezinssamenstelling Mira")
    (tmp_path / "attest.pdf").write_bytes(pdf)
    (tmp_path / "eicar.pdf").write_bytes(EICAR)

    page.goto(base_url + personal_link(reference))
    expect(page.locator("#documents")).to_have_text("Documenten")
    expect(page.locator("#document-list-none")).to_be_visible()
    assert_accessible(page)
    assert_no_htmlcs_errors(page)

    # The EICAR test file, named .pdf, is refused as a virus and not kept.
    choose_file_with_keyboard(page, ".upload-zone", tmp_path / "eicar.pdf")
    expect(page.locator("#citizen-documents-chosen")).to_contain_text("eicar.pdf")
    send_with_keyboard(page, "#citizen-documents-send")
    expect(page.locator("#document-message")).to_contain_text("Dit bestand bevat een virus")
    expect(page.locator("#document-message [role=alert]")).to_be_visible()
    expect(page.locator("#document-list-none")).to_be_visible()
    assert_accessible(page)

    # A real PDF is received, checked, and listed with a download link.
    choose_file_with_keyboard(page, ".upload-zone", tmp_path / "attest.pdf")
    send_with_keyboard(page, "#citizen-documents-send")
    expect(page.locator("#document-message")).to_contain_text("ontvangen en gecontroleerd")
    expect(page.locator("#document-list")).to_contain_text("attest.pdf")
    assert_accessible(page)
    assert_no_htmlcs_errors(page)
    assert download_with_keyboard(page, "#document-list a.document-link") == pdf

    # The counsellor, in another browser, sees it on the call card and downloads it.
    staff_context = browser.new_context()
    staff_page = staff_context.new_page()
    sign_in_as(staff_page, base_url, COUNSELLOR)
    card = staff_page.locator(f"#card-{reference}")
    expect(card.locator(f"#docs-{reference}")).to_contain_text("attest.pdf")
    expect(card.locator(f"#docs-{reference}")).to_contain_text("van de burger")
    assert_accessible(staff_page)
    assert_no_htmlcs_errors(staff_page)
    assert download_with_keyboard(staff_page, f"#docs-{reference} a.document-link") == pdf

    # The counsellor adds a certificate for the citizen.
    certificate = pdf_document("Uittreksel uit het bevolkingsregister")
    (tmp_path / "uittreksel.pdf").write_bytes(certificate)
    tab_to(staff_page, f"#card-{reference} .open-upload")
    staff_page.keyboard.press("Enter")
    expect(staff_page.locator("#staff-upload-heading")).to_be_focused()
    choose_file_with_keyboard(
        staff_page, "#staff-upload-panel .upload-zone", tmp_path / "uittreksel.pdf"
    )
    send_with_keyboard(staff_page, "#staff-documents-send")
    expect(staff_page.locator("#staff-doc-message")).to_contain_text("ontvangen en gecontroleerd")
    expect(card.locator(f"#docs-{reference}")).to_contain_text("uittreksel.pdf")
    assert_accessible(staff_page)
    assert_no_htmlcs_errors(staff_page)
    staff_context.close()

    # The citizen sees it (from the city) after a reload, and can download it.
    page.reload()
    expect(page.locator("#document-list")).to_contain_text("uittreksel.pdf")
    expect(page.locator("#document-list")).to_contain_text("van de stad")
    assert download_with_keyboard(page, "#document-list li:nth-child(2) a.document-link") == (
        certificate
    )


def test_the_privacy_notice_names_the_documents(page: Page, base_url: str) -> None:
    page.goto(base_url + "/privacy")
    expect(page.locator("#privacy-kept")).to_contain_text("de documenten die jij of de medewerker")
    expect(page.locator("#privacy-kept")).to_contain_text("versleuteld")
