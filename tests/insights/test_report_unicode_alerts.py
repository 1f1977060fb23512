"""The weekly PDF prints names and posts in any Latin script (and Greek, Cyrillic) as
written, with emoji falling back without breaking the report; its "Alerts" section lists the
week's trend alerts with their term, how far above expected, and since when."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from samen.insights import actions, pdf, report
from samen.understanding.models import AlertKind, TrendAlert
from tests.factories import AccountFactory, PostFactory
from tests.insights.test_report_and_dashboard import pdf_text

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 2)


@pytest.fixture
def week():
    account = AccountFactory(provider="mastodon")
    PostFactory(account=account, source="mastodon", urgent=True,
                author_name="Łucja Wiśniewska",
                text="Dlaczego śmieci nie zostały odebrane? 😡🗑️",
                created_at=datetime(2026, 11, 3, 9, tzinfo=UTC), hashtags=["śmieci"])
    PostFactory(account=account, source="mastodon", urgent=True,
                author_name="Ayşe Yılmaz", text="Çöp kutusu dolu, lütfen boşaltın. Ελλάδα, Київ",
                created_at=datetime(2026, 11, 4, 9, tzinfo=UTC))
    actions.do_rebuild_post_rollups()
    TrendAlert.objects.create(kind=AlertKind.HASHTAG, term="śmieci", fired_at=datetime(
        2026, 11, 3, 10, tzinfo=UTC), since=datetime(2026, 11, 3, 8, tzinfo=UTC),
        observed=12, expected=2.0, score=9.0)
    TrendAlert.objects.create(kind=AlertKind.TERM, term="çöp", fired_at=datetime(
        2026, 11, 4, 10, tzinfo=UTC), since=datetime(2026, 11, 4, 9, 30, tzinfo=UTC),
        observed=5, expected=0.0, score=4.0)
    # last week's alert is not this week's
    TrendAlert.objects.create(kind=AlertKind.TERM, term="oud", fired_at=datetime(
        2026, 10, 28, 10, tzinfo=UTC), since=datetime(2026, 10, 28, 9, tzinfo=UTC),
        observed=9, expected=1.0, score=7.0)


def test_names_with_polish_and_turkish_letters_print_as_written(week):
    text, _ops = pdf_text(report.weekly_pdf(week_start=WEEK, language="nl"))
    assert "Łucja Wiśniewska" in text
    assert "Ayşe Yılmaz" in text
    assert "ł" in text and "ş" in text
    assert "Ελλάδα, Київ" in text
    assert "Dlaczego śmieci nie zostały odebrane?" in text


def test_emoji_fall_back_without_breaking_the_text():
    # Fira Sans has no emoji: each becomes one "?", its skin tone disappears.
    assert pdf.printable("Goed 👍🏽 zo ✓ 😀!") == "Goed ? zo v ?!"
    assert pdf.printable("zażółć gęślą jaźń – “ş” …") == "zażółć gęślą jaźń – “ş” …"


def test_the_alerts_section_lists_the_weeks_alerts(week):
    built = report.build_report(week_start=WEEK, language="en")
    alerts = next(s for s in built.sections if s.heading == "Alerts")
    assert alerts.bullets == [
        "#śmieci: 12 posts in an hour, 6 times the 2 expected, since Tue 3 Nov 09:00",
        "çöp: 5 posts in an hour where none were expected, since Wed 4 Nov 10:30",
    ]
    text, _ops = pdf_text(report.weekly_pdf(week_start=WEEK, language="fr"))
    assert "#śmieci" in text and "oud" not in text


def test_a_week_without_alerts_says_so(db):
    built = report.build_report(week_start=WEEK, language="en")
    alerts = next(s for s in built.sections if s.heading == "Alerts")
    assert alerts.paragraphs == ["No trend alerts this week."] and not alerts.bullets
