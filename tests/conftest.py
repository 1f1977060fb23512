"""Shared test set-up: a logged-in client per role, Playwright on Debian's Chromium with an
axe-core check, and CI rules (a skipped browser, peer or service test fails in CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client

from samen.core.roles import Role
from tests.factories import PASSWORD, OrganisationFactory, make_person

pytest_plugins = ["tests.peers"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SAMEN_CHROMIUM", "/usr/bin/chromium")
MUST_RUN_IN_CI = {"browser", "peer", "postgres", "redis", "gettext", "speedups"}
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def shared_dir() -> Path | None:
    """``../shared`` beside the checkout (or $SAMEN_SHARED_DIR): real data and peers.

    It exists on the developers' machines and in CI, not on a user's machine.
    """
    candidates = [os.environ.get("SAMEN_SHARED_DIR", ""), str(REPO.parent / "shared")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "data").is_dir():
            return Path(candidate)
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and MUST_RUN_IN_CI.intersection(m.name for m in item.iter_markers()):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, which must run it: {reason}"


# --- people and clients ------------------------------------------------------------------

@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def person_factory(db) -> Callable[..., object]:
    return make_person


ROLE_USERS = {
    Role.COMMS_LEAD: "lead",
    Role.TEAM: "agent",
    Role.MANAGER: "manager",
    Role.AMBASSADOR: "employee",
}


@pytest.fixture
def client_for(db, organisation) -> Callable[[str], Client]:
    """``client_for(Role.MANAGER)``: a client logged in as someone holding just that role."""
    clients: dict[str, Client] = {}

    def make(role: str) -> Client:
        if role not in clients:
            person = make_person(role, username=ROLE_USERS[Role(role)])
            client = Client()
            client.force_login(person)
            client.person = person  # type: ignore[attr-defined]
            clients[role] = client
        return clients[role]

    return make


# --- browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_instance():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} "
                    "(apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser_instance, live_server):
    """``new_page(locale="nl-BE")``: a fresh browser page (own cookies, the browser language
    given) whose relative URLs go to the live test server."""
    contexts = []

    def make(locale: str = "en-GB"):
        context = browser_instance.new_context(base_url=live_server.url, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_page):
    """A fresh page in an English-speaking browser."""
    return new_page()


def assert_accessible(page, *, context: str = "") -> None:
    """Run axe-core on the page; fail with a readable list of every violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response.get("violations", [])
    if violations:
        lines = []
        for v in violations:
            targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
            lines.append(f"{v['id']} ({v.get('impact')}): {v['help']} → {targets}")
        raise AssertionError(f"axe-core found {len(violations)} violation(s) on "
                             f"{page.url} {context}:\n" + "\n".join(lines))


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(autouse=True)
def _audit_triggers_and_flushing(request):
    """The audit log refuses DELETE in the database. Transactional tests are cleaned up by
    deleting every row (on SQLite), so the guard is lifted just for that clean-up, and put
    back before the next test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction")
                                     or (marker.args and marker.args[0])))
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from samen.core.migrations import _audit_guard  # type: ignore[attr-defined]

    _audit_guard.install(connection)
    yield
    _audit_guard.remove_delete_guard(connection)
