"""``samen import``: progress, bad lines with their number and reason, and no duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samen.sources.models import Post

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def test_import_twice_adds_nothing_the_second_time(capsys):
    call_command("import", str(FIXTURES / "posts.csv"), format="csv",
                 mapping="text=body,created_at=date,author=user,lang=language")
    first = capsys.readouterr()
    assert "3 new, 0 already there" in first.out
    assert "posts.csv: line 4: not a date" in first.err
    assert "posts.csv: line 5: empty" in first.err
    call_command("import", str(FIXTURES / "posts.csv"), format="csv",
                 mapping="text=body,created_at=date,author=user,lang=language")
    assert "0 new, 3 already there" in capsys.readouterr().out
    assert Post.objects.filter(source="import").count() == 3


@pytest.mark.parametrize(("name", "fmt", "count"), [
    ("outbox.json", "mastodon", 3), ("bluesky-repo.car", "bluesky", 3),
    ("tweets.js", "twitter", 3),
])
def test_archives_import(name, fmt, count, capsys):
    call_command("import", str(FIXTURES / name), format=fmt)
    assert f"{count} new" in capsys.readouterr().out
    assert Post.objects.count() == count


def test_clear_errors_for_a_missing_file_or_bad_mapping():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "/nonexistent/x.csv", format="csv")
    with pytest.raises(CommandError, match="unknown field"):
        call_command("import", str(FIXTURES / "posts.csv"), format="csv", mapping="body=x")
