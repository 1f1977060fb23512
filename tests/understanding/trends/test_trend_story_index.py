"""A word that rises with a story that already alerted is the same story, not news of its own.
To decide that, the detector looks at the posts of the last hour that hold the word. On a busy
stream a story raises dozens of words, so after a few look-ups in a bucket the detector files
the hour's posts by term instead of going through all of them for every word. Either way the
answers, and so the alerts and the saved state, must be the same."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from samen.understanding.trends import Alert, TrendDetector

START = datetime(2026, 5, 4, 6, 0)
WORDS = [f"woord{i}" for i in range(400)]
TAGS = [f"#tag{i}" for i in range(20)]
STORY = [f"storm{i}" for i in range(30)]


def _zipf(rng: random.Random, items: list[str], k: int) -> list[str]:
    return [items[min(int(rng.paretovariate(1.1)) - 1, len(items) - 1)] for _ in range(k)]


def busy_story(seed: int) -> list[tuple[datetime, list[str], str]]:
    """Four hours at 4,000 posts an hour; in the last 75 minutes a fifth of the posts carry
    "#storm" and four of its words, and now and then a story word turns up without the tag
    (so that some words ride on the story and some do not), plus a copy now and then."""
    rng = random.Random(seed)
    posts: list[tuple[datetime, list[str], str]] = []
    story = START + timedelta(hours=2, minutes=45)
    t = START
    while t < START + timedelta(hours=4):
        t += timedelta(seconds=rng.expovariate(4000 / 3600))
        terms = _zipf(rng, WORDS, rng.randint(4, 9)) + _zipf(rng, TAGS, rng.randint(0, 1))
        if t >= story and rng.random() < 0.2:
            terms += ["#storm", *rng.sample(STORY, 4)]
        elif t >= story and rng.random() < 0.02:
            terms += rng.sample(STORY[20:], 2)
        if posts and rng.random() < 0.03:
            _, terms, _ = posts[-rng.randint(1, min(10, len(posts)))]
        posts.append((t, list(dict.fromkeys(terms)), str(len(posts))))
    return posts


def replay(posts: list[tuple[datetime, list[str], str]], scans: int, *, share: float = 0.5,
           ) -> tuple[list[Alert], dict[str, object], int]:
    """Alerts, final state, and in how many buckets the index was kept; saved and loaded
    half-way (a restart drops the index: it is built again when needed). Whenever the index
    is kept, it must file exactly the posts of the hour that are not copies."""
    detector = TrendDetector("normal", same_story_share=share)
    detector.story_scans = scans
    alerts: list[Alert] = []
    kept: set[int] = set()
    for n, (when, terms, key) in enumerate(posts):
        if n == len(posts) * 7 // 8:
            detector = TrendDetector.from_dict(json.loads(json.dumps(detector.to_dict())))
            detector.story_scans = scans
        alerts += detector.observe(when, terms, key)
        index = detector._story_index
        if index is not None:
            kept.add(detector._buckets[-1].index)
            if n % 53 == 0:
                filed: dict[str, list[tuple[str, ...]]] = {}
                for _, _, held, copy in detector._recent:
                    for term in () if copy else held:
                        filed.setdefault(term, []).append(held)
                assert index == filed
    return alerts, detector.to_dict(), len(kept)


def _dicts(alerts: list[Alert]) -> list[dict[str, object]]:
    return [a.as_dict() for a in alerts]


def test_the_index_gives_the_answers_going_through_every_post_gives() -> None:
    posts = busy_story(seed=1)
    scanned, scanned_state, never = replay(posts, scans=10**9)
    assert never == 0
    for scans in (0, 2):
        indexed, state, kept = replay(posts, scans=scans)
        assert _dicts(indexed) == _dicts(scanned)
        assert state == scanned_state
        assert kept >= 5  # the story's buckets asked about enough words to keep it
    # not a vacuous comparison: the story alerted, and the check kept some of its words quiet
    # that alert when no word counts as the same story
    assert "#storm" in {a.term for a in scanned}
    every_word, _, _ = replay(posts, scans=0, share=2.0)
    quiet = {a.term for a in every_word} - {a.term for a in scanned}
    assert quiet & set(STORY)


def test_a_post_that_comes_after_the_index_is_built_is_in_it() -> None:
    """The index is kept up to date as posts come in during the bucket, and leaves copies
    out, as going through the posts does."""
    detector = TrendDetector("normal")
    detector.story_scans = 0
    t = START
    for i in range(2000):  # a baseline, then an alerted hashtag for the story check
        detector.observe(t + timedelta(seconds=3 * i), [f"w{i % 50}", f"v{i % 7}"], str(i))
    now = detector._seconds(t + timedelta(seconds=5998))  # the bucket of the last post
    detector._alerted["#storm"] = now
    when = t + timedelta(seconds=5999)
    other = ("anders", "elders", "iets", "nog", "storm1")
    for k in range(6):  # the same message six times: from the fourth on, copies
        detector.observe(when, list(other), f"o{k}")
    detector._story_cache.clear()
    assert detector._same_story_now("storm1", now) is False  # builds the index: no #storm yet
    assert detector._story_index is not None
    story = ("#storm", "storm1", "x", "y")
    for k in range(5):  # after it is built: three posts, then two copies
        detector.observe(when, list(story), f"s{k}")
    assert detector._story_index["storm1"] == [other, other, other, story, story, story]
    assert detector._same_story_now("storm1", now) is True  # 3 of its 6 posts carry #storm


def test_the_index_is_let_go_once_the_buckets_ask_about_few_words() -> None:
    """Kept while each bucket asks about more than ``story_scans`` words; a bucket that asks
    about fewer lets it go when it closes (a steady stream does not pay for keeping it)."""
    detector = TrendDetector("normal")
    t = START
    for i in range(2000):
        detector.observe(t + timedelta(seconds=3 * i), [f"w{i % 50}", f"v{i % 7}"], str(i))
    detector._alerted["#storm"] = detector._seconds(t + timedelta(seconds=5998))

    def ask(words: list[str], at: datetime) -> None:
        detector.observe(at, ["x"], f"p{at.timestamp()}")  # opens the bucket of ``at``
        for word in words:
            detector._same_story(word, detector._seconds(at))

    ask(["w1", "w2", "w3"], t + timedelta(seconds=6000))  # the third builds it
    assert detector._story_index is not None
    ask(["w4", "w5", "w6"], t + timedelta(seconds=6300))  # kept: this bucket asks about three
    assert detector._story_index is not None
    ask(["w7"], t + timedelta(seconds=6600))
    assert detector._story_index is not None  # still there while the quiet bucket is open
    ask([], t + timedelta(seconds=6900))
    assert detector._story_index is None
