"""The detector skips the full check of a term or rule whose count cannot pass any test in the
open bucket (``TrendDetector._needed``). That must never change an alert: on busy streams
with rises of every kind, the detector gives exactly the alerts, and ends in exactly the
state, that it gives when it checks everything."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta

import pytest

from samen.understanding.trends import SENSITIVITY, Alert, Thresholds, TrendDetector

START = datetime(2026, 5, 4, 0, 0)  # a Monday
WORDS = [f"woord{i}" for i in range(300)]
TAGS = [f"#tag{i}" for i in range(25)]
RULES = [f"rule:{i}" for i in range(200)]


def _zipf(rng: random.Random, items: list[str], k: int) -> list[str]:
    return [items[min(int(rng.paretovariate(1.1)) - 1, len(items) - 1)] for _ in range(k)]


Post = tuple[datetime, list[str], str, list[str]]


def busy_stream(seed: int, days: int = 2) -> list[Post]:
    """``days`` of a busy stream with a daily rhythm (about 150 posts an hour at night and
    1,300 at noon), everyday words, hashtags and rule matches, copies and late posts; and
    from the second day: a new hashtag, a hashtag in use that grows, a rule whose matches
    jump, a word that rises, and a busy evening in which one everyday hashtag doubles its
    share."""
    rng = random.Random(seed)
    posts: list[Post] = []
    story = START + timedelta(days=1, hours=10)
    t = START
    end = START + timedelta(days=days)
    while t < end:
        hour = t.hour + t.minute / 60
        per_hour = 150 + 1150 * math.exp(-(((hour - 12) / 3.5) ** 2))
        evening = START + timedelta(days=1, hours=19) <= t < START + timedelta(days=1, hours=21)
        if evening:
            per_hour *= 2.5
        t += timedelta(seconds=rng.expovariate(per_hour / 3600))
        terms = _zipf(rng, WORDS, rng.randint(3, 9)) + _zipf(rng, TAGS, rng.randint(0, 2))
        rules = _zipf(rng, RULES, rng.choice((0, 0, 1, 2, 5)))
        since = (t - story).total_seconds() / 3600
        if 0 <= since < 2 and rng.random() < 0.03:
            terms.append("#nieuw")
        if 0 <= since < 3 and rng.random() < 0.004 * (1 + 3 * since):
            terms.append("#tag20")  # in use all along at its Zipf share, then growing
        if 1 <= since < 2 and rng.random() < 0.02:
            rules.append("rule:150")
        if 2 <= since < 3 and rng.random() < 0.05:
            terms.append("stroomstoring")
        if evening and rng.random() < 0.02:
            terms.append("#tag12")
        if posts and rng.random() < 0.05:  # a copy of a recent post
            _, terms, _, rules = posts[-rng.randint(1, min(20, len(posts)))]
        late = rng.random() < 0.01
        posts.append((t - timedelta(minutes=6) if late else t, list(dict.fromkeys(terms)),
                      str(len(posts)), list(dict.fromkeys(rules))))
    return posts


def replay(posts: list[Post], prune: bool, *, restart_at: int | None = None,
           sensitivity_from: int | None = None, first: str | Thresholds = "normal",
           then: Thresholds = SENSITIVITY["high"]) -> tuple[list[Alert], dict[str, object]]:
    """Alerts and the final state of a detector fed ``posts``; ``restart_at``: saved and
    loaded there (a worker's restart); ``sensitivity_from``: ``first`` until there, ``then``
    from there on."""
    detector = TrendDetector(first)
    detector._prune = prune
    alerts: list[Alert] = []
    for n, (when, terms, key, rules) in enumerate(posts):
        if n == restart_at:
            detector = TrendDetector.from_dict(json.loads(json.dumps(detector.to_dict())))
            detector._prune = prune
        if n == sensitivity_from:
            detector.thresholds = then  # as the worker sets it before each batch
        alerts += detector.observe(when, terms, key, rules=rules)
    return alerts, detector.to_dict()


def _dicts(alerts: list[Alert]) -> list[dict[str, object]]:
    return [a.as_dict() for a in alerts]


def test_skipping_hopeless_checks_changes_no_alert_and_no_state() -> None:
    posts = busy_stream(seed=5)
    with_skips, state = replay(posts, prune=True, restart_at=len(posts) // 2,
                               sensitivity_from=len(posts) * 3 // 4)
    everything, full_state = replay(posts, prune=False, restart_at=len(posts) // 2,
                                    sensitivity_from=len(posts) * 3 // 4)
    assert _dicts(with_skips) == _dicts(everything)
    assert state == full_state
    # the stream holds what the skips must get right: rises of every kind
    assert {a.kind for a in everything} == {"hashtag", "word", "rule"}
    assert {"#nieuw", "#tag20", "stroomstoring"} <= {a.term for a in everything}


def test_the_same_alerts_on_other_seeds_without_restart() -> None:
    for seed in (11, 12):
        posts = busy_stream(seed)
        with_skips, _ = replay(posts, prune=True)
        everything, _ = replay(posts, prune=False)
        assert _dicts(with_skips) == _dicts(everything)
        assert with_skips  # not a vacuous comparison


def test_a_changed_sensitivity_counts_from_the_next_post() -> None:
    """Thresholds that ask a much lower ratio, set in the middle of a bucket: the counts the
    skips worked out for the old ones must not keep a term from alerting until the bucket
    ends."""
    posts = busy_stream(seed=7, days=1)
    switch = next(n for n, p in enumerate(posts) if p[0] >= START + timedelta(hours=13, minutes=2))
    strict = Thresholds(min_count=6, min_ratio=12.0, min_score=1.0)
    loose = Thresholds(min_count=6, min_ratio=2.0, min_score=1.0)
    with_skips, _ = replay(posts, prune=True, sensitivity_from=switch, first=strict, then=loose)
    everything, _ = replay(posts, prune=False, sensitivity_from=switch, first=strict,
                           then=loose)
    assert _dicts(with_skips) == _dicts(everything)
    # terms alerted in the very bucket of the change: the case the comparison is about
    changed = START + timedelta(hours=13)
    assert [a for a in everything if changed <= a.time < changed + timedelta(minutes=5)]


def test_a_detector_with_tests_of_its_own_checks_every_term() -> None:
    """A subclass may pass counts the base tests would not (benchmarks/trends_variants.py
    does): the skips rest on the base tests, so such a detector checks everything."""

    class Lenient(TrendDetector):
        def _rate_test(self, term: str, count: int, now: float, kind: str,
                       min_score: float) -> tuple[float, float] | None:
            return (1.0, 99.0) if kind == "rule" else None

    lenient = Lenient("normal")
    assert not lenient._prune
    assert TrendDetector("normal")._prune
    alerts = []
    for when, terms, key, rules in busy_stream(seed=5, days=1):
        alerts += lenient.observe(when, terms, key, rules=rules)
    # every everyday rule alerts once it reaches the minimum count: no skip kept it silent
    assert len({a.term for a in alerts if a.kind == "rule"}) >= 20


def test_the_least_count_is_the_least_count_that_passes() -> None:
    """Against counting up from zero with the tests' own comparisons, on awkward values."""
    from samen.understanding.trends import _least_count

    rng = random.Random(3)
    for _ in range(3000):
        expected = rng.choice((rng.uniform(0.001, 3), rng.uniform(3, 400), 1 / 3, 0.1 + 0.2))
        min_count = rng.choice((0, 1, 2.5, 4, 6, 12.0, -3))
        min_ratio = rng.choice((rng.uniform(0, 12), 1 / 3, 3.0, 4.0, 0.0, -1.0))
        brute = 0
        while not (brute >= min_count and brute / expected >= min_ratio):
            brute += 1
        assert _least_count(expected, min_count, min_ratio) == brute


def test_thresholds_no_count_can_reach_switch_alerts_off_without_failing() -> None:
    """An infinite or astronomically high ratio or count (a way to switch alerts off) gives
    no alerts, as the full checks give none: no error and no endless search. NaN, which each
    test would read its own way, is refused."""
    with pytest.raises(ValueError, match="min_ratio"):
        Thresholds(min_count=6, min_ratio=math.nan, min_score=6.0)
    posts = busy_stream(seed=5, days=1)
    for off in (Thresholds(min_count=6, min_ratio=math.inf, min_score=6.0),
                Thresholds(min_count=6, min_ratio=1e25, min_score=6.0),
                Thresholds(min_count=10**30, min_ratio=4.0, min_score=6.0)):
        with_skips, _ = replay(posts[:20000], prune=True, first=off)
        everything, _ = replay(posts[:20000], prune=False, first=off)
        assert with_skips == everything == []
    lenient = Thresholds(min_count=6, min_ratio=-math.inf, min_score=6.0)
    with_skips, _ = replay(posts[:20000], prune=True, first=lenient)
    everything, _ = replay(posts[:20000], prune=False, first=lenient)
    assert _dicts(with_skips) == _dicts(everything)


def test_a_rule_key_that_looks_like_a_term_key_gets_its_own_count() -> None:
    """The product's terms never hold a NUL and its rule keys start with "rule:", but a
    caller may feed a word "\\x00r" and a rule "r": the rule must still be judged by its own
    least count (the two once shared one), and alert as the full check has it alert."""
    def run(prune: bool) -> list[tuple[str, str, int]]:
        detector = TrendDetector(Thresholds(min_count=3, min_ratio=1.0, min_score=0.0))
        detector._prune = prune
        t0 = datetime(2026, 5, 4, 9, 0)
        alerts: list[Alert] = []
        for m in range(100):
            alerts += detector.observe(t0 + timedelta(minutes=m), [f"x{m % 7}"], str(m))
        t = t0 + timedelta(minutes=100, seconds=5)
        for k in range(6):  # the word first: its least count is worked out in this bucket
            alerts += detector.observe(t + timedelta(seconds=k), ["\x00r", f"y{k}"], f"w{k}")
        for k in range(5):  # then the rule, in the same bucket
            alerts += detector.observe(t + timedelta(seconds=10 + k), [f"z{k}"], f"r{k}",
                                       rules=["r"])
        return [(a.term, a.kind, a.count) for a in alerts]

    assert run(prune=True) == run(prune=False)
    assert ("r", "rule", 3) in run(prune=True)


def test_a_subclass_that_changes_what_the_counts_rest_on_checks_every_term() -> None:
    from samen.understanding.trends import _NEEDS_RELY_ON

    def same_as_before(name: str) -> object:
        method = getattr(TrendDetector, name)
        return lambda self, *args, **kwargs: method(self, *args, **kwargs)

    assert TrendDetector("normal")._prune
    for name in _NEEDS_RELY_ON:
        subclass = type("Changed", (TrendDetector,), {name: same_as_before(name)})
        assert not subclass("normal")._prune, name


def test_the_counts_are_the_same_with_counter_update(monkeypatch: pytest.MonkeyPatch) -> None:
    """A post's terms go into the counters through ``collections``' own counting loop; the
    ``Counter.update`` the detector falls back on where a Python lacks it must count the
    same, and the counters must stay Counters (they are read with ``[]`` for absent terms)."""
    from collections import Counter

    from samen.understanding import trends

    posts = busy_stream(seed=5, days=1)
    native, native_state = replay(posts, prune=True)
    monkeypatch.setattr(trends, "_add_each", Counter.update)
    plain, plain_state = replay(posts, prune=True)
    assert _dicts(plain) == _dicts(native)
    assert plain_state == native_state
    assert plain  # not a vacuous comparison
    detector = TrendDetector("normal")
    detector.observe(START, ["#een", "twee"], "1", rules=["rule:1"])
    assert detector._window_terms["#een"] == 1 and detector._window_terms["drie"] == 0
    assert detector._window_rules["rule:1"] == 1 and detector._buckets[-1].terms["twee"] == 1


def test_a_rules_least_count_has_a_short_way_with_the_same_number() -> None:
    """``_rule_needed`` is ``_needed`` for a rule with fewer calls (a busy stream meets most of
    its rules for the first time in a bucket): the same count, and the same expected count
    left for the full check, for every rule at every stage of a busy stream."""
    posts = busy_stream(seed=5, days=1)
    short, full = TrendDetector("normal"), TrendDetector("normal")
    compared = 0
    for n, (when, terms, key, rules) in enumerate(posts):
        short.observe(when, terms, key, rules=rules)
        full.observe(when, terms, key, rules=rules)
        if n % 97 == 0 and rules:
            now = short._seconds(when)
            for rule in rules:
                short._rule_needs.pop(rule, None)
                full._rule_needs.pop(rule, None)
                assert short._rule_needed(rule, now) == full._needed(rule, now, "rule")[0]
                assert short._rule_needs == full._rule_needs
                assert short._expected_cache == full._expected_cache
                compared += 1
    assert compared > 100
