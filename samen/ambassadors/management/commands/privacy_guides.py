from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samen.ambassadors.loading import load_starter_guides


class Command(BaseCommand):
    help = "Add Samen's starting set of privacy-settings guides (guides already there are kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = load_starter_guides()
        self.stdout.write(f"{added} privacy guide(s) added.")
