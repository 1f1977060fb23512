"""The worker's heartbeat, so /healthz can tell whether background work is being done."""

from __future__ import annotations

import os
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone

from samen.core.models import WorkerHeartbeat


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
        while not self.stopped.wait(self.interval):
            close_old_connections()
            try:
                beat(wid=self.wid, backend=self.backend)
            except Exception:  # a locked database must not kill the heartbeat
                connection.close()
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
