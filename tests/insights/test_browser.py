"""In the browser, in nl, fr and en: a manager reads the dashboard, downloads a CSV and the
weekly PDF; a staff member answers the scan; the comms lead runs rounds and reads results.
Every page is checked with axe-core."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from samen.core.roles import Role
from samen.insights import actions, scan, selectors
from tests.conftest import assert_accessible, browser_login
from tests.factories import AccountFactory, PostFactory, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = {"nl": ("Inzichten", "Weekrapport"), "fr": ("Analyses", "Rapport hebdomadaire"),
          "en": ("Insights", "Weekly report")}


def seed_posts() -> None:
    account = AccountFactory(provider="mastodon")
    now = timezone.now()
    for i in range(30):
        PostFactory(account=account, source="mastodon", language=["nl", "fr", "en"][i % 3],
                    sentiment=["positive", "neutral", "negative"][i % 3], hashtags=["afval"],
                    created_at=now - timedelta(days=i % 10, hours=1))
    actions.do_rebuild_post_rollups()


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_manager_reads_the_dashboard_and_downloads_csv_and_pdf(new_page, language):
    seed_posts()
    make_person(Role.MANAGER, username="directeur", language=language)
    page = new_page(locale=language)
    browser_login(page, "directeur")
    page.goto(reverse("insights:dashboard"))
    assert page.locator("h1").inner_text() == TITLES[language][0]
    assert page.locator("svg[role=img]").count() >= 5
    page.locator("details.insights-table summary").first.click()
    assert page.locator("details.insights-table table caption").first.is_visible()
    assert_accessible(page, context=f"dashboard ({language})")
    # Filter by channel through the form (works without JavaScript: a GET form).
    page.select_option("#id_days", "7")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state()
    assert "days=7" in page.url
    with page.expect_download() as download_info:
        page.locator(f"a[href^='{reverse('insights:metric_csv', args=['posts.mentions'])}']") \
            .click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_text())))
    assert len(rows) == 8 and sum(int(r[1]) for r in rows[1:]) > 0

    page.goto(reverse("insights:report"))
    assert_accessible(page, context=f"report ({language})")
    with page.expect_download() as download_info:
        page.locator("main ul a").nth(1).click()
    reader = PdfReader(str(download_info.value.path()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert TITLES[language][1] in text
    assert "Mastodon" in text
    page.check("#id_subscribe")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_subscribe").is_checked()
    assert_accessible(page, context=f"report after subscribing ({language})")


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_staff_member_answers_the_scan_anonymously(new_page, language):
    lead = make_person(Role.COMMS_LEAD, username="leiding", password=None)
    scan_round = actions.do_open_scan_round(name="Najaar 2026", by=lead)
    make_person(username="medewerker", language=language)
    page = new_page(locale=language)
    browser_login(page, "medewerker")
    page.goto(reverse("insights:scan"))
    assert_accessible(page, context=f"scan ({language})")
    # Sending half the form shows clear errors and keeps nothing.
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".form-errors").is_visible()
    assert_accessible(page, context=f"scan with errors ({language})")
    for i, statement in enumerate(scan.STATEMENTS):
        page.check(f"[id='id_{statement.key}_{i % 5}']")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("input[type=radio]").count() == 0
    assert "Najaar 2026" in page.locator("main").inner_text()
    assert_accessible(page, context=f"scan answered ({language})")
    assert selectors.respondents(scan_round) == 1


def test_the_comms_lead_runs_a_round_and_reads_the_results(new_page):
    lead = make_person(Role.COMMS_LEAD, Role.MANAGER, username="lotte", language="nl")
    page = new_page(locale="nl")
    browser_login(page, "lotte")
    page.goto(reverse("insights:scan_rounds"))
    assert_accessible(page, context="rounds")
    page.fill("#id_name", "Voorjaar 2027")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    scan_round = selectors.open_round()
    assert scan_round is not None and scan_round.name == "Voorjaar 2027"
    for i in range(5):
        person = make_person(username=f"xqzperson{i}", password=None)
        actions.do_answer_scan(scan_round=scan_round, person=person,
                               answers={s.key: 1 + (i + j) % 5
                                        for j, s in enumerate(scan.STATEMENTS)})
    actions.do_close_scan_round(scan_round=scan_round, by=lead)
    page.goto(reverse("insights:scan_results"))
    assert page.locator("svg[role=img]").count() == 1
    assert "Waar beginnen" in page.locator("main").inner_text()
    assert "xqzperson" not in page.content().lower()
    assert_accessible(page, context="results")
