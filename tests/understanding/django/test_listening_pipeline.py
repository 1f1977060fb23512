"""Stored posts are understood: rules matched once, enrichment filled, the inbox told."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.sources.models import Post
from samen.sources.signals import posts_stored
from samen.understanding import actions, selectors
from samen.understanding.models import RuleMatch
from samen.understanding.signals import posts_understood

pytestmark = pytest.mark.django_db


def test_stored_posts_are_matched_once_even_when_sent_twice(make_post, django_capture_on_commit_callbacks):
    rule = actions.do_create_rule(name="Afval", query="(afval OR containerpark) AND lang:nl",
                                  by=None)
    other = actions.do_create_rule(name="Travaux", query='"rue de la Station" OR travaux',
                                   by=None)
    p1 = make_post("Is het containerpark zaterdag open?", language="nl")
    p2 = make_post("La rue de la Station est bloquée", language="fr", source_language="fr")
    p3 = make_post("Containerpark closed today?", language="en")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            posts_stored.send(sender=None, post_ids=[p1.pk, p2.pk, p3.pk])
    pairs = set(RuleMatch.objects.values_list("post_id", "rule_id"))
    assert pairs == {(p1.pk, rule.pk), (p2.pk, other.pk)}


def test_the_inbox_hears_after_matches_are_stored(make_post, django_capture_on_commit_callbacks):
    actions.do_create_rule(name="Afval", query="afval", by=None)
    post = make_post("Waar laat ik mijn afval?")
    heard = []

    def listener(sender, post_ids, **kwargs):
        heard.append((post_ids, RuleMatch.objects.filter(post_id__in=post_ids).count()))

    posts_understood.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            posts_stored.send(sender=None, post_ids=[post.pk])
    finally:
        posts_understood.disconnect(listener)
    assert heard == [([post.pk], 1)]


def test_missing_enrichment_is_filled_and_present_enrichment_is_kept(make_post):
    empty = make_post("Merci beaucoup pour la réponse rapide, super service !", language="",
                      source_language="", sentiment="", intent="")
    kept = make_post("Waarom is het zwembad dicht?", language="nl", sentiment="positive",
                     intent="praise")
    actions.do_understand_posts(post_ids=[empty.pk, kept.pk])
    empty = Post.objects.get(pk=empty.pk)
    kept = Post.objects.get(pk=kept.pk)
    assert empty.language == "fr"
    assert empty.sentiment == "positive"
    assert empty.intent in {"praise", "other"}
    assert (kept.sentiment, kept.intent) == ("positive", "praise")


def test_a_rule_on_enrichment_fields_sees_what_was_filled(make_post):
    rule = actions.do_create_rule(name="Boos", query="sentiment:negative AND parkeerkaart",
                                  by=None)
    post = make_post("Al drie weken geen antwoord over mijn parkeerkaart. Slechte service, "
                     "echt schandalig!", sentiment="", intent="")
    actions.do_understand_posts(post_ids=[post.pk])
    assert RuleMatch.objects.filter(rule=rule, post=post).exists()


def test_queries_do_not_grow_with_posts_or_rules(make_post):
    for i in range(30):
        actions.do_create_rule(name=f"r{i}", query=f"woord{i} OR gemeente{i}", by=None)
    few = [make_post(f"over woord{i}", sentiment="neutral", intent="other").pk
           for i in range(3)]
    many = [make_post(f"over woord{i % 30} en gemeente{i % 30}", sentiment="neutral",
                      intent="other").pk for i in range(120)]
    # rules are compiled, and the trend state made, once, not per batch
    actions.do_understand_posts(post_ids=[make_post("eerste").pk])
    with CaptureQueriesContext(connection) as small:
        actions.do_understand_posts(post_ids=few)
    with CaptureQueriesContext(connection) as large:
        actions.do_understand_posts(post_ids=many)
    assert len(large) == len(small)
    assert RuleMatch.objects.filter(post_id__in=many).count() == 120


def test_a_deleted_post_matches_nothing(make_post):
    from django.utils import timezone

    actions.do_create_rule(name="Afval", query="afval", by=None)
    post = make_post("afval", deleted_at=timezone.now())
    actions.do_understand_posts(post_ids=[post.pk])
    assert not RuleMatch.objects.exists()


def test_the_inbox_can_ask_which_posts_go_to_it_and_which_rules_they_matched(make_post):
    urgent = actions.do_create_rule(name="Gevaar", query="gevaarlijk*", to_inbox=True,
                                    priority=90, by=None)
    watch = actions.do_create_rule(name="Fietsen", query="fietspad", by=None)
    off = actions.do_create_rule(name="Uit", query="put", to_inbox=True, enabled=False, by=None)
    both = make_post("Gevaarlijke put in het fietspad")
    only_watch = make_post("Nieuw fietspad open")
    actions.do_understand_posts(post_ids=[both.pk, only_watch.pk])
    assert selectors.to_inbox_post_ids([both.pk, only_watch.pk]) == {both.pk}
    rules = selectors.rules_of_posts([both.pk, only_watch.pk])
    assert rules[both.pk] == [urgent, watch]  # highest priority first; the disabled rule
    assert rules[only_watch.pk] == [watch]    # never matched
    assert off not in rules[both.pk]


def test_one_call_tells_the_inbox_which_posts_of_a_batch_go_to_it(make_post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actions.do_create_rule(name="Gevaar", query="gevaarlijk*", to_inbox=True, priority=90,
                           by=None)
    actions.do_create_rule(name="Fietsen", query="fietspad", by=None)
    both = make_post("Gevaarlijk fietspad")
    only_watch = make_post("Nieuw fietspad open")
    mentioned = make_post("Nieuw fietspad, @stad?")
    quiet = make_post("Mooi weer")
    ids = [both.pk, only_watch.pk, mentioned.pk, quiet.pk]
    actions.do_understand_posts(post_ids=ids)
    with CaptureQueriesContext(connection) as queries:
        answer = selectors.inbox_rules(ids, addressed={mentioned.pk, quiet.pk})
    assert len(queries.captured_queries) <= 3
    assert answer == {both.pk: ["Gevaar", "Fietsen"], mentioned.pk: ["Fietsen"], quiet.pk: []}


def test_the_log_says_which_matcher_loop_runs(caplog, monkeypatch):
    """An operator reads in the worker's log whether matching runs compiled (ADR 0107)."""
    from samen.understanding.rules import match

    actions.do_create_rule(name="Afval", query="afval", by=None)
    monkeypatch.setattr(match, "COMPILED", False)
    with caplog.at_level("INFO", logger="samen.understanding"):
        ruleset = selectors.compiled_rules().ruleset
    assert not ruleset.compiled
    assert "Compiled 1 listening rules (0 not valid) for matching with the Python loop" in (
        caplog.text)


def test_the_log_warns_when_the_compiled_loop_cannot_be_used(caplog, monkeypatch):
    """Where the compiled loop is missing or stale, the log says why, as a warning."""
    from samen.understanding.rules import match

    actions.do_create_rule(name="Afval", query="afval", by=None)
    monkeypatch.setattr(match, "_Matcher", None)
    monkeypatch.setattr(match, "COMPILED", False)
    monkeypatch.setattr(match, "_NOT_BUILT", "it was built from another version of _speedups.c")
    with caplog.at_level("INFO", logger="samen.understanding"):
        selectors.compiled_rules()
    [record] = [r for r in caplog.records if r.message.startswith("Compiled ")]
    assert record.levelname == "WARNING"
    assert "another version of _speedups.c" in record.message


def test_a_rule_added_edited_or_deleted_reaches_the_matcher_with_the_next_batch(make_post):
    """The worker keeps its compiled rules between batches and checks their version (count
    and last change) before each: every kind of change must show in it."""
    from samen.understanding.postviews import view_of

    first = actions.do_create_rule(name="Afval", query="afval", by=None)
    view = view_of(Post.objects.get(pk=make_post("Afval en vuilnis bij het containerpark").pk))

    def matched() -> set[int]:
        return set(selectors.compiled_rules().ruleset.match(view))

    assert matched() == {first.pk}
    second = actions.do_create_rule(name="Vuilnis", query="vuilnis", by=None)
    assert matched() == {first.pk, second.pk}
    actions.do_update_rule(rule=first, by=None, query="containerpark")
    actions.do_update_rule(rule=second, by=None, query="glas")  # the last change
    assert matched() == {first.pk}
    actions.do_delete_rule(rule=first, by=None)  # not the last changed
    assert matched() == set()
