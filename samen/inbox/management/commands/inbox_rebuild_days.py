"""``samen inbox_rebuild_days``: rebuild the inbox's day summary behind the dashboards."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samen.inbox import actions


class Command(BaseCommand):
    help = "Rebuild the inbox's day summary from the conversations (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        days = actions.do_rebuild_conversation_days()
        self.stdout.write(f"Rebuilt {days} day(s).")
