"""/healthz for monitoring, the configuration refusing unsafe production starts, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from samen.core.models import WorkerHeartbeat

ENV_BASE = {k: v for k, v in os.environ.items() if not k.startswith(("SAMEN_", "DJANGO_"))}


@pytest.mark.django_db
def test_healthz_reports_database_and_worker(client):
    body = client.get("/healthz").json()
    assert body["database"]["status"] == "ok"
    assert body["worker"]["status"] == "down"
    assert body["status"] == "degraded"
    WorkerHeartbeat.objects.create(worker_id="w1", backend="DatabaseBackend")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["status"] == "ok"
    assert response.json()["status"] == "ok"
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    assert client.get("/healthz").json()["worker"]["status"] == "down"


def run_samen(*args: str, env: dict[str, str] | None = None, timeout: int = 120):
    return subprocess.run([sys.executable, "-m", "samen", *args], capture_output=True,
                          text=True, env={**ENV_BASE, **(env or {})}, timeout=timeout)


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = {"SAMEN_DATA_DIR": str(tmp_path), "SAMEN_ALLOWED_HOSTS": "samen.example.org"}
    result = run_samen("serve", "--port", "0", env=env)
    assert result.returncode != 0
    assert "SAMEN_SECRET_KEY is not set" in result.stderr
    wsgi = subprocess.run([sys.executable, "-c", "import samen.wsgi"], capture_output=True,
                          text=True, env={**ENV_BASE, **env})
    assert wsgi.returncode != 0
    assert "SAMEN_SECRET_KEY is not set" in wsgi.stderr


def test_debug_is_off_unless_asked(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG)"
    env = {**ENV_BASE, "SAMEN_DATA_DIR": str(tmp_path), "SAMEN_SECRET_KEY": "k" * 50,
           "DJANGO_SETTINGS_MODULE": "samen.settings"}
    assert subprocess.run([sys.executable, "-c", "import django; django.setup();" + code],
                          capture_output=True, text=True, env=env).stdout.strip() == "False"


def test_cli_help_and_unknown_commands():
    result = run_samen("--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "worker", "listen", "import", "eval"):
        assert f"  {command}" in result.stdout
    unknown = run_samen("frobnicate", env={"SAMEN_SECRET_KEY": "k" * 50})
    assert unknown.returncode != 0
    assert "Unknown command" in unknown.stderr


def test_demo_installs_once_and_again_without_failing(tmp_path):
    env = {"SAMEN_DATA_DIR": str(tmp_path)}
    first = run_samen("demo", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "lotte" in first.stdout and "samen-demo" in first.stdout
    second = run_samen("demo", "--no-serve", env=env)
    assert second.returncode == 0, second.stderr
    check = subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup();"
         "from samen.core.models import Person; "
         "print(Person.objects.count(), Person.objects.get(username='sofie').check_password('samen-demo'))"],
        capture_output=True, text=True,
        env={**ENV_BASE, **env, "SAMEN_DEMO": "1", "DJANGO_SETTINGS_MODULE": "samen.settings"})
    count, ok = check.stdout.split()
    assert int(count) == 5 and ok == "True", check.stderr


@pytest.mark.django_db
def test_an_embedded_database_connection_runs_with_the_documented_settings():
    """What docs/configuration.md promises for SQLite (ADRs 0146, 0148): WAL, a 64 MiB page
    cache, checkpoints every 10,000 pages, the WAL file cut back to 64 MiB after one."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the settings of the embedded SQLite database")
    with connection.cursor() as cursor:
        found = {}
        for pragma in ("journal_mode", "synchronous", "foreign_keys", "cache_size",
                       "wal_autocheckpoint", "journal_size_limit"):
            cursor.execute(f"PRAGMA {pragma}")
            found[pragma] = cursor.fetchone()[0]
    # the test database lives in memory, where SQLite keeps its own journal mode
    assert found["journal_mode"] in ("wal", "memory")
    assert found == {**found, "synchronous": 1, "foreign_keys": 1, "cache_size": -65536,
                     "wal_autocheckpoint": 10000, "journal_size_limit": 67108864}
