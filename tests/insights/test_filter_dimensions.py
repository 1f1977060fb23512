"""Every metric says which of the dashboard's filters (channel, language, team) it follows,
and that declaration is true: a followed filter that matches nothing empties the numbers, a
filter the metric does not follow leaves them as they are, and then the page, the table and
the CSV say that the chart was not narrowed by it, instead of letting a manager believe it
was."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from samen.ambassadors import actions as amb_actions
from samen.ambassadors.models import Click, GuidelineVersion
from samen.core.roles import Role
from samen.insights import actions, dashboard, registry
from samen.insights.registry import CHANNELS, LANGUAGES, TEAM, Filters, Metric, MetricTable
from samen.learning import actions as learn_actions
from samen.learning.models import Session
from tests.ambassadors.factories import hub_item
from tests.factories import AccountFactory, MandateFactory, PostFactory, make_person
from tests.insights.test_metrics_ambassadors_learning import local, share
from tests.insights.test_metrics_inbox_understanding import (  # noqa: F401 (fixtures)
    PERIOD,
    at,
    inbox,
    understanding,
)
from tests.insights.test_team_filter import teams  # noqa: F401 (fixture)
from tests.learning.factories import session as new_session

pytestmark = pytest.mark.django_db

# A filter on each dimension that no seeded row has.
MATCHES_NOTHING = {CHANNELS: Filters(channels=("nowhere",)),
                   LANGUAGES: Filters(languages=("xx",)),
                   TEAM: Filters(team="0")}

# The audit of every metric's compute function (docs/insights.md has the same table).
AUDITED = {
    "posts.mentions": {CHANNELS, LANGUAGES},
    "posts.sentiment": {CHANNELS, LANGUAGES},
    "posts.languages": {CHANNELS, LANGUAGES},
    "posts.hashtags": {CHANNELS, LANGUAGES},
    "posts.sent": {CHANNELS, LANGUAGES},
    "sources.mandates": {CHANNELS},
    "inbox.first_response": {CHANNELS, LANGUAGES, TEAM},
    "inbox.resolution": {CHANNELS, LANGUAGES, TEAM},
    "inbox.conversations": {CHANNELS, LANGUAGES, TEAM},
    "inbox.open_breached": {CHANNELS, LANGUAGES, TEAM},
    "inbox.escalations": {CHANNELS, LANGUAGES, TEAM},
    "understanding.top_rules": {CHANNELS, LANGUAGES},
    "understanding.trend_alerts": set(),
    "understanding.alert_list": set(),
    "learning.sessions": set(),
    "ambassadors.guidelines_acknowledged": set(),
    "ambassadors.shares": {CHANNELS},
    "ambassadors.clicks": {CHANNELS},
    "ambassadors.management_shares": {CHANNELS},
}


@pytest.fixture
def world(inbox, understanding, teams):  # noqa: F811
    """Something to count for every registered metric, inside ``PERIOD``."""
    account = AccountFactory(provider="mastodon")
    PostFactory(account=account, source="mastodon", language="nl", sentiment="negative",
                hashtags=["afval"], created_at=at(2, 9))
    PostFactory(account=account, source="mastodon", language="nl", direction="out",
                created_at=at(3, 9))
    actions.do_rebuild_post_rollups()
    MandateFactory(account=account)
    lead = make_person(Role.COMMS_LEAD, username="lead")
    sofie = make_person(Role.MANAGER, username="sofie")
    version = amb_actions.do_publish_guidelines(body_nl="Een", body_fr="Un", body_en="One",
                                                by=lead)
    amb_actions.do_acknowledge_guidelines(person=sofie, version=version)
    GuidelineVersion.objects.filter(pk=version.pk).update(published_at=at(2, 8))
    shared = share(sofie, hub_item(by=lead), "bluesky", local(date(2026, 11, 3)))
    Click.objects.create(link=shared.link, day=date(2026, 11, 3))
    held = new_session(host=lead, capacity=2)
    learn_actions.do_rsvp(person=sofie, session=held)
    Session.objects.filter(pk=held.pk).update(starts_at=local(date(2026, 11, 3)),
                                              ends_at=local(date(2026, 11, 3))
                                              + timedelta(hours=1))


def every_metric() -> list[Metric]:
    return [s.metric for s in registry.slots(dashboard_only=False) if s.metric is not None]


def numbers(table: MetricTable) -> tuple[object, ...]:
    return (list(table.categories), [(str(n), list(v)) for n, v in table.series],
            table.headline)


def has_numbers(table: MetricTable) -> bool:
    return any(v for _name, values in table.series for v in values) or bool(table.headline)


def test_the_audited_metrics_declare_what_their_compute_functions_filter_on():
    declared = {m.key: set(m.follows) for m in every_metric()}
    assert {key: declared.get(key) for key in AUDITED} == AUDITED


def test_every_declaration_is_true_on_seeded_data(world):
    """Followed: a filter matching nothing empties the numbers. Not followed: ``compute``
    really ignores the filter (so the page's "not narrowed" note is true as well)."""
    wrong = []
    for metric in every_metric():
        everything = metric.compute(PERIOD, Filters())
        if not has_numbers(everything):
            wrong.append(f"{metric.key}: nothing seeded to count")
            continue
        for dimension, nothing in MATCHES_NOTHING.items():
            narrowed = metric.compute(PERIOD, nothing)
            if dimension in metric.follows and has_numbers(narrowed):
                wrong.append(f"{metric.key} claims to follow {dimension} but is not narrowed")
            if dimension not in metric.follows and numbers(narrowed) != numbers(everything):
                wrong.append(f"{metric.key} follows {dimension} without declaring it")
    assert wrong == []


def test_a_metric_gets_only_the_filters_it_follows_and_a_note_for_the_others():
    seen: list[Filters] = []

    def spy(period, filters):
        seen.append(filters)
        return MetricTable(categories=["2 Nov"], series=[("Posts", [1.0])], headline=1.0)

    chosen = Filters(channels=("mastodon",), languages=("nl",), team="7")
    for follows, not_applied in ((frozenset(), {CHANNELS, LANGUAGES, TEAM}),
                                 (frozenset({CHANNELS}), {LANGUAGES, TEAM}),
                                 (frozenset({CHANNELS, LANGUAGES, TEAM}), set())):
        metric = Metric("test.spy", "Spy", "customer", spy, follows=follows)
        slot = registry.Slot(metric.key, metric.title, metric.element, "", 1, metric)
        panel = dashboard.build_panel(slot, PERIOD, chosen, with_previous=False)
        assert seen.pop() == chosen.only(follows)
        assert panel.not_applied == not_applied
        assert bool(panel.note) == bool(not_applied)
        assert panel.note in panel.data.description  # what a screen reader hears
    assert dashboard.build_panel(slot, PERIOD, Filters()).note == ""


def test_by_team_still_means_following_the_team():
    def nothing(period, filters):
        return MetricTable(categories=[], series=[])

    old = Metric("test.old", "Old", "team", nothing, by_team=True)
    assert old.follows == {TEAM} and old.by_team
    assert Metric("test.new", "New", "team", nothing, follows=frozenset({TEAM})).by_team
    with pytest.raises(ValueError, match="unknown filter"):
        Metric("test.bad", "Bad", "team", nothing, follows=frozenset({"colour"}))


def test_the_note_names_exactly_what_was_not_applied_in_each_language():
    notes = {frozenset(d): dashboard.not_narrowed_note(frozenset(d)) for d in
             ({CHANNELS}, {LANGUAGES}, {TEAM}, {CHANNELS, LANGUAGES}, {CHANNELS, TEAM},
              {LANGUAGES, TEAM}, {CHANNELS, LANGUAGES, TEAM})}
    assert len(set(notes.values())) == 7
    assert notes[frozenset({CHANNELS, LANGUAGES})].startswith(
        "Not narrowed to the channel or language")
    for language in ("nl", "fr"):
        with translation.override(language):
            translated = dashboard.not_narrowed_note(frozenset({CHANNELS, LANGUAGES}))
        assert translated and translated != notes[frozenset({CHANNELS, LANGUAGES})]


def panel_of(page: str, key: str) -> str:
    chart_id = "chart-" + key.replace(".", "-").replace("_", "-")
    return page.split(f'id="{chart_id}-heading"')[1].split("</section>")[0]


def test_a_channel_filter_is_named_where_it_is_not_applied(client_for, world):
    manager = client_for(Role.MANAGER)
    url = reverse("insights:dashboard") + "?days=28&end=2026-11-08"
    page = manager.get(url).content.decode()
    assert "Not narrowed" not in page
    page = manager.get(url + "&channel=mastodon").content.decode()
    alerts = panel_of(page, "understanding.trend_alerts")
    # above the chart, in the chart's description and in the table's caption
    assert alerts.count("Not narrowed to the channel: ") == 3
    for key in ("inbox.conversations", "posts.mentions", "ambassadors.shares"):
        assert "Not narrowed" not in panel_of(page, key)
    page = manager.get(url + "&channel=mastodon&language=nl").content.decode()
    assert "Not narrowed to the channel or language: " in panel_of(
        page, "understanding.trend_alerts")
    assert "Not narrowed to the language: " in panel_of(page, "ambassadors.shares")
    assert "Not narrowed" not in panel_of(page, "inbox.conversations")


def test_the_csv_says_first_which_filter_it_does_not_follow(client_for, world):
    manager = client_for(Role.MANAGER)
    query = "?days=7&end=2026-11-08&channel=mastodon"
    alerts = manager.get(reverse("insights:metric_csv", args=["understanding.trend_alerts"])
                         + query).content.decode().splitlines()
    assert alerts[0].startswith("# Not narrowed to the channel: ")
    assert alerts[1].startswith("Date,")
    assert sum(float(line.split(",")[1]) for line in alerts[2:]) == 3  # every channel
    conversations = manager.get(reverse("insights:metric_csv", args=["inbox.conversations"])
                                + query).content.decode().splitlines()
    assert not conversations[0].startswith("#")
    assert sum(float(c) for line in conversations[1:] for c in line.split(",")[1:] if c) == 2
