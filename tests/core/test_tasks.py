"""Background work through Django's tasks API: the database queue by default, Redis to scale."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus

from samen.core.models import WorkerHeartbeat
from samen.core.tasks import ping

ENV_BASE = {k: v for k, v in os.environ.items() if not k.startswith(("SAMEN_", "DJANGO_"))}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_queued_tasks_and_reports_itself():
    result = ping.enqueue(value="hallo")
    assert result.status == TaskResultStatus.READY
    call_command("worker", burst=True)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "hallo"
    assert WorkerHeartbeat.objects.exists()


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.redis
def test_the_redis_backend_runs_tasks(tmp_path):
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    db = f"{15}"
    env = {**ENV_BASE, "SAMEN_DATA_DIR": str(tmp_path), "SAMEN_SECRET_KEY": "k" * 50,
           "SAMEN_REDIS_URL": f"redis://127.0.0.1:6379/{db}",
           "DJANGO_SETTINGS_MODULE": "samen.settings"}
    run = lambda *a: subprocess.run([sys.executable, *a], capture_output=True, text=True,  # noqa: E731
                                    env=env, timeout=120)
    migrate = run("-m", "samen", "migrate", "--verbosity", "0")
    assert migrate.returncode == 0, migrate.stderr
    token = uuid.uuid4().hex
    enqueue = run("-c", "import django; django.setup();"
                        "from samen.core.tasks import ping;"
                        f"print(ping.enqueue(value='{token}').id)")
    assert enqueue.returncode == 0, enqueue.stderr
    task_id = enqueue.stdout.strip()
    work = run("-m", "samen", "worker", "--burst")
    assert work.returncode == 0, work.stderr
    fetch = run("-c", "import django; django.setup();"
                      "from samen.core.tasks import ping;"
                      f"r = ping.get_result('{task_id}'); print(r.status, r.return_value)")
    assert fetch.stdout.split() == ["SUCCESSFUL", token], fetch.stderr
