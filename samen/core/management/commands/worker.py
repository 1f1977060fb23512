"""``samen worker``: run background tasks with whichever backend is configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from samen.core.worker import Heartbeat


class Command(BaseCommand):
    help = "Run the background worker (database queue by default, Redis when configured)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true",
                            help="Run the tasks that are waiting, then stop.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks at the queue (database backend).")

    def handle(self, *args: Any, **options: Any) -> None:
        backend: str = str(settings.TASKS["default"]["BACKEND"])
        heartbeat = Heartbeat(backend=backend.rsplit(".", 1)[-1])
        heartbeat.start()
        try:
            if backend.startswith("django_tasks_rq"):
                call_command("rqworker", "default", burst=options["burst"],
                             job_class="django_tasks_rq.Job",
                             with_scheduler=not options["burst"])
            else:
                call_command("db_worker", queue_name="*", interval=options["interval"],
                             batch=options["burst"], startup_delay=not options["burst"],
                         reload=False)
        finally:
            heartbeat.stop()
            heartbeat.join(timeout=5)
