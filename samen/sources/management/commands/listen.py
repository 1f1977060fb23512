"""``samen listen``: follow every configured stream with a live status line."""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from samen.sources.listening import Listener, ListenStatus


class Command(BaseCommand):
    help = _("Follow every configured source and store new posts (stop with Ctrl+C).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true",
                            help=_("Poll every due stream once, then stop."))
        parser.add_argument("--poll-seconds", type=float, default=None,
                            help=_("Poll every stream this often (default: per kind)."))
        parser.add_argument("--idle-seconds", type=float, default=1.0,
                            help=_("Pause between rounds."))
        parser.add_argument("--lease-seconds", type=int, default=120,
                            help=_("How long a claimed stream stays with this process."))
        parser.add_argument("--owner", default=None,
                            help=_("Name of this listener in stream leases (default host:pid)."))

    def handle(self, *args: Any, **options: Any) -> None:
        listener = Listener(owner=options["owner"], lease_seconds=options["lease_seconds"],
                            poll_seconds=options["poll_seconds"])
        if options["once"]:
            try:
                while listener.run_once():
                    pass
            finally:
                listener.release()
            self.stdout.write(listener.status.line())
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        tty = sys.stdout.isatty()
        last_print = [0.0]

        def show(status: ListenStatus) -> None:
            if tty:
                self.stdout.write("\r\033[K" + status.line(), ending="")
                self.stdout.flush()
            elif time.monotonic() - last_print[0] >= 60:
                self.stdout.write(status.line())
                self.stdout.flush()
                last_print[0] = time.monotonic()

        self.stdout.write(_("Listening as %(owner)s. Stop with Ctrl+C.") %
                          {"owner": listener.owner})
        listener.run(stop=stop, on_status=show, idle_seconds=options["idle_seconds"])
        if tty:
            self.stdout.write("")
        self.stdout.write(listener.status.line())
