"""The stream processes' garbage-collector settings (samen.core.runtime)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from samen import cli

CHILD = """
import gc, weakref
from samen.core.runtime import STREAM_GC_THRESHOLD, tune_for_streaming

kept = [{"alive": i} for i in range(1000)]
tune_for_streaming()
assert gc.get_threshold() == STREAM_GC_THRESHOLD, gc.get_threshold()
assert gc.get_freeze_count() >= 1000, gc.get_freeze_count()

class Node:
    pass

# A cycle made after tuning is still garbage the collector finds.
a, b = Node(), Node()
a.other, b.other = b, a
gone = []
weakref.finalize(a, gone.append, "a")
del a, b
gc.collect()
assert gone == ["a"], gone
print("ok")
"""


def test_tuned_process_still_collects_cycles_made_later() -> None:
    """Start-up objects are frozen and young passes are rarer, but nothing leaks: a cycle
    made after tuning is collected (a worker runs for weeks)."""
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                         check=False, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize(("command", "tuned"), [
    ("worker", True), ("listen", True), ("import", True), ("runserver", False),
    ("migrate", False),
])
def test_only_stream_processes_are_tuned(monkeypatch: pytest.MonkeyPatch, command: str,
                                         tuned: bool) -> None:
    """``samen worker|listen|import`` tune the collector at the process's entry; the web
    server and one-off commands keep Python's defaults."""
    calls: list[str] = []
    monkeypatch.setattr("samen.core.runtime.tune_for_streaming",
                        lambda: calls.append("tuned"))

    def run(argv: list[str], **_kw: Any) -> None:
        calls.append(argv[1])

    monkeypatch.setattr("django.core.management.execute_from_command_line", run)
    assert cli.main([command, "--help"]) == 0
    assert calls == (["tuned", command] if tuned else [command])
