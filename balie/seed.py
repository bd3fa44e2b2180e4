"""Load the Ghent demo data: ``python -m balie.seed [--if-empty]``."""

from __future__ import annotations

import argparse
import secrets
import sys

from sqlmodel import Session, select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import StaffMember
from balie.services import demo_second_city as second_city
from balie.services import tenancy
from balie.services.demo_data import (
    DEMO_AGENT,
    DEMO_MANAGER,
    database_is_empty,
    demo_email,
    load_demo_data,
    load_demo_history,
)
from balie.services.demo_second_city import load_second_city
from balie.services.staff.staff_auth import set_password
from balie.settings import get_settings

# Counsellors of Energiecentrale and Verhuurderspunt, the manager (who is also the administrator:
# figures, catalogue, staff) and the contact centre's agent: one of each kind of work.
DEMO_SIGN_INS = ("Sara De Smet", "Lotte Claeys", DEMO_MANAGER[0], DEMO_AGENT[0])


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = argparse.ArgumentParser(description="Load the demo data for Stad Gent.")
    parser.add_argument(
        "--if-empty", action="store_true", help="only load when the database has no organisation"
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    if settings.is_production:
        print("Demo data is never loaded in production mode (BALIE_ENV=production).")
        return 1
    with session_scope() as session:
        if args.if_empty and not database_is_empty(session):
            print("Database already has data; demo data not loaded.")
            return 0
        report = load_demo_data(session)
        history = load_demo_history(session, utcnow(), settings.retention_days)
        logins = demo_logins(session) if report.staff else []
        second = load_second_city(session)
        emails = tuple(second_city.email_of(name) for name in second_city.SIGN_INS)
        second_logins = demo_logins(session, emails) if second.staff else []
    print(
        f"Demo data for Stad Gent: added {report.organisations} organisation(s), "
        f"{report.services} service(s), {report.topics} topic(s), {report.staff} staff member(s)."
    )
    print(f"Demo history: added {history} past appointment(s), marked as demo data.")
    for email, password, roles in logins:
        print(
            f"Demo sign-in at /medewerkers/aanmelden: {email}  password: {password}"
            f"  (roles: {', '.join(roles)})"
        )
    merelbeke = tenancy.public_base_url_for(second_city.SLUG)
    print(
        f"Second demo municipality (Gemeente Merelbeke): added {second.services} service(s); "
        f"open it at {merelbeke}"
    )
    for email, password, roles in second_logins:
        print(
            f"Merelbeke sign-in at {merelbeke}/medewerkers/aanmelden: {email}  "
            f"password: {password}  (roles: {', '.join(roles)})"
        )
    return 0


def demo_logins(session: Session, emails: tuple[str, ...] = ()) -> list[tuple[str, str, list[str]]]:
    """Give the demo sign-ins fresh random passwords (shown once, on the console); their roles."""
    logins = []
    for email in emails or tuple(demo_email(name) for name in DEMO_SIGN_INS):
        staff = session.exec(select(StaffMember).where(StaffMember.email == email)).one()
        password = secrets.token_urlsafe(12)
        set_password(session, staff, password, utcnow())
        logins.append((staff.email, password, list(staff.roles)))
    return logins


if __name__ == "__main__":
    sys.exit(main())
