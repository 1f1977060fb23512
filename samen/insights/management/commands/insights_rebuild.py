"""``samen insights_rebuild``: rebuild the daily aggregates behind the dashboards."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samen.insights import actions


class Command(BaseCommand):
    help = "Rebuild the insights rollups from the stored posts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", default="", help="First day to rebuild (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        since = date.fromisoformat(options["since"]) if options["since"] else None
        days = actions.do_rebuild_post_rollups(since=since)
        self.stdout.write(f"Rebuilt {days} day(s).")
