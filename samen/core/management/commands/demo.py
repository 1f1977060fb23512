"""``samen demo``: install the demo organisation once, then run the web server and a worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samen.core.demo import login_lines, seed
from samen.core.management.commands.serve import gunicorn_command, port_free


class Command(BaseCommand):
    help = "Start Samen with a demo organisation on embedded SQLite, with a background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true",
                            help="Only install or update the demo data, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not options["no_serve"] and not port_free(host, port):
            raise CommandError(f"Port {port} on {host} is in use (is Samen already running?). "
                               "Stop it, or start the demo on another port with --port.")
        self.stdout.write(f"Samen's data: {settings.DATA_DIR}")
        self.stdout.write("Preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Installing the demo organisation (kept between runs) …")
        seed()
        self._print_logins(host, port, serving=not options["no_serve"])
        if options["no_serve"]:
            return
        self._run(host, port)

    def _print_logins(self, host: str, port: int, *, serving: bool) -> None:
        w = self.stdout.write
        w("")
        if serving:
            w(self.style.SUCCESS(f"Samen runs at http://{host}:{port}"))
        else:
            w(self.style.SUCCESS("The demo organisation is ready; start Samen with `samen demo`."))
        w("Log in as one of these demo people (password for all: "
          f"{login_lines()[0][1]}):")
        for username, _password, purpose in login_lines():
            w(f"  {username:<10} {purpose}")
        if serving:
            w("Stop Samen with Ctrl+C. Start it again with the same command; your data stays.")
        w("")

    def _run(self, host: str, port: int) -> None:
        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)  # a service manager stops us like Ctrl+C does
        env = {**os.environ, "SAMEN_DEMO": "1"}
        worker = subprocess.Popen([sys.executable, "-m", "samen", "worker"], env=env)
        web = subprocess.Popen(gunicorn_command(host=host, port=port, workers=2, quiet=True),
                               env=env)
        processes = [web, worker]
        code = 0
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            failed = next(p for p in processes if p.poll() is not None)
            code = failed.returncode or 0
            name = "web server" if failed is web else "worker"
            if code:
                self.stderr.write(f"The {name} stopped unexpectedly (exit {code}).")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping Samen …")
        finally:
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in processes:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        if code:
            raise CommandError("Samen stopped because a part of it failed; see above.")
