"""The demo fills the listening pages: rules in three languages, their matches, alerts."""

from __future__ import annotations

import pytest

from samen.core.demo import seed
from samen.understanding.models import ListeningRule, RuleMatch, TrendAlert
from samen.understanding.rules import parse

pytestmark = pytest.mark.django_db


def test_demo_rules_parse_match_demo_posts_and_seeding_twice_adds_nothing():
    seed()
    rules = list(ListeningRule.objects.all())
    assert 8 <= len(rules) <= 12
    for rule in rules:
        parse(rule.query)  # every demo rule is valid
    matched = {m.rule.name for m in RuleMatch.objects.select_related("rule")}
    assert matched == {r.name for r in rules}  # no rule's page is empty in the demo
    counts = (ListeningRule.objects.count(), RuleMatch.objects.count(),
              TrendAlert.objects.count())
    assert TrendAlert.objects.get(term="#geefomjedarm").example_post_ids
    seed()
    assert (ListeningRule.objects.count(), RuleMatch.objects.count(),
            TrendAlert.objects.count()) == counts
