"""The examples in docs/listening-rules.md are rules Samen accepts, and mean what the page says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samen.understanding.rules import matches, parse, view_from_text

DOC = Path(__file__).resolve().parents[3] / "docs" / "listening-rules.md"


def _examples() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```text\n(.*?)```", text, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_page_has_examples() -> None:
    assert len(_examples()) >= 15


@pytest.mark.parametrize("rule", _examples())
def test_every_documented_example_parses(rule: str) -> None:
    parse(rule)


def test_the_near_example_on_the_page() -> None:
    assert matches("zorg NEAR/3 wachtlijst", view_from_text("wachtlijst voor de zorg"))
    assert not matches(
        "zorg NEAR/3 wachtlijst",
        view_from_text("de wachtlijst is voor veel mensen in de zorg"),
    )
    assert matches('"lange wachtlijst"', view_from_text("Lange Wachtlijst!"))
    assert not matches('"lange wachtlijst"', view_from_text("lange en drukke wachtlijst"))
