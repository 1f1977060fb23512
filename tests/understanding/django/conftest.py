"""Helpers for the Django side of understanding: posts with text, and rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import PostFactory


@pytest.fixture
def make_post(db):
    """``make_post("text", minutes_ago=5, **fields)``: a received post, stored recently."""

    def make(text: str, *, minutes_ago: float = 5, **fields):
        fields.setdefault("created_at", timezone.now() - timedelta(minutes=minutes_ago))
        return PostFactory(text=text, **fields)

    return make


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    """Each test starts like a new process: no compiled rules or trend detector in memory."""
    from samen.understanding import actions, selectors

    actions.forget_trend_memory()
    selectors.forget_compiled_rules()
    yield
    actions.forget_trend_memory()
    selectors.forget_compiled_rules()


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    """Migrate the database to ``targets``; the executor, loaded afresh, knows the state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.fixture
def migrate():
    """``migrate(targets)`` for a test that migrates back and forth; afterwards the database
    is at the latest migrations again, so the tests after it do not run on an old schema (a
    transactional test's schema changes are not rolled back)."""
    yield _migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
