"""Load the Ghent demo data: ``python -m balie.seed [--if-empty]``."""

from __future__ import annotations

import argparse
import sys

from balie.db import session_scope
from balie.services.demo_data import database_is_empty, load_demo_data
from balie.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    parser = argparse.ArgumentParser(description="Load the demo data for Stad Gent.")
    parser.add_argument(
        "--if-empty", action="store_true", help="only load when the database has no organisation"
    )
    args = parser.parse_args(argv)
    if get_settings().is_production:
        print("Demo data is never loaded in production mode (BALIE_ENV=production).")
        return 1
    with session_scope() as session:
        if args.if_empty and not database_is_empty(session):
            print("Database already has data; demo data not loaded.")
            return 0
        report = load_demo_data(session)
    print(
        f"Demo data for Stad Gent: added {report.organisations} organisation(s), "
        f"{report.services} service(s), {report.topics} topic(s), {report.staff} staff member(s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
