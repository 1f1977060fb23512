"""Live local peers for connector tests, as a pytest plugin (``pytest_plugins = ["tests.peers"]``).

- ``bluesky_pds``: the real Bluesky PDS from ``shared/peers/bluesky-pds`` (set up once into
  ``$BLUESKY_PDS_DEST``, default ``<tmp>/bluesky-pds``, then started on free ports).
- ``mastodon_mock``: the third-party ``mastodon-mock`` server (``--in-memory --demo``; tokens
  ``ada_token``, ``grace_token`` ...), started on a free port.

Both skip with a clear reason when what they need is absent (shared/ on a user's machine, npm,
the ``mastodon_mock`` command). CI treats skips as failures, so there they must really start.
Everything listens on loopback only.
"""

from __future__ import annotations

import os
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """``$SAMEN_SHARED_DIR``, else ``shared/`` beside the repository; None when absent."""
    env = os.environ.get("SAMEN_SHARED_DIR")
    for candidate in (Path(env) if env else None, REPO.parent / "shared"):
        if candidate is not None and (candidate / "data").is_dir():
            return candidate.resolve()
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """One stdout line, or '' when the process ends or the time is up."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return ""
    return proc.stdout.readline()


def _stop(proc: subprocess.Popen[str], timeout: float = 20) -> int:
    proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


@pytest.fixture(scope="session")
def bluesky_pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (``http://localhost:PORT``) of a fresh real PDS for this test session."""
    shared = shared_dir()
    if shared is None or not (shared / "peers" / "bluesky-pds" / "run.sh").exists():
        pytest.skip("bluesky-pds peer kit not found (shared/peers/bluesky-pds; SAMEN_SHARED_DIR)")
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed; the bluesky-pds peer needs it for its one-time setup")
    kit = shared / "peers" / "bluesky-pds"
    dest = Path(os.environ.get("BLUESKY_PDS_DEST") or Path(tempfile.gettempdir()) / "bluesky-pds")
    setup = subprocess.run(["bash", str(kit / "setup.sh"), str(dest)], capture_output=True,
                           text=True, timeout=900)
    if setup.returncode != 0:
        raise RuntimeError(f"bluesky-pds setup failed:\n{setup.stderr[-2000:]}")
    log = tmp_path_factory.mktemp("bluesky-pds") / "stderr.log"
    pds_port, plc_port = free_port(), free_port()
    with log.open("w") as errors:
        proc = subprocess.Popen(
            ["bash", str(kit / "run.sh"), str(dest)], stdout=subprocess.PIPE, stderr=errors,
            text=True, env={**os.environ, "PDS_PORT": str(pds_port), "PLC_PORT": str(plc_port)},
        )
    line = _read_line(proc, 90)
    if not line.startswith("READY "):
        _stop(proc)
        raise RuntimeError(f"bluesky-pds did not start: {line!r}\n{log.read_text()[-2000:]}")
    try:
        yield line.split()[1]
    finally:
        _stop(proc)


def _mock_command() -> list[str] | None:
    exe = shutil.which("mastodon_mock") or str(Path(sys.executable).with_name("mastodon_mock"))
    return [exe] if Path(exe).exists() else None


@pytest.fixture(scope="session")
def mastodon_mock() -> Iterator[str]:
    """Base URL of a ``mastodon-mock`` server seeded with demo accounts (ada, grace, ...)."""
    command = _mock_command()
    if command is None:
        pytest.skip("mastodon-mock is not installed (pip install 'samen[test]')")
    port = free_port()
    proc = subprocess.Popen(
        [*command, "serve", "--in-memory", "--demo", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/api/v1/instance", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            stderr = proc.stderr.read() if proc.stderr else ""
            raise RuntimeError(f"mastodon-mock did not start:\n{stderr[-2000:]}")
        time.sleep(0.2)
    try:
        yield url
    finally:
        _stop(proc, timeout=5)  # uvicorn would otherwise wait for open streaming responses
