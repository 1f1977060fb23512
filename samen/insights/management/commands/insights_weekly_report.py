"""``samen insights_weekly_report``: send last week's report to subscribers (run it every
Monday from cron or a systemd timer; sending twice is harmless)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samen.insights import actions


class Command(BaseCommand):
    help = "E-mail the weekly insights report to every subscriber, in their language."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", default="", help="Monday of the week (YYYY-MM-DD); "
                            "default: the last full week.")

    def handle(self, *args: Any, **options: Any) -> None:
        week = date.fromisoformat(options["week"]) if options["week"] else None
        sent = actions.do_send_weekly_reports(week_start=week)
        self.stdout.write(f"Sent {sent} weekly report(s).")
