from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from samen.ambassadors.actions import do_forget_old_click_data


class Command(BaseCommand):
    help = ("Delete click salts older than two days and blank the hashes of those days "
            "(also done on every click; run daily from cron if links are rarely clicked).")

    def handle(self, *args: Any, **options: Any) -> None:
        blanked = do_forget_old_click_data()
        self.stdout.write(f"{blanked} click row(s) reduced to a count.")
