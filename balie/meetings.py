"""Meeting provider commands: ``python -m balie.meetings check [--mailbox M ...]``.

``check`` asks Entra ID for an app token and reads the calendar of the organiser mailbox (and of
every ``--mailbox``) through Microsoft Graph, then prints one OK/FAIL line per step. It exits 1
when a line says FAIL, so it can gate a deployment.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from balie.services.meetings.teams import check_failed, check_tenant
from balie.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m balie.meetings", description="Check the Teams meeting set-up."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="Check the app registration and organiser mailboxes in Entra ID and Graph."
    )
    check.add_argument(
        "--mailbox",
        action="append",
        default=[],
        metavar="M",
        help="Another organiser mailbox (or Entra object id) to check; may be repeated.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; the exit code is 0 when everything is in order, else 1."""
    args = build_parser().parse_args(argv)
    settings = Settings()  # read now, not the process-wide cached copy: the check must be fresh
    lines = check_tenant(settings, args.mailbox)
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 1 if check_failed(lines) else 0


if __name__ == "__main__":
    raise SystemExit(main())
