"""Staff accounts with a local password, from the command line.

``python -m balie.staff create --email E --name N --role staff --service energiecentrale``
``python -m balie.staff set-password --email E``

The password comes from stdin with ``--password-stdin`` (one line), otherwise it is asked twice.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlmodel import Session, select

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Organisation, Service
from balie.services.catalogue import get_organisation
from balie.services.staff import staff_auth
from balie.settings import get_settings


class CommandError(Exception):
    """A problem to report to the user in one sentence (exit status 1)."""


def _parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m balie.staff", description="Manage staff accounts with a local password."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a staff member who signs in locally")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument(
        "--role", action="append", default=[], help="staff, agent, manager or admin (repeatable)"
    )
    create.add_argument(
        "--service", action="append", default=[], help="slug of a service they serve (repeatable)"
    )
    create.add_argument("--password-stdin", action="store_true", help="read the password on stdin")
    reset = commands.add_parser("set-password", help="set a new password (ends open sessions)")
    reset.add_argument("--email", required=True)
    reset.add_argument("--org", help="organisation slug (default: BALIE_ORGANISATION)")
    reset.add_argument("--password-stdin", action="store_true", help="read the password on stdin")
    return parser


def _read_password(from_stdin: bool) -> str:
    """The new password, from one line of stdin or typed twice; checked for strength."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise CommandError("The passwords do not match.")
    if staff_auth.check_password_strength(password):
        raise CommandError(
            f"The password is too weak: use {staff_auth.PASSWORD_MIN} to "
            f"{staff_auth.PASSWORD_MAX} characters."
        )
    return password


def _organisation(session: Session, slug: str | None = None) -> Organisation:
    """The organisation named on the command line, or the configured one."""
    slug = slug or get_settings().organisation
    organisation = get_organisation(session, slug)
    if organisation is None:
        raise CommandError(f"Organisation {slug!r} does not exist (BALIE_ORGANISATION).")
    return organisation


def _services(session: Session, organisation: Organisation, slugs: list[str]) -> list[Service]:
    """The organisation's services with these slugs; CommandError naming any unknown ones."""
    found = {
        service.slug: service
        for service in session.exec(
            select(Service).where(
                Service.organisation_id == organisation.id, Service.slug.in_(slugs)
            )
        )
    }
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise CommandError(f"Unknown service(s): {', '.join(unknown)}.")
    return [found[slug] for slug in dict.fromkeys(slugs)]


def _create(args: argparse.Namespace) -> str:
    """Create the account; the report line."""
    roles = args.role or ["staff"]
    staff_auth.check_roles(roles)
    with session_scope() as session:
        organisation = _organisation(session)
        services = _services(session, organisation, args.service)
        if staff_auth.find_staff_by_email(session, organisation.id, args.email) is not None:
            raise CommandError(f"A staff member with e-mail {args.email} already exists.")
        password = _read_password(args.password_stdin)
        staff = staff_auth.create_local_account(
            session,
            organisation.id,
            args.email,
            args.name,
            roles,
            password,
            service_ids=[service.id for service in services],
        )
    serves = ", ".join(service.slug for service in services) or "none"
    return (
        f"Created staff member {staff.display_name} <{staff.email}> (id {staff.id}) in "
        f"{organisation.slug}; roles: {', '.join(staff.roles)}; services: {serves}.\n"
    )


def _set_password(args: argparse.Namespace) -> str:
    """Give an existing staff member a new password; the report line."""
    with session_scope() as session:
        organisation = _organisation(session, args.org)
        staff = staff_auth.find_staff_by_email(session, organisation.id, args.email)
        if staff is None:
            raise CommandError(f"No staff member with e-mail {args.email} in {organisation.slug}.")
        password = _read_password(args.password_stdin)
        ended = staff_auth.set_password(session, staff, password, utcnow())
    return f"Password set for {staff.display_name} <{staff.email}>; {ended} session(s) ended.\n"


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    action = _create if args.command == "create" else _set_password
    try:
        sys.stdout.write(action(args))
    except (CommandError, ValueError) as problem:
        sys.stderr.write(f"error: {problem}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
