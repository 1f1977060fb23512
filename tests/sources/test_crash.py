"""Kill the listener with SIGKILL in the middle of its work, restart it, and check that the
stored posts are exactly the delivered posts: none lost, none twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.sources.loopback import Handler, Reply, loopback

REPO = Path(__file__).resolve().parents[2]
FEEDS, TOTAL, STEP = 6, 1200, 400


class GrowingFeeds:
    """Each feed shows STEP more entries on every request, up to TOTAL; remembers what it served."""

    def __init__(self) -> None:
        self.requests = dict.fromkeys(range(FEEDS), 0)
        self.served: set[str] = set()
        self.lock = threading.Lock()

    def route(self, feed: int):
        def answer(handler: Handler) -> Reply:
            with self.lock:
                self.requests[feed] += 1
                shown = min(TOTAL, self.requests[feed] * STEP)
                ids = [f"urn:crash:{feed}:{i}" for i in range(shown)]
                self.served.update(ids)
            entries = "".join(
                f"<entry><id>{i}</id><title>Melding {i}</title>"
                f"<updated>2026-03-01T10:00:00Z</updated><content>Tekst bij {i}</content></entry>"
                for i in ids)
            body = (f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                    f"<title>F{feed}</title><id>urn:f{feed}</id>"
                    f"<updated>2026-03-01T10:00:00Z</updated>{entries}</feed>").encode()
            return Reply(200, body, {"Content-Type": "application/atom+xml"})

        return answer


def samen(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "samen", *args], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


def stored(db: Path) -> list[str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return [r[0] for r in conn.execute(
            "select external_id from sources_post where source = 'feed'")]


def test_sigkill_mid_batch_then_restart_stores_exactly_what_was_delivered(tmp_path):
    db = tmp_path / "samen.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(REPO), "SAMEN_DATABASE_URL": f"sqlite:///{db}",
           "SAMEN_SECRET_KEY": "crash-test-only-" + "k" * 40, "SAMEN_DATA_DIR": str(tmp_path),
           "SAMEN_TESTING": "0", "DJANGO_SETTINGS_MODULE": "samen.settings"}
    assert samen(env, "migrate", "--no-input").wait(120) == 0
    feeds = GrowingFeeds()
    with loopback() as server:
        urls = []
        for n in range(FEEDS):
            server.routes[f"/feed{n}"] = feeds.route(n)
            urls.append(f"{server.url}/feed{n}")
        setup = (
            "import django; django.setup()\n"
            "from samen.sources import actions\n"
            f"for url in {urls!r}:\n"
            "    a = actions.do_create_account(provider='feed', name=url, base_url=url, by=None)\n"
            "    actions.do_add_stream(account=a, kind='feed', by=None)\n"
        )
        assert subprocess.run([sys.executable, "-c", setup], cwd=REPO, env=env,
                              timeout=120).returncode == 0

        listen = ("listen", "--poll-seconds", "0", "--idle-seconds", "0", "--lease-seconds", "3")
        first = samen(env, *listen, "--owner", "first")
        deadline = time.monotonic() + 90
        while not stored(db) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # it is now busy polling and storing the next batches
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = stored(db)
        assert 0 < len(at_kill) < FEEDS * TOTAL, "the kill should land in the middle of the work"
        assert len(at_kill) == len(set(at_kill))

        second = samen(env, *listen, "--owner", "second")
        try:
            deadline = time.monotonic() + 120
            while len(stored(db)) < FEEDS * TOTAL and time.monotonic() < deadline:
                if second.poll() is not None:
                    raise AssertionError(second.stderr.read().decode()[-2000:])
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0
    final = stored(db)
    assert len(final) == len(set(final)), "a post was stored twice"
    assert {i.split("#", 1)[1] for i in final} == feeds.served, "stored != delivered"
    assert len(feeds.served) == FEEDS * TOTAL
    with sqlite3.connect(db) as conn:
        leases = conn.execute("select count(*) from sources_stream where lease_owner != ''")
        assert leases.fetchone()[0] == 0  # the clean stop gave its leases back
