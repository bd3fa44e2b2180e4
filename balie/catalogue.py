"""A city's catalogue as JSON, from the command line (format: docs/catalogue-format.md).

``python -m balie.catalogue export --org gent [--with-staff] > gent.json``
``python -m balie.catalogue import --org aalst gent.json [--replace] [--create "Stad Aalst"]``
``python -m balie.catalogue schema > docs/catalogue.schema.json``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from sqlmodel import Session

from balie.db import session_scope
from balie.models import Organisation
from balie.services import catalogue_io
from balie.services.catalogue import get_organisation
from balie.settings import get_settings


class CommandError(Exception):
    """A problem to report to the user in one sentence (exit status 1)."""


def _parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m balie.catalogue",
        description="Export or import a city's catalogue (services, topics, hours) as JSON.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write the catalogue as JSON to standard output")
    export.add_argument("--org", help="organisation slug (default: BALIE_ORGANISATION)")
    export.add_argument(
        "--with-staff",
        action="store_true",
        help="include staff members, their services and weekly hours (names and work e-mail)",
    )
    load = commands.add_parser("import", help="bring the catalogue in line with a JSON file")
    load.add_argument("file", help="the JSON file, or - for standard input")
    load.add_argument("--org", help="organisation slug (default: BALIE_ORGANISATION)")
    load.add_argument(
        "--replace",
        action="store_true",
        help="also remove services and topics the file leaves out (deactivate when booked)",
    )
    load.add_argument(
        "--create",
        metavar="NAME",
        help="create the organisation with this display name when it does not exist yet",
    )
    commands.add_parser("schema", help="write the JSON Schema of the format")
    return parser


def _organisation(session: Session, slug: str | None) -> Organisation:
    """The organisation named on the command line (or configured)."""
    slug = slug or get_settings().organisation
    organisation = get_organisation(session, slug)
    if organisation is None:
        raise CommandError(f"Organisation {slug!r} does not exist.")
    return organisation


def _read(name: str) -> bytes:
    """The file's bytes (standard input for -), refusing files over the size limit."""
    limit = catalogue_io.MAX_BYTES
    if name == "-":
        raw = sys.stdin.buffer.read(limit + 1)
    else:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"No such file: {name}.")
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise CommandError(f"The file is larger than {limit} bytes.")
    return raw


def _export(args: argparse.Namespace) -> str:
    """The catalogue as JSON text."""
    with session_scope() as session:
        organisation = _organisation(session, args.org)
        document = catalogue_io.export(session, organisation, include_staff=args.with_staff)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _new_organisation(
    session: Session, slug: str, name: str, document: catalogue_io.CatalogueDocument
) -> Organisation:
    """An organisation made for the import, in the document's time zone and holiday calendar."""
    if not re.fullmatch(catalogue_io.SLUG_PATTERN, slug) or len(slug) > 64:
        raise CommandError(f"{slug!r} is not a valid slug (lower-case letters, digits, hyphens).")
    clean = " ".join(name.split())
    if not 2 <= len(clean) <= 200:
        raise CommandError("The organisation's name must have 2 to 200 characters.")
    settings = document.organisation
    organisation = Organisation(
        slug=slug,
        name=clean,
        time_zone=settings.time_zone,
        holiday_country=settings.holiday_country,
        holiday_subdivision=settings.holiday_subdivision,
    )
    session.add(organisation)
    session.flush()
    return organisation


def _import(args: argparse.Namespace) -> str:
    """Import the file; the report line."""
    document = catalogue_io.parse(_read(args.file))
    with session_scope() as session:
        slug = args.org or get_settings().organisation
        organisation = get_organisation(session, slug)
        created = organisation is None and args.create is not None
        if organisation is None:
            if not created:
                raise CommandError(
                    f"Organisation {slug!r} does not exist (add --create NAME to create it)."
                )
            organisation = _new_organisation(session, slug, args.create, document)
        report = catalogue_io.import_catalogue(session, organisation, document, args.replace)
    counts = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in report.as_dict().items())
    made = f"Created organisation {organisation.slug}. " if created else ""
    return f"{made}Imported into {organisation.slug}; {counts}.\n"


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "schema":
            sys.stdout.write(catalogue_io.schema_text())
        elif args.command == "export":
            sys.stdout.write(_export(args))
        else:
            sys.stdout.write(_import(args))
    except catalogue_io.CatalogueError as problem:
        sys.stderr.write("error: the file is refused, nothing was changed:\n")
        for item in problem.problems:
            sys.stderr.write(f"  {item}\n")
        return 1
    except CommandError as problem:
        sys.stderr.write(f"error: {problem}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
