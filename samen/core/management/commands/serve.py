"""``samen serve``: the production web server (gunicorn) with clear start-up errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samen.core.checks import secret_key_problem


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def gunicorn_command(*, host: str, port: int, workers: int, quiet: bool = False) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "samen.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
            "--timeout", "60", "--access-logfile", "/dev/null" if quiet else "-",
            "--error-logfile", "-", "--log-level", "warning" if quiet else "info"]


class Command(BaseCommand):
    help = "Start Samen's web server (gunicorn). Put a TLS reverse proxy in front of it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("SAMEN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SAMEN_PORT", "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("SAMEN_WEB_WORKERS", "2")))
        parser.add_argument("--no-migrate", action="store_true",
                            help="Do not bring the database up to date first.")

    def handle(self, *args: Any, **options: Any) -> None:
        problem = secret_key_problem()
        if problem:
            raise CommandError(problem)
        if not settings.ALLOWED_HOSTS:
            raise CommandError("SAMEN_ALLOWED_HOSTS is empty: set it to the host names people "
                               "use to reach Samen, e.g. samen.example.org.")
        if not port_free(options["host"], options["port"]):
            raise CommandError(f"Port {options['port']} on {options['host']} is in use. Stop "
                               "what runs there, or choose another with --port.")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Samen listens on http://{options['host']}:{options['port']}")
        result = subprocess.run(gunicorn_command(host=options["host"], port=options["port"],
                                                 workers=options["workers"]), check=False)
        if result.returncode not in (0, -2, 130):
            raise CommandError(f"The web server stopped with exit code {result.returncode}.")
