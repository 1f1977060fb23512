"""The worker's heartbeat, so /healthz can tell whether background work is being done."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connection
from django.utils import timezone

from samen.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Periodic checks: apps register cheap, idempotent functions (``every_minute``) that the
# heartbeat thread of every running worker calls about once a minute; a check that finds
# work due queues a task for it, and makes sure itself that two workers queue it only once.
_periodic: list[Callable[[], None]] = []
PERIODIC_INTERVAL = 60.0


def every_minute(check: Callable[[], None]) -> Callable[[], None]:
    if check not in _periodic:
        _periodic.append(check)
    return check


def run_periodic() -> None:
    for check in list(_periodic):
        try:
            check()
        except Exception:  # one failing check must not stop the others or the heartbeat
            logger.exception("Periodic check %s failed", getattr(check, "__name__", check))


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(*, wid: str, backend: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=wid, defaults={"backend": backend, "seen_at": now}
    )


class Heartbeat(threading.Thread):
    """Writes a heartbeat every ``interval`` seconds until stopped."""

    def __init__(self, *, backend: str, interval: float = 15.0) -> None:
        super().__init__(name="samen-heartbeat", daemon=True)
        self.backend = backend
        self.interval = interval
        self.wid = worker_id()
        self.stopped = threading.Event()

    def start(self) -> None:
        # The first beat is written by the caller, so even a short burst is seen.
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.wid,
            defaults={"backend": self.backend, "seen_at": timezone.now(),
                      "started_at": timezone.now()},
        )
        super().start()

    def run(self) -> None:
        last_periodic = 0.0
        while not self.stopped.wait(self.interval):
            close_old_connections()
            try:
                beat(wid=self.wid, backend=self.backend)
            except Exception:  # a locked database must not kill the heartbeat
                connection.close()
            if time.monotonic() - last_periodic >= PERIODIC_INTERVAL:
                last_periodic = time.monotonic()
                run_periodic()
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
