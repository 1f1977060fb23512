"""The dashboard shows each metric as chart + table + CSV; the weekly PDF has the numbers
and the charts in the reader's language, and goes by e-mail to subscribers once a week."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from samen.core.roles import Role
from samen.insights import actions, report
from samen.insights.models import ReportDelivery
from tests.factories import AccountFactory, PostFactory, make_person

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 2)  # a Monday


@pytest.fixture
def posts():
    account = AccountFactory(provider="mastodon")
    for i in range(12):
        PostFactory(account=account, source="mastodon", sentiment="negative" if i % 3 else
                    "positive", hashtags=["afval"],
                    created_at=datetime(2026, 11, 2 + i % 5, 9, tzinfo=UTC),
                    text=f"Vraag {i} over de afvalophaling")
    for i in range(4):
        PostFactory(account=account, source="mastodon",
                    created_at=datetime(2026, 10, 27 + i, 9, tzinfo=UTC))
    actions.do_rebuild_post_rollups()


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    drawing_ops = 0
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        drawing_ops += content.count(" l\n") + content.count(" re\n") + content.count(" l ")
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for ref in xobjects.values():
            drawing_ops += ref.get_object().get_data().decode("latin-1").count(" l")
    return text, drawing_ops


def test_dashboard_shows_chart_table_and_csv_link_per_metric(client_for, posts):
    from samen.insights import registry

    registry.expect(registry.ExpectedMetric("archive.completeness", "Archive completeness",
                                            "trust", "archive"))
    client = client_for(Role.MANAGER)
    url = reverse("insights:dashboard") + "?days=28&end=2026-11-08"
    try:
        page = client.get(url).content.decode()
    finally:
        registry._registry.expected.pop("archive.completeness", None)
    assert page.count('role="img"') >= 5
    assert "<caption>Mentions and messages received per channel</caption>" in page
    assert reverse("insights:metric_csv", args=["posts.mentions"]) + "?days=28" in page
    assert "Not available yet: the archive part of Samen will provide this number." in page
    assert "#afval" in page


def test_the_csv_has_the_numbers_of_the_chart(client_for, posts):
    client = client_for(Role.COMMS_LEAD)
    response = client.get(reverse("insights:metric_csv", args=["posts.mentions"]),
                          {"days": "7", "end": "2026-11-08"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Date", "Mastodon"]
    assert [r[1] for r in rows[1:]] == ["3", "3", "2", "2", "2", "0", "0"]
    filtered = client.get(reverse("insights:metric_csv", args=["posts.mentions"]),
                          {"days": "7", "end": "2026-11-08", "language": "fr"})
    filtered_rows = list(csv.reader(io.StringIO(filtered.content.decode())))
    assert filtered_rows[0] == ["Date"] and len(filtered_rows) == 8  # no French mentions
    assert client.get(reverse("insights:metric_csv", args=["no.such.metric"])) \
        .status_code == 404
    assert client_for(Role.TEAM).get(reverse("insights:metric_csv", args=["posts.mentions"])) \
        .status_code == 403


@pytest.mark.parametrize("language,title,changed", [
    ("en", "Weekly report", "What changed"),
    ("nl", "Weekrapport", "Wat is er veranderd"),
    ("fr", "Rapport hebdomadaire", "Ce qui a changé"),
])
def test_the_weekly_pdf_has_text_and_charts_in_the_readers_language(posts, language, title,
                                                                    changed):
    text, drawing_ops = pdf_text(report.weekly_pdf(week_start=WEEK, language=language))
    assert title in text
    assert changed in text
    assert "Mastodon" in text  # a chart's direct label and its table
    assert "Vraag" in text  # a notable post
    assert drawing_ops > 50  # the charts are drawn as vector paths


def test_the_headline_compares_with_the_week_before(posts):
    built = report.build_report(week_start=WEEK, language="en")
    headlines = {label: (value, change) for label, value, change in built.headlines}
    assert headlines["Mentions and messages received per channel"] == (
        "12 posts", "+8 vs week before")


def test_managers_download_the_pdf_of_a_week(client_for, posts):
    response = client_for(Role.MANAGER).get(reverse("insights:report_pdf"),
                                            {"week": WEEK.isoformat()})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client_for(Role.MANAGER).get(reverse("insights:report_pdf"),
                                        {"week": "2026-11-03"}).status_code == 404
    assert client_for(Role.AMBASSADOR).get(reverse("insights:report_pdf")).status_code == 403


def test_subscribers_get_the_report_once_a_week_in_their_language(posts, client_for):
    sofie = make_person(Role.MANAGER, username="sofie", language="nl", password=None)
    camille = make_person(Role.COMMS_LEAD, username="camille", language="fr", password=None)
    actions.do_subscribe(person=sofie, by=sofie)
    client = client_for(Role.COMMS_LEAD)
    client.post(reverse("insights:report"), {"subscribe": "on"})
    actions.do_subscribe(person=camille, by=camille)
    with pytest.raises(ValidationError):
        employee = make_person(Role.AMBASSADOR, username="emp", password=None)
        actions.do_subscribe(person=employee, by=employee)
    sent = actions.do_send_weekly_reports(week_start=WEEK)
    assert sent == 3
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to["sofie@example.org"].subject.startswith("Samen weekrapport")
    assert by_to["camille@example.org"].subject.startswith("Rapport hebdomadaire")
    name, content, mimetype = by_to["sofie@example.org"].attachments[0]
    assert mimetype == "application/pdf" and name.endswith("-nl.pdf")
    assert "Weekrapport" in pdf_text(content)[0]
    assert actions.do_send_weekly_reports(week_start=WEEK) == 0
    assert ReportDelivery.objects.count() == 3
    client.post(reverse("insights:report"), {})
    assert actions.do_send_weekly_reports(week_start=WEEK + timedelta(days=7)) == 2


def test_pages_render_on_an_empty_database(client_for):
    client = client_for(Role.COMMS_LEAD)
    for name in ("insights:dashboard", "insights:report", "insights:scan",
                 "insights:scan_results", "insights:scan_rounds"):
        assert client.get(reverse(name)).status_code == 200
    text, _ops = pdf_text(client.get(reverse("insights:report_pdf")).content)
    assert "No posts this week." in text
