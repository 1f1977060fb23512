"""Rising hashtags, rising words and volume spikes per listening rule, as a stream.

The method, in words a comms lead can check (docs/trends.md has the long form):

* Time is cut into 5-minute buckets. The last 60 minutes (the *window*) are compared with a
  *baseline* built from everything before the window, so a rise cannot hide itself.
* The baseline rate of a term (a hashtag, a word, or a rule's matches) is its exponentially
  decayed count (half-life one day) divided by the hours of history it covers. One
  pseudo-post (spread over at least an hour) is added, so a term never seen before must
  reach a real count to alert.
* The expected count in the window is that rate times the *time-of-week factor*: how busy this
  hour of this day of the week usually is compared with the average hour, learned from the
  whole stream (hour-of-day after one day of history, hour-of-week after one week). A quiet
  night followed by a busy morning is therefore not a trend.
* Surprise is the Poisson tail probability of seeing at least this count if the expected count
  were true, given as ``score = -log10(p)``: score 8 means "one chance in a hundred million".
* An alert needs a minimum count, a minimum ratio count/expected and a minimum score (the three
  set by *sensitivity*) after one hour of stream (warm-up, again after a silence of 12 hours)
  and once the baseline covers half an hour: on a new stream, from 90 minutes on.
  Words need more than hashtags (twice the count, +2 in score) and must also
  have risen as a share of all posts, so a stream that simply gets busier does not make every
  common word "trend".
* Two more ways to pass, for terms that were already in use: (1) in an hour busier than
  usual (after a day of history), the count is also judged without the time factor when the
  term's share of posts at least doubled - the stream being busier then does not hide it;
  (2) the *growth test*: the last 30 minutes against the three hours before them, for a term
  seen at least half the minimum count in those hours; it needs the minimum count within the
  30 minutes, the minimum ratio, a doubled share and a score one less than the main test.
* Copies count little: a post with exactly the same terms as one already in the window (a
  retweet, a boost of a quote) adds to volume, not to word counts, and to hashtag counts only
  for the first two copies: a hashtag that spreads through retweets of several messages
  rises, one message copied a hundred times does not make it trend on its own.
* One rise, one alert: a term that alerted stays silent until it has calmed down (fewer than
  half the minimum count in the window) and at least six hours passed. A word that mostly
  appears in posts carrying a term that alerted in those six hours is the same story told
  again; it does not alert separately. Hashtags are never silenced that way.
* A term that rose at about the same time (within two hours) yesterday or a week ago is a
  routine (good-morning greetings, a weekly programme): it counts as risen but stays silent.

Pure Python, no Django import. The whole state is serialisable (:meth:`TrendDetector.to_dict`),
so a worker can persist it between runs.
"""

from __future__ import annotations

import collections
import math
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import filterfalse, repeat
from operator import add
from string import ascii_lowercase
from typing import Any, cast

from samen.understanding import compiled as _compiled
from samen.understanding.text import lower_letter_runs

__all__ = [
    "SENSITIVITY",
    "STOPWORDS",
    "Alert",
    "Thresholds",
    "TrendDetector",
    "poisson_surprise",
    "terms_of",
]


# The patterns with a look-behind or alternatives start with a look-ahead for the characters
# a match can start with: the same matches, without trying them at every position
# (tests/understanding/test_batch_paths.py compares them with the plain patterns).
_URL = re.compile(r"(?=[hHwW])(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?=@)(?<![\w@])@\w[\w.@-]*")
_ENTITY = re.compile(
    r"(?=[&\\])(?:&(?:[a-z]+|#\d+|#x[0-9a-f]+);|\\u[0-9a-fA-F]{4})", re.IGNORECASE
)
_HASHTAG = re.compile(r"(?=[#＃])(?<![\w&/#])[#＃](\w*[^\W\d_]\w*)")

# Words that say nothing on their own, in the four languages (plus tweet noise). Short on
# purpose: the share-based baseline already keeps frequent words quiet; this list only saves
# work and keeps the alert list readable.
STOPWORDS = frozenset(  # a word list reads best as words
    """
    the and for are but not you your with this that have has had was were will would can could
    from they them their there what when where who why how all any our out about just like get
    got its it's into than then too very also been being more most some such only over after
    before because while here now one two via amp http https rt lol

    het een van dat die niet zijn voor met als maar ook nog wel dan bij naar door over uit
    wat wie waar hoe was waren heeft hebben wordt worden kan kunnen moet moeten zal zou deze
    dit daar hier nu echt gewoon even weer heel veel meer geen iets alles

    les des une est pas que qui pour dans sur avec par mais plus comme tout tous être avoir
    fait sont ont cette ces son ses leur nous vous ils elle elles aux été très bien

    der die das und ist nicht ein eine mit für auf den dem des von sich auch noch wie was
    wer wir ihr sie sind hat haben wird werden kann aber oder nur schon sehr mehr
    """.split()  # noqa: SIM905
)

# The fewest letters a plain word needs to be a trend term.
_MIN_WORD = 3

# What an ASCII text's letter runs (lower-case a-z) must not be to count as a trend term: a
# stop word or shorter than three letters (of which there are 26 + 26 * 26), so one set test,
# done in C by ``filterfalse``, does both.
_ASCII_DROPPED = STOPWORDS | {
    a + b for a in ("", *ascii_lowercase) for b in ascii_lowercase}

# terms_of's steps in C, where they were built (ADR 0127); _terms_in_python is the reference.
_compiled_terms = _compiled.twin("trend_terms")


def terms_of(text: str, hashtags: Iterable[str] = ()) -> list[str]:
    """The trend terms of a post: ``#hashtag`` (lower-case) and plain words (lower-case,
    letters only, at least three), without links, mentions and stop words. ``hashtags`` adds
    tags a network lists apart from the text (e.g. ``NormalizedPost.hashtags``). The pipeline
    and ``samen eval trends`` both use this, so they see the same terms."""
    if _compiled_terms is not None and not hashtags:
        return _compiled_terms(text, STOPWORDS, _MIN_WORD)
    return _terms_in_python(text, hashtags)


def _terms_in_python(text: str, hashtags: Iterable[str] = ()) -> list[str]:
    """:func:`terms_of` in Python: the reference for its compiled twin."""
    # Each pattern runs only when the text holds a character its matches need (a plain
    # substring test): most posts have no link, mention or entity. Removing a match only
    # writes a space, so a character absent before a step is absent after it.
    tagged = "#" in text or "＃" in text
    tags = ["#" + t.lower() for t in _HASHTAG.findall(text)] if tagged else []
    if hashtags:
        tags += ["#" + t.lower().lstrip("#") for t in hashtags if t.strip("#")]
    plain = text
    if "://" in plain or ("." in plain and "www." in plain.lower()):  # as text._without_links
        plain = _URL.sub(" ", plain)
    if "@" in plain:
        plain = _MENTION.sub(" ", plain)
    if "&" in plain or "\\" in plain:
        plain = _ENTITY.sub(" ", plain)
    if tagged:
        plain = _HASHTAG.sub(" ", plain)
    if plain.isascii():
        words = list(filterfalse(_ASCII_DROPPED.__contains__, lower_letter_runs(plain)))
    else:
        stop = STOPWORDS
        words = [w for w in lower_letter_runs(plain, _MIN_WORD) if w not in stop]
    return list(dict.fromkeys(tags + words if tags else words))


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What it takes for a hashtag or rule to alert; all three must hold."""

    min_count: int  # posts in the window carrying the term
    min_ratio: float  # count / expected
    min_score: float  # -log10 of the Poisson tail probability

    def __post_init__(self) -> None:
        # NaN compares false both ways, so each test would read it differently
        for name in ("min_count", "min_ratio", "min_score"):
            if math.isnan(getattr(self, name)):
                raise ValueError(f"{name} must be a number, not NaN")


SENSITIVITY: dict[str, Thresholds] = {
    "low": Thresholds(min_count=10, min_ratio=5.0, min_score=10.0),
    "normal": Thresholds(min_count=6, min_ratio=4.0, min_score=6.0),
    "high": Thresholds(min_count=4, min_ratio=3.0, min_score=4.0),
}


@dataclass(frozen=True, slots=True)
class Alert:
    """Something rose: what, how far above expected, since when, with example posts."""

    time: datetime  # when the alert fired: the time of the post that tipped it
    term: str  # "#hashtag", "word", or the rule key for kind == "rule"
    kind: str  # "hashtag", "word" or "rule"
    count: int  # in the window
    expected: float  # in the window
    ratio: float
    score: float
    since: datetime  # start of the first bucket of the rise
    examples: tuple[str, ...]  # post ids, most recent first

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["time"] = self.time.isoformat()
        d["since"] = self.since.isoformat()
        d["examples"] = list(self.examples)
        return d


def poisson_surprise(count: int, expected: float) -> float:
    """``-log10 P(X >= count)`` for ``X ~ Poisson(expected)``; 0 when count <= expected."""
    if count <= expected or count <= 0:
        return 0.0
    lam = max(expected, 1e-9)
    log_pmf = count * math.log(lam) - lam - math.lgamma(count + 1)
    # P(X >= c) = pmf(c) * (1 + lam/(c+1) + lam^2/((c+1)(c+2)) + ...); converges as c > lam.
    total, term, k = 1.0, 1.0, count
    while True:
        k += 1
        term *= lam / k
        total += term
        if term < 1e-12 * total:
            break
    return max(0.0, -(log_pmf + math.log(total)) / math.log(10))


def _least_count(expected: float, min_count: float, min_ratio: float) -> float:
    """The least count that is at least ``min_count`` and ``min_ratio`` times ``expected``,
    by the very comparisons the tests make. No score: working it out cost more than the
    checks it would spare, and a count this low rarely gets as far as the score anyway.
    Infinite when no count of posts gets there (an infinite threshold switches alerts off;
    past 2**52 adding one post no longer changes a float)."""
    target = min_ratio * expected
    if not (target < _COUNT_LIMIT and min_count < _COUNT_LIMIT):  # NaN fails both too
        return math.inf
    count = 0  # counts are never negative: start from there, or nearer where given
    if min_count > 0:
        count = math.ceil(min_count)
    if target > 1:
        count = max(count, math.floor(target) - 1)
    while not (count >= min_count and count / expected >= min_ratio):
        count += 1
    return float(count)


_COUNT_LIMIT = 2.0**52


_EPOCH = datetime(1970, 1, 5)  # a Monday, so hour-of-week 0 is Monday 00:00
_RESTART_GAP = 12 * 3600.0
_WORD_COUNT_FACTOR = 2.0
_WORD_EXTRA_SCORE = 2.0
_WORD_MIN_SHARE_RATIO = 2.0
_COPIES_COUNTED = 3  # a message's hashtags count for it and two copies
_ROUTINE_TOLERANCE = 2 * 3600.0
_ROUTINE_MEMORY = 8 * 86400.0
_GROWTH_SCORE_RELIEF = 1.0  # the growth test asks one order of magnitude less surprise
# What TrendDetector._needed's counts are worked out from: a subclass that overrides any of
# these (benchmarks/trends_variants.py does) checks every term.
_NEEDS_RELY_ON = ("_check", "_rate_test", "_growth_test", "_expected", "_expected_of",
                  "time_factor", "_time_factor", "_reference")


@dataclass(slots=True)
class _Decayed:
    """An exponentially decayed sum, decayed lazily to the time it is read or added to."""

    value: float = 0.0
    at: float = 0.0  # seconds since _EPOCH

    def get(self, now: float, half_life: float) -> float:
        if now > self.at and self.value:
            return self.value * 0.5 ** ((now - self.at) / half_life)
        return self.value

    def add(self, amount: float, now: float, half_life: float) -> None:
        self.value = self.get(now, half_life) + amount
        self.at = max(self.at, now)


# Adds one to each item's count: ``Counter.update`` on a tuple, without its Python wrapper
# (a check whether it was given a mapping, on every call): a post's terms and rule keys go
# into five counters, 50,000 calls for 10,000 posts. It is the loop that ``Counter.update``
# itself calls, a private name of ``collections``: where a Python lacks it, ``Counter.update``.
_AddEach = Callable[[dict[str, int], Iterable[str]], None]
_add_each: _AddEach = getattr(collections, "_count_elements", cast(_AddEach, Counter.update))


def _take(counts: Counter[str], gone: Mapping[str, int]) -> None:
    """Subtract ``gone`` from running ``counts``, dropping terms that reach zero."""
    get, pop = counts.get, counts.pop  # dict's own: Counter's ``del`` is Python code
    for term, n in gone.items():
        left = get(term, 0) - n
        if left > 0:
            counts[term] = left
        else:
            pop(term, None)


def _index_terms(index: dict[str, list[tuple[str, ...]]], terms: tuple[str, ...]) -> None:
    """File a post's ``terms`` under each of them (``TrendDetector._story_index``)."""
    for term in terms:
        posts = index.get(term)
        if posts is None:
            index[term] = [terms]
        else:
            posts.append(terms)


def _add(counts: Counter[str], more: Mapping[str, int]) -> None:
    """Add ``more``'s counts to ``counts``: ``Counter.update`` with a mapping, with its loop
    per term in C (``map``, ``dict.update``) instead of Python: a third faster on a busy
    bucket's few thousand terms, which enter the growth test's reference as it closes."""
    terms = list(more)
    dict.update(counts, zip(terms, map(add, map(counts.get, terms, repeat(0)), more.values()),
                            strict=True))


@dataclass(slots=True)
class _Bucket:
    index: int
    posts: int = 0  # distinct posts (copies left out)
    volume: int = 0  # all posts
    terms: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)


class TrendDetector:
    """Streaming detector: feed posts in time order with :meth:`observe`, get alerts back.

    ``sensitivity`` is "low", "normal" or "high" (or a :class:`Thresholds`). Times are naive
    or aware datetimes, one or the other throughout; hour-of-day is read from the clock the
    caller uses (for aware times, the offset of the latest post).
    """

    def __init__(
        self,
        sensitivity: str | Thresholds = "normal",
        *,
        bucket_minutes: int = 5,
        window_minutes: int = 60,
        half_life_hours: float = 24.0,
        warmup_minutes: int = 60,
        baseline_minutes: int = 30,
        cooldown_hours: float = 6.0,
        same_story_share: float = 0.5,
        short_minutes: int = 30,
        reference_minutes: int = 180,
    ) -> None:
        if isinstance(sensitivity, Thresholds):
            self.thresholds = sensitivity
        elif sensitivity in SENSITIVITY:
            self.thresholds = SENSITIVITY[sensitivity]
        else:
            raise ValueError(f"sensitivity must be one of {', '.join(SENSITIVITY)}")
        self.bucket_seconds = bucket_minutes * 60
        self.window_buckets = max(1, window_minutes // bucket_minutes)
        self.half_life = half_life_hours * 3600.0
        self.warmup_seconds = warmup_minutes * 60
        self.baseline_hours = baseline_minutes / 60.0
        self.cooldown_seconds = cooldown_hours * 3600.0
        self.same_story_share = same_story_share
        self.short_buckets = max(1, min(short_minutes // bucket_minutes, self.window_buckets))
        self.reference_buckets = max(1, reference_minutes // bucket_minutes)
        self._tz: tzinfo | None = None
        self._start: float | None = None  # start of history (for the baseline's hours)
        self._warm_from: float | None = None  # alerts allowed from here + warm-up
        self._history_since = 0.0  # the growth test's counts are complete from here
        self._last: float | None = None
        self._seq = 0
        self._buckets: deque[_Bucket] = deque()
        self._history: deque[_Bucket] = deque()  # buckets that left the window (growth test)
        self._short_terms: Counter[str] = Counter()  # the last ``short_buckets`` buckets
        self._short_posts = 0
        self._short_from = 0  # index of the oldest bucket counted in the short window
        # The growth test's reference (see _reference), summed as buckets enter and leave it.
        self._ref_terms: Counter[str] = Counter()
        self._ref_posts = 0
        # The newest bucket of the reference they hold (None: they hold nothing); its
        # ``reference_buckets`` buckets up to this one are the ones summed.
        self._ref_top: int | None = None
        self._window_terms: Counter[str] = Counter()
        self._window_rules: Counter[str] = Counter()
        self._window_posts = 0
        # (post key, time, terms, is a copy) - for examples, copies and the "same story" check
        self._recent: deque[tuple[str, float, tuple[str, ...], bool]] = deque()
        self._signatures: Counter[tuple[str, ...]] = Counter()
        self._base_posts = _Decayed()
        self._exposure = _Decayed()  # hours of stream behind the baseline
        self._exposed_until: float | None = None
        self._base_terms: dict[str, _Decayed] = {}
        self._base_rules: dict[str, _Decayed] = {}
        self._how_volume = [0.0] * 168  # posts per hour-of-week slot (all history)
        self._how_hours = [0] * 168  # hours that contributed to each slot
        self._last_retired_hour: int | None = None
        self._factor_cache: tuple[int, float] = (-1, 1.0)  # (bucket index, time factor)
        self._covers_cache: tuple[int, bool] = (-1, False)  # (bucket index, baseline enough)
        self._day_cache: tuple[int, bool] = (-1, False)  # (bucket index, a day of history)
        self._story_cache: dict[str, bool] = {}  # word -> same story, for the open bucket
        # term -> the terms of each post of _recent (not a copy) that holds it, built when a
        # bucket asks about a third word's story and kept up to date while the buckets keep
        # asking about more than two (see _same_story_now); None when not kept.
        self._story_index: dict[str, list[tuple[str, ...]]] | None = None
        self._expected_cache: dict[str, float] = {}  # term -> expected, for the open bucket
        # term -> the least (window count, short-window count) that could pass a test, for the
        # open bucket and these thresholds (see _needed); a subclass that overrides what they
        # rest on (_NEEDS_RELY_ON) checks every term.
        self._needs: dict[str, tuple[float, float]] = {}
        self._rule_needs: dict[str, float] = {}  # apart: a rule key may be spelled as a term
        self._needs_for = self.thresholds
        self._prune = all(getattr(type(self), name) is getattr(TrendDetector, name)
                          for name in _NEEDS_RELY_ON)
        self._alerted: dict[str, float] = {}  # term -> time of its last alert
        self._rises: dict[str, list[float]] = {}  # term -> times it rose, the last 8 days
        self._calm: dict[str, bool] = {}  # term -> calmed down since its last alert

    # --- time ------------------------------------------------------------------------------

    def _seconds(self, t: datetime) -> float:
        if t.tzinfo is not None:
            self._tz = t.tzinfo
            t = t.astimezone(UTC).replace(tzinfo=None)
        return (t - _EPOCH).total_seconds()

    def _datetime(self, s: float) -> datetime:
        dt = _EPOCH + timedelta(seconds=s)
        if self._tz is not None:
            dt = dt.replace(tzinfo=UTC).astimezone(self._tz)
        return dt

    def _hour_of_week(self, s: float) -> int:
        dt = self._datetime(s)
        return dt.weekday() * 24 + dt.hour

    def _advance(self, now: float) -> None:
        """Open the bucket for ``now``; buckets that left the window join the baseline."""
        index = int(now // self.bucket_seconds)
        if self._buckets and index <= self._buckets[-1].index:
            return  # the same open bucket (or a late post): nothing leaves any window
        self._buckets.append(_Bucket(index))
        story = self._story_index
        if story is not None and len(self._story_cache) <= self.story_scans:
            story = self._story_index = None  # the closing bucket hardly used it
        self._story_cache.clear()
        self._expected_cache.clear()
        self._forget_needs()
        newest = self._buckets[-1].index  # a late post is counted in the open bucket
        self._shift_reference(newest)  # before buckets that leave it are dropped below
        short_from = newest - self.short_buckets + 1
        if short_from > self._short_from:
            for b in self._buckets:  # buckets leaving the short window (all still in it)
                if b.index >= short_from:
                    break
                if b.index >= self._short_from:
                    _take(self._short_terms, b.terms)
                    self._short_posts -= b.posts
            self._short_from = short_from
        while self._buckets and self._buckets[0].index <= newest - self.window_buckets:
            b = self._buckets.popleft()
            self._retire(b)
            self._history.append(b)
        oldest = newest - self.short_buckets - self.reference_buckets + 1
        while self._history and self._history[0].index < oldest:
            self._history.popleft()
        horizon = (newest - self.window_buckets + 1) * self.bucket_seconds
        signatures = self._signatures
        gone: dict[str, int] = {}  # term -> posts holding it that left _recent
        while self._recent and self._recent[0][1] < horizon:
            _, _, terms, copy = self._recent.popleft()
            if copy:
                continue
            if story is not None:
                _add_each(gone, terms)
            if len(terms) >= 4:
                left = signatures.get(terms, 0) - 1
                if left > 0:
                    signatures[terms] = left
                else:
                    signatures.pop(terms, None)  # dict's own: Counter's ``del`` is Python code
        if story is not None:  # posts leave _recent oldest first: the first of each list
            for term, n in gone.items():
                posts = story[term]
                if len(posts) == n:
                    del story[term]
                else:
                    del posts[:n]

    def _retire(self, b: _Bucket) -> None:
        at = (b.index + 1) * self.bucket_seconds
        hl = self.half_life
        self._base_posts.add(b.posts, at, hl)
        self._window_posts -= b.posts
        # Exposure: the stream time this bucket stands for (the silence before it too, unless
        # the stream was down), decayed like the counts so that rate = count / exposure.
        span = at - self._exposed_until if self._exposed_until is not None else 0.0
        if not 0 < span <= _RESTART_GAP:
            span = float(self.bucket_seconds)
        self._exposure.add(span / 3600.0, at, hl)
        self._exposed_until = at
        decay: dict[float, float] = {}  # last update -> factor; many terms share one
        for counts, base, window in (
            (b.terms, self._base_terms, self._window_terms),
            (b.rules, self._base_rules, self._window_rules),
        ):
            for term, n in counts.items():  # _Decayed.add, inlined (the hot loop)
                d = base.get(term)
                if d is None:
                    base[term] = _Decayed(0.0 + n, max(0.0, at))
                    continue
                value = d.value
                if at > d.at and value:
                    f = decay.get(d.at)
                    if f is None:
                        f = decay[d.at] = 0.5 ** ((at - d.at) / hl)
                    value = value * f
                d.value = value + n
                if at > d.at:
                    d.at = at
            _take(window, counts)
        start = b.index * self.bucket_seconds
        how = self._hour_of_week(start)
        self._how_volume[how] += b.volume
        hour = int(start // 3600)
        if hour != self._last_retired_hour:
            self._how_hours[how] += 1
            self._last_retired_hour = hour
        if len(self._base_terms) > 500_000:  # forget the long tail of one-off words
            base = self._base_terms
            for term in [t for t, d in base.items() if d.get(at, hl) < 0.05]:
                del base[term]

    # --- expectations ------------------------------------------------------------------------

    def _baseline_covers(self, bucket: _Bucket) -> bool:
        """Does the baseline hold enough stream (``baseline_minutes``) to judge against?
        It only changes when buckets leave the window: decided once per open bucket."""
        if self._covers_cache[0] != bucket.index:
            hours = self._history_hours(bucket.index * self.bucket_seconds)
            self._covers_cache = (bucket.index, hours >= self.baseline_hours)
        return self._covers_cache[1]

    def _day_of_history(self) -> bool:
        """Does the hour-of-week profile hold a day of stream (so the time factor comes from
        it)? It only changes when buckets leave the window: decided once per open bucket."""
        index = self._buckets[-1].index
        if self._day_cache[0] != index:
            self._day_cache = (index, sum(self._how_hours) >= 24)
        return self._day_cache[1]

    def _history_hours(self, now: float) -> float:
        """Hours of stream behind the baseline, decayed like the counts."""
        return self._exposure.get(now, self.half_life)

    def time_factor(self, now: float) -> float:
        """How busy this hour usually is compared with the average hour.

        Before a day of history shows the rhythm, part of the current volume stands in for
        it: the square root of how much busier the window is than usual (4x busier raises
        every expectation 2x). Half-way on a log scale between trusting counts (a busier
        morning looks like a trend) and trusting shares (a story that makes the whole stream
        busier, as a disaster does, could not rise at all).

        Decided once per open bucket, at its first use (a late post, whose time falls in an
        older bucket, does not decide it again).
        """
        bucket = self._buckets[-1].index if self._buckets else int(now // self.bucket_seconds)
        if self._factor_cache[0] == bucket:
            return self._factor_cache[1]
        factor = self._time_factor(now)
        self._factor_cache = (bucket, factor)
        return factor

    def _time_factor(self, now: float) -> float:
        hours_seen = sum(self._how_hours)
        if hours_seen < 24:
            window_hours = self.window_buckets * self.bucket_seconds / 3600.0
            hours = self._history_hours(now)
            usual = self._base_posts.get(now, self.half_life) / hours if hours > 0 else 0.0
            current = self._window_posts / window_hours
            return min(max(current / usual, 1.0), 5.0) ** 0.5 if usual > 0 else 1.0
        mean = sum(self._how_volume) / hours_seen
        how = self._hour_of_week(now)
        if hours_seen >= 168 and self._how_hours[how]:
            slot = self._how_volume[how] / self._how_hours[how]
        else:  # hour of day: the same hour on every day of the week
            slots = range(how % 24, 168, 24)
            n = sum(self._how_hours[s] for s in slots)
            slot = sum(self._how_volume[s] for s in slots) / n if n else mean
        factor = slot / mean if mean > 0 else 1.0
        return min(max(factor, 0.2), 5.0)

    def _expected(self, base: _Decayed | None, now: float) -> float:
        """Expected count in the window: the term's rate over the hours its baseline covers,
        plus one pseudo-post spread over at least an hour (so a term never seen must reach a
        real count), times the time factor. The seen part is divided by the real hours: a
        baseline of 20 minutes holds 20 minutes of posts, not an hour's."""
        seen = base.get(now, self.half_life) if base is not None else 0.0
        hours = self._history_hours(now)
        per_hour = (seen / hours if hours > 0 else 0.0) + 1.0 / max(hours, 1.0)
        window_hours = self.window_buckets * self.bucket_seconds / 3600.0
        return per_hour * window_hours * self.time_factor(now)

    def _share_ratio(self, term: str, count: int, now: float) -> float:
        """How much the term's share of posts rose: window share / baseline share."""
        posts = self._base_posts.get(now, self.half_life)
        d = self._base_terms.get(term)
        seen = d.get(now, self.half_life) if d is not None else 0.0
        base_share = (seen + 1.0) / (posts + 1.0)
        return (count / max(self._window_posts, 1)) / base_share

    # --- the stream ------------------------------------------------------------------------

    def observe(
        self,
        time: datetime,
        terms: Iterable[str],
        post_id: str | None = None,
        *,
        rules: Iterable[str] = (),
    ) -> list[Alert]:
        """Count one post - its terms (``#hashtag`` and words) and the keys of the rules it
        matched - and return the alerts it tips over. Posts should come in time order; a late
        one is counted in the newest bucket."""
        now = self._seconds(time)
        if self._start is None:
            self._start = now
        if self._warm_from is None or (self._last is not None and now - self._last > _RESTART_GAP):
            self._warm_from = now  # first post, or the stream was silent: warm up again
        self._last = max(self._last if self._last is not None else now, now)
        self._advance(now)
        bucket = self._buckets[-1]
        unique = tuple(sorted(set(filter(None, terms))))
        rule_keys = tuple(dict.fromkeys(rules)) if rules else ()
        self._seq += 1
        key = post_id if post_id is not None else str(self._seq)
        # Only a post with a few words can be a copy: many people writing just "#tag" is a rise.
        # A message counts for its words once, for its hashtags at most _COPIES_COUNTED times.
        signatures = self._signatures  # .get: Counter's default for a new key is Python code
        seen = signatures.get(unique, 0) if len(unique) >= 4 else 0
        copy = seen >= _COPIES_COUNTED
        counted = unique if not seen else tuple(t for t in unique if t.startswith("#"))
        bucket.volume += 1
        if rule_keys:  # most posts match no rule
            _add_each(bucket.rules, rule_keys)
            _add_each(self._window_rules, rule_keys)
        if not copy:
            bucket.posts += 1
            self._window_posts += 1
            _add_each(bucket.terms, counted)
            _add_each(self._window_terms, counted)
            _add_each(self._short_terms, counted)
            self._short_posts += 1
            if len(unique) >= 4:
                signatures[unique] = seen + 1
        self._recent.append((key, now, unique, copy))
        if self._story_index is not None and not copy:
            _index_terms(self._story_index, unique)
        if now - self._warm_from < self.warmup_seconds or not self._baseline_covers(bucket):
            return []  # warming up, or too little baseline to judge anything against
        alerts: list[Alert] = []
        # Skipping _check where it cannot alert (same outcome, fewer calls): a term that never
        # alerted (an alerted one goes through _check, which also notes when it calmed down)
        # below the minimum count, or below the least counts _needed works out once per
        # bucket. On a busy stream every post carries a few everyday words and about five
        # rules that are above the minimum count and nowhere near a rise.
        alerted, needs, prune = self._alerted, self._needs, self._prune
        if prune and self._needs_for is not self.thresholds:  # sensitivity changed
            self._forget_needs()
            self._needs_for = self.thresholds
        least = self.thresholds.min_count
        if not copy:
            window, short = self._window_terms, self._short_terms
            least_word = least * _WORD_COUNT_FACTOR
            for term in counted:
                kind = "hashtag" if term.startswith("#") else "word"
                if term not in alerted:
                    n = window[term]
                    if n < (least if kind == "hashtag" else least_word):
                        continue
                    if prune:
                        need = needs.get(term)
                        if need is None:
                            need = self._needed(term, now, kind)
                        if n < need[0] and short[term] < need[1]:
                            continue
                alert = self._check(term, now, kind)
                if alert is not None:
                    alerts.append(alert)
        window_rules, rule_needs = self._window_rules, self._rule_needs
        for rule in rule_keys:
            if rule not in alerted:
                n = window_rules[rule]
                if n < least:
                    continue
                if prune:
                    least_rule = rule_needs.get(rule)
                    if least_rule is None:
                        least_rule = self._rule_needed(rule, now)
                    if n < least_rule:
                        continue
            alert = self._check(rule, now, "rule")
            if alert is not None:
                alerts.append(alert)
        return alerts

    def _forget_needs(self) -> None:
        self._needs.clear()
        self._rule_needs.clear()

    def _needed(self, term: str, now: float, kind: str) -> tuple[float, float]:
        """The least window count that could pass the rate test (or, in a busier hour, the
        test without the time factor) and the least count in the last 30 minutes that could
        pass the growth test, for the open bucket; remembered in ``_needs`` (a rule's first
        count in ``_rule_needs``).

        Within a bucket everything those tests compare a count with stays put (the expected
        count is cached per bucket, the growth test's reference holds closed buckets only),
        and each test asks at least the minimum count and the minimum ratio to the expected
        count. The other conditions (the score, a doubled share, the growth test's three
        hours of stream) are left out: they can only say no. So a term below both counts
        cannot alert in this bucket, and _check would return None for it. Called first where
        _check would first have worked out the expected count, so that count is the same to
        the last bit."""
        th = self.thresholds
        min_ratio = th.min_ratio
        min_count = float(th.min_count)
        if kind == "word":
            min_count *= _WORD_COUNT_FACTOR
        expected = self._expected_of(term, now, kind)
        window = _least_count(expected, min_count, min_ratio)
        short = math.inf
        if kind != "rule":
            factor = self.time_factor(now)
            if factor > 1.0 and self._day_of_history():
                window = min(window, _least_count(expected / factor, min_count, min_ratio))
            ref, _ = self._reference(term)
            if ref >= min_count / 2:
                short = _least_count(
                    (ref + 1.0) * self.short_buckets / self.reference_buckets,
                    min_count, min_ratio)
        if kind == "rule":
            self._rule_needs[term] = window
        else:
            self._needs[term] = (window, short)
        return window, short

    def _rule_needed(self, rule: str, now: float) -> float:
        """``_needed(rule, now, "rule")[0]``, the same numbers with fewer calls: on a busy stream
        most rules a post matches are met for the first time in the bucket (2.4 a post)."""
        th = self.thresholds
        least = self._rule_needs[rule] = _least_count(
            self._expected_of(rule, now, "rule"), float(th.min_count), th.min_ratio)
        return least

    def _expected_of(self, term: str, now: float, kind: str) -> float:
        """The term's expected count in the window, worked out once per open bucket (the
        baseline only changes when a bucket closes)."""
        cache_key = term if kind != "rule" else "\x00" + term
        expected = self._expected_cache.get(cache_key)
        if expected is None:
            base = (self._base_rules if kind == "rule" else self._base_terms).get(term)
            expected = self._expected_cache[cache_key] = self._expected(base, now)
        return expected

    def _check(self, term: str, now: float, kind: str) -> Alert | None:
        th = self.thresholds
        min_count, min_score = float(th.min_count), th.min_score
        if kind == "word":
            min_count *= _WORD_COUNT_FACTOR
            min_score += _WORD_EXTRA_SCORE
        count = self._window_rules[term] if kind == "rule" else self._window_terms[term]
        last = self._alerted.get(term)
        if last is not None:
            if count < min_count / 2:
                self._calm[term] = True
            if not self._calm.get(term) or now - last < self.cooldown_seconds:
                return None
        if count < min_count:
            return None
        first = self._buckets[0].index  # the rise is looked for from here (see _since)
        found = self._rate_test(term, count, now, kind, min_score)
        if found is None and kind != "rule":
            found = self._growth_test(term, count, now, min_count, min_score)
            first = self._short_from
        if found is None:
            return None
        expected, score = found
        if kind == "word" and self._same_story(term, now):
            return None
        routine = self._routine(term, now)
        self._alerted[term] = now  # a routine rise is silent, but counts as this day's rise
        self._calm[term] = False
        if routine:
            return None
        return Alert(
            time=self._datetime(now),
            term=term,
            kind=kind,
            count=count,
            expected=round(expected, 3),
            ratio=round(count / expected, 2),
            score=round(score, 2),
            since=self._datetime(self._since(term, expected, kind, first)),
            examples=self._examples(term, kind),
        )

    def _rate_test(
        self, term: str, count: int, now: float, kind: str, min_score: float
    ) -> tuple[float, float] | None:
        """The last hour against the term's usual rate at this hour: (expected, score)."""
        th = self.thresholds
        expected = self._expected_of(term, now, kind)
        share: float | None = None
        if kind == "word":
            share = self._share_ratio(term, count, now)
            if share < _WORD_MIN_SHARE_RATIO:
                return None
        if count / expected >= th.min_ratio:
            score = poisson_surprise(count, expected)
            if score >= min_score:
                return expected, score
        factor = self.time_factor(now)
        if factor <= 1.0 or kind == "rule" or not self._day_of_history():
            return None
        # A busier hour than usual: without the time factor, if the term's share of posts
        # at least doubled too (so it is not just the hour that is busier).
        plain = expected / factor
        if count / plain < th.min_ratio:
            return None
        if share is None and self._share_ratio(term, count, now) < _WORD_MIN_SHARE_RATIO:
            return None
        score = poisson_surprise(count, plain)
        return (plain, score) if score >= min_score else None

    def _growth_test(
        self, term: str, count: int, now: float, min_count: float, min_score: float
    ) -> tuple[float, float] | None:
        """The last 30 minutes against the three hours before them, for a term that was
        already in use (at least half the minimum count in those hours): it must reach the
        minimum count in the 30 minutes, the minimum ratio, a score one less than the rate
        test asks, and a doubled share of posts (so a busier hour alone does not count).
        Returns (expected per hour at the reference rate, score)."""
        assert self._warm_from is not None
        span = (self.short_buckets + self.reference_buckets) * self.bucket_seconds
        if now - max(self._warm_from, self._history_since) < span:
            return None  # the reference does not cover three hours of this stream yet
        short = self._short_terms[term]
        if short < min_count:
            return None
        ref, ref_posts = self._reference(term)
        if ref < min_count / 2:
            return None  # a new term: the rate test (against the day) is the one to judge it
        expected = (ref + 1.0) * self.short_buckets / self.reference_buckets
        if short / expected < self.thresholds.min_ratio:
            return None
        share = (short / max(self._short_posts, 1)) / ((ref + 1.0) / (ref_posts + 1.0))
        if share < _WORD_MIN_SHARE_RATIO:
            return None
        score = poisson_surprise(short, expected)
        if score < min_score - _GROWTH_SCORE_RELIEF:
            return None
        hour = 3600.0 / (self.reference_buckets * self.bucket_seconds)
        return (ref + 1.0) * hour, score

    def _reference(self, term: str) -> tuple[int, int]:
        """(count of the term, posts) in the reference: the buckets before the short window
        going back ``reference_buckets``. Those buckets are closed (posts only ever go into
        the open one), so their sum changes only when a bucket opens (``_shift_reference``);
        reading a term's count is then one lookup instead of one per reference bucket."""
        newest = self._buckets[-1].index
        if self._ref_top != newest - self.short_buckets:  # built or loaded since: sum afresh
            self._ref_terms.clear()
            self._ref_posts = 0
            self._ref_top = None
            self._shift_reference(newest)
        return self._ref_terms.get(term, 0), self._ref_posts

    def _shift_reference(self, newest: int) -> None:
        """Bring the reference's sums to the buckets ``newest`` makes it hold: add the
        buckets that entered it, take out those that left it (while they are still held).
        A bucket is new only as the newest one, so every held bucket in the old range was
        summed."""
        top = newest - self.short_buckets
        low = top - self.reference_buckets + 1
        old = self._ref_top
        old_low = old - self.reference_buckets + 1 if old is not None else 0
        for buckets in (self._history, self._buckets):
            for b in buckets:
                inside = low <= b.index <= top
                if inside == (old is not None and old_low <= b.index <= old):
                    continue
                if inside:
                    _add(self._ref_terms, b.terms)
                    self._ref_posts += b.posts
                else:
                    _take(self._ref_terms, b.terms)
                    self._ref_posts -= b.posts
        self._ref_top = top

    def _routine(self, term: str, now: float) -> bool:
        """Note that ``term`` rises now; did it rise at about this time (within two hours)
        yesterday or a week ago? Then it is a routine (good-morning greetings, a weekly
        programme), not news."""
        times = [t for t in self._rises.get(term, ()) if now - t < _ROUTINE_MEMORY]
        seen = any(
            abs(now - t - days * 86400.0) <= _ROUTINE_TOLERANCE for t in times for days in (1, 7)
        )
        times.append(now)
        self._rises[term] = times
        if len(self._rises) > 50_000:  # forget terms that have not risen for 8 days
            self._rises = {
                t: v for t, v in self._rises.items() if v and now - v[-1] < _ROUTINE_MEMORY
            }
        return seen

    def _same_story(self, word: str, now: float) -> bool:
        """Is this word riding on a term that alerted within the cool-down period?
        (Decided once per word per 5-minute bucket: the answer changes slowly.)"""
        known = self._story_cache.get(word)
        if known is None:
            known = self._story_cache[word] = self._same_story_now(word, now)
        return known

    # The words of a bucket whose story is looked up by going through the posts of the hour;
    # from the next one on, they are looked up in an index of those posts, which is then kept
    # (posts added as they come, taken out as they leave the hour) for as long as each
    # bucket asks about more words than this. A look-up goes through every post of the
    # window (3 ms at 10,000 posts an hour) and the index costs about four of them to
    # build, so it pays from a few words a bucket on: a story on a busy stream raises dozens,
    # a steady stream hardly any.
    story_scans = 2

    def _same_story_now(self, word: str, now: float) -> bool:
        recent = {t for t, at in self._alerted.items() if now - at < self.cooldown_seconds}
        if not recent:
            return False
        index = self._story_index
        if index is None and len(self._story_cache) >= self.story_scans:
            index = self._story_index = {}
            for _, _, terms, copy in self._recent:
                if not copy:
                    _index_terms(index, terms)
        if index is not None:
            with_word = index.get(word, [])
        else:
            with_word = [terms for _, _, terms, copy in self._recent if not copy and word in terms]
        if not with_word:
            return False
        shared = sum(1 for terms in with_word if not recent.isdisjoint(terms))
        return shared / len(with_word) >= self.same_story_share

    def _since(self, term: str, expected: float, kind: str, first: int) -> float:
        """Start of the first bucket from ``first`` (the window, or for the growth test its
        last 30 minutes) with clearly more than its share of the expected hour."""
        per_bucket = expected / self.window_buckets
        for b in self._buckets:
            if b.index < first:
                continue
            n = b.rules[term] if kind == "rule" else b.terms[term]
            if n >= 1 and n > 2.0 * per_bucket:
                return b.index * self.bucket_seconds
        return self._buckets[-1].index * self.bucket_seconds

    def _examples(self, term: str, kind: str, limit: int = 5) -> tuple[str, ...]:
        if kind == "rule":
            return ()  # rule matches are stored with the posts; the caller has them
        out: list[str] = []
        for key, _, terms, copy in reversed(self._recent):
            if not copy and term in terms:
                out.append(key)
                if len(out) >= limit:
                    break
        return tuple(out)

    # --- persistence -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-friendly data (see :meth:`from_dict`)."""
        offset = self._tz.utcoffset(None) if self._tz is not None else None
        return {
            "version": 2,
            "thresholds": asdict(self.thresholds),
            "params": {
                "bucket_seconds": self.bucket_seconds,
                "window_buckets": self.window_buckets,
                "half_life": self.half_life,
                "warmup_seconds": self.warmup_seconds,
                "baseline_hours": self.baseline_hours,
                "cooldown_seconds": self.cooldown_seconds,
                "same_story_share": self.same_story_share,
                "short_buckets": self.short_buckets,
                "reference_buckets": self.reference_buckets,
            },
            "tz_offset": offset.total_seconds() if offset is not None else None,
            "start": self._start,
            "warm_from": self._warm_from,
            "history_since": self._history_since,
            "last": self._last,
            "seq": self._seq,
            "buckets": [
                [b.index, b.posts, b.volume, dict(b.terms), dict(b.rules)] for b in self._buckets
            ],
            "history": [[b.index, b.posts, dict(b.terms)] for b in self._history],
            "recent": [[k, t, list(terms), copy] for k, t, terms, copy in self._recent],
            "base_posts": [self._base_posts.value, self._base_posts.at],
            "exposure": [self._exposure.value, self._exposure.at],
            "exposed_until": self._exposed_until,
            "base_terms": {t: [d.value, d.at] for t, d in self._base_terms.items()},
            "base_rules": {r: [d.value, d.at] for r, d in self._base_rules.items()},
            "how_volume": list(self._how_volume),
            "how_hours": list(self._how_hours),
            "last_retired_hour": self._last_retired_hour,
            "alerted": dict(self._alerted),
            "calm": dict(self._calm),
            "rises": {t: list(v) for t, v in self._rises.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrendDetector:
        """Rebuild a detector from :meth:`to_dict` output; it continues where it stopped."""
        if data.get("version") not in (1, 2):  # 1: before the growth test (no history)
            raise ValueError("unknown trend state version")
        p = data["params"]
        det = cls(Thresholds(**data["thresholds"]))
        det.bucket_seconds = p["bucket_seconds"]
        det.window_buckets = p["window_buckets"]
        det.half_life = p["half_life"]
        det.warmup_seconds = p["warmup_seconds"]
        det.baseline_hours = p.get("baseline_hours", det.baseline_hours)
        det.cooldown_seconds = p["cooldown_seconds"]
        det.same_story_share = p["same_story_share"]
        det.short_buckets = p.get("short_buckets", det.short_buckets)
        det.reference_buckets = p.get("reference_buckets", det.reference_buckets)
        if data.get("tz_offset") is not None:
            det._tz = timezone(timedelta(seconds=data["tz_offset"]))
        det._start = data["start"]
        det._warm_from = data["warm_from"]
        if "history_since" in data:
            det._history_since = data["history_since"]
        elif data["buckets"]:  # version 1 kept only the window: history starts there
            det._history_since = data["buckets"][0][0] * det.bucket_seconds
        det._last = data["last"]
        det._seq = data["seq"]
        for index, posts, volume, terms, rules in data["buckets"]:
            b = _Bucket(index, posts, volume, Counter(terms), Counter(rules))
            det._buckets.append(b)
            det._window_posts += posts
            _add(det._window_terms, b.terms)
            _add(det._window_rules, b.rules)
        for index, posts, terms in data.get("history", ()):
            det._history.append(_Bucket(index, posts, 0, Counter(terms)))
        if det._buckets:
            det._short_from = det._buckets[-1].index - det.short_buckets + 1
            for b in det._buckets:
                if b.index >= det._short_from:
                    _add(det._short_terms, b.terms)
                    det._short_posts += b.posts
        for k, t, terms, copy in data["recent"]:
            det._recent.append((k, t, tuple(terms), copy))
            if not copy and len(terms) >= 4:
                det._signatures[tuple(terms)] += 1
        det._base_posts = _Decayed(*data["base_posts"])
        det._exposure = _Decayed(*data["exposure"])
        det._exposed_until = data["exposed_until"]
        det._base_terms = {t: _Decayed(*v) for t, v in data["base_terms"].items()}
        det._base_rules = {r: _Decayed(*v) for r, v in data["base_rules"].items()}
        det._how_volume = list(data["how_volume"])
        det._how_hours = list(data["how_hours"])
        det._last_retired_hour = data["last_retired_hour"]
        det._alerted = dict(data["alerted"])
        det._calm = dict(data["calm"])
        det._rises = {t: list(v) for t, v in data.get("rises", {}).items()}
        return det
