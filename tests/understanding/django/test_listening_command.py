"""``samen rules test``: try a rule on stored posts from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_lists_the_matches_among_the_latest_posts(make_post):
    make_post("Is het containerpark zaterdag open?", minutes_ago=3)
    make_post("Het containerpark was gisteren vol", minutes_ago=500)
    make_post("Mooi weer vandaag", minutes_ago=1)
    out = StringIO()
    call_command("rules", "test", "containerpark", "--last", "2", stdout=out)
    text = out.getvalue()
    assert "zaterdag open" in text
    assert "gisteren" not in text  # not among the last 2
    assert text.strip().endswith("1 of the last 2 posts match.")


@pytest.mark.parametrize("language,words", [("nl", "Kolom 7"), ("fr", "Colonne 7"),
                                            ("en", "Column 7")])
def test_a_bad_rule_is_shown_with_a_marker_under_the_place(language, words):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("rules", "test", "afval OR", "--language", language, stderr=err)
    lines = err.getvalue().splitlines()
    assert words in lines[0]
    assert lines[1] == "  afval OR"
    assert lines[2] == "  " + " " * 6 + "^"
