"""Organisations on the platform, from the command line.

``python -m balie.org create --slug aalst --name "Stad Aalst" --host videoloket.aalst.be
--admin-email ict@aalst.be [--admin-name NAME] [--catalogue-from gent | --catalogue file.json]``
``python -m balie.org list``

The first administrator gets no password here: they sign in with Microsoft (the city's Entra
tenant) or get one with ``python -m balie.staff set-password --org aalst --email …``.
"""

from __future__ import annotations

import argparse
import json
import sys

from sqlmodel import select

from balie.catalogue import CommandError, _read
from balie.db import session_scope
from balie.models import Organisation
from balie.services import catalogue_io, platform
from balie.services.catalogue_admin import Invalid


def _parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m balie.org", description="Create and list the platform's organisations."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an organisation with its first host")
    create.add_argument("--slug", required=True, help="short name: lower case, digits, hyphens")
    create.add_argument("--name", required=True, help="display name, e.g. 'Stad Aalst'")
    create.add_argument("--host", required=True, help="host name citizens use")
    create.add_argument("--admin-email", required=True, help="e-mail of the first administrator")
    create.add_argument("--admin-name", default="", help="name of the first administrator")
    source = create.add_mutually_exclusive_group()
    source.add_argument(
        "--catalogue-from", metavar="SLUG", help="copy this organisation's catalogue"
    )
    source.add_argument("--catalogue", metavar="FILE", help="import this catalogue JSON file")
    commands.add_parser("list", help="list the organisations")
    return parser


def _create(args: argparse.Namespace) -> str:
    """Create the organisation; the report lines."""
    form = {
        "slug": args.slug,
        "name": args.name,
        "host": args.host,
        "admin_email": args.admin_email,
        "admin_name": args.admin_name,
    }
    with session_scope() as session:
        try:
            new = platform.check_new(session, form)
        except Invalid as problem:
            fields = ", ".join(f"--{name.replace('_', '-')}" for name in problem.errors)
            raise CommandError(
                f"Not valid: {fields} ({', '.join(problem.errors.values())})."
            ) from None
        catalogue = None
        if args.catalogue_from:
            try:
                catalogue = platform.catalogue_of(session, args.catalogue_from)
            except LookupError:
                raise CommandError(
                    f"Organisation {args.catalogue_from!r} does not exist."
                ) from None
        elif args.catalogue:
            catalogue = json.loads(_read(args.catalogue))
        created = platform.create_organisation(session, new, catalogue=catalogue)
        organisation, admin = created.organisation, created.admin
        lines = [
            f"Created organisation {organisation.slug} ({organisation.name}) at {created.host}.",
            f"First administrator: {admin.email} (sign in with Microsoft, or give a password: "
            f"python -m balie.staff set-password --org {organisation.slug} --email {admin.email}).",
        ]
        if created.imported is not None:
            counts = created.imported.as_dict()
            lines.append(
                f"Catalogue: {counts['services_added']} services, {counts['topics_added']} topics."
            )
    return "\n".join(lines) + "\n"


def _list() -> str:
    """One line per organisation."""
    with session_scope() as session:
        rows = session.exec(select(Organisation).order_by(Organisation.slug)).all()
        return "".join(f"{row.slug}\t{row.name}\n" for row in rows)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        sys.stdout.write(_create(args) if args.command == "create" else _list())
    except catalogue_io.CatalogueError as problem:
        sys.stderr.write("error: the catalogue is refused, nothing was created:\n")
        for item in problem.problems:
            sys.stderr.write(f"  {item}\n")
        return 1
    except json.JSONDecodeError as problem:
        sys.stderr.write(f"error: the catalogue file is not JSON ({problem.msg}).\n")
        return 1
    except CommandError as problem:
        sys.stderr.write(f"error: {problem}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
