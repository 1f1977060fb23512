"""Trend detection as the comms lead meets it: a campaign that rises alerts once and early;
a stream that merely follows its daily rhythm does not alert."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from samen.understanding.trends import Alert, TrendDetector, poisson_surprise
from samen.understanding.trends_eval import terms_of

WORDS = (  # noqa: SIM905
    "gemeente afval container ophalen parkeren vergunning paspoort afspraak loket belasting "
    "toeslag jeugdzorg wijkteam buurt overlast fiets stoep lantaarnpaal storing water "
    "verwarming subsidie woning huur energie rekening klacht vraag antwoord hulp bedankt brug "
    "omleiding bus tram trein vertraging station school kinderen ouderen huisarts ziekenhuis "
    "markt koffie weekend zon regen wind fietspad bibliotheek zwembad park speeltuin"
).split()
TAGS = ["#utrecht", "#zorg", "#afval", "#verkeer"]
START = datetime(2026, 3, 2, 0, 0)  # a Monday, naive: taken as it is
CAMPAIGN = START + timedelta(days=3, hours=10)


def _posts_per_hour(hour: int) -> float:
    """A daily rhythm: quiet at night, busy by day."""
    return 8 + 60 * max(0.0, math.sin(math.pi * (hour - 6) / 16)) if 6 <= hour <= 22 else 8


def dutch_stream(seed: int = 7, campaign: bool = True) -> list[tuple[datetime, list[str], str]]:
    rng = random.Random(seed)
    posts: list[tuple[datetime, list[str], str]] = []
    weights = [1 / (i + 1) for i in range(len(WORDS))]
    for h in range(4 * 24):
        hour_start = START + timedelta(hours=h)
        n = rng.randint(int(_posts_per_hour(hour_start.hour) * 0.8), int(_posts_per_hour(
            hour_start.hour) * 1.2))  # fmt: skip
        for _ in range(n):
            t = hour_start + timedelta(seconds=rng.uniform(0, 3600))
            words = rng.choices(WORDS, weights=weights, k=rng.randint(4, 12))
            text = " ".join(words)
            if rng.random() < 0.2:
                text += " " + rng.choice(TAGS)
            posts.append((t, terms_of(text), f"bg{len(posts)}"))
        since = (hour_start - CAMPAIGN).total_seconds() / 3600
        if campaign and 0 <= since < 6:
            # #geefomjedarm: partners join, 6, 15, 30, ... posts an hour
            for _ in range(int(6 * 2.5**since)):
                t = hour_start + timedelta(seconds=rng.uniform(0, 3600))
                extra = " ".join(rng.choices(WORDS, k=3))
                text = f"Doe mee met #GeefOmJeDarm voor StopDarmkanker! {extra}"
                posts.append((t, terms_of(text), f"c{len(posts)}"))
    posts.sort(key=lambda p: p[0])
    return posts


def run(posts, detector: TrendDetector | None = None) -> list[Alert]:
    det = detector or TrendDetector("normal")
    out: list[Alert] = []
    for t, terms, pid in posts:
        out.extend(det.observe(t, terms, pid))
    return out


def test_campaign_hashtag_alerts_within_its_first_hour_and_once() -> None:
    alerts = run(dutch_stream())
    tag_alerts = [a for a in alerts if a.term == "#geefomjedarm"]
    assert len(tag_alerts) == 1  # one rise, one alert
    a = tag_alerts[0]
    assert CAMPAIGN <= a.time <= CAMPAIGN + timedelta(hours=1)
    assert a.kind == "hashtag"
    assert a.ratio >= 4 and a.score >= 6 and a.count >= 6
    assert CAMPAIGN - timedelta(minutes=5) <= a.since <= a.time
    assert a.examples and all(pid.startswith("c") for pid in a.examples)
    shown = json.loads(json.dumps(a.as_dict()))  # what the UI and e-mail receive
    assert shown["term"] == "#geefomjedarm" and shown["time"] == a.time.isoformat()


def test_daily_rhythm_alone_raises_no_hashtag_alert_and_few_others() -> None:
    alerts = run(dutch_stream(campaign=False))
    assert [a for a in alerts if a.kind == "hashtag"] == []
    assert len(alerts) / 4 <= 3  # per day: few enough that a person reads them


def test_the_same_campaign_words_are_not_alerted_twice() -> None:
    """'darmkanker'-like words that ride on the alerted hashtag are the same story."""
    alerts = run(dutch_stream())
    campaign_words = {"doe", "mee", "stopdarmkanker"}
    assert not [a for a in alerts if a.term in campaign_words]


def test_sensitivity_orders_how_early_and_how_much() -> None:
    posts = dutch_stream()
    times = {}
    for level in ("low", "normal", "high"):
        hits = [a for a in run(posts, TrendDetector(level)) if a.term == "#geefomjedarm"]
        assert hits, level
        times[level] = hits[0].time
    assert times["high"] <= times["normal"] <= times["low"]
    with pytest.raises(ValueError):
        TrendDetector("extreme")


def test_copies_of_one_post_do_not_make_a_trend() -> None:
    det = TrendDetector("high")
    base = START
    alerts = []
    for i in range(600):  # two hours of varied background
        alerts += det.observe(base + timedelta(seconds=12 * i), [f"w{i % 97}", f"v{i % 13}"])
    t = base + timedelta(hours=2)
    copy = ["#actie", "gratis", "iphone", "winnen", "klik"]
    for i in range(100):
        alerts += det.observe(t + timedelta(seconds=10 * i), copy, f"spam{i}")
    assert not [a for a in alerts if a.term in copy]


def test_rule_volume_spike_alerts_and_knows_its_usual_rate() -> None:
    det = TrendDetector("normal")
    rng = random.Random(3)
    alerts: list[Alert] = []
    t = START
    for _ in range(2000):  # about 2 a hour match rule 7 for ~40 hours
        t += timedelta(seconds=72)
        rules = ["rule:7"] if rng.random() < 0.04 else []
        alerts += det.observe(t, ["x"], rules=rules)
    assert not [a for a in alerts if a.kind == "rule"]
    for _ in range(30):  # then 30 in half an hour
        t += timedelta(seconds=60)
        alerts += det.observe(t, ["x"], rules=["rule:7"])
    spikes = [a for a in alerts if a.kind == "rule"]
    assert [a.term for a in spikes] == ["rule:7"]
    assert spikes[0].examples == ()


def test_state_survives_a_restart() -> None:
    posts = dutch_stream()
    cut = len(posts) // 2 + 1000
    straight = run(posts)
    det = TrendDetector("normal")
    first = run(posts[:cut], det)
    state = json.loads(json.dumps(det.to_dict()))
    second = run(posts[cut:], TrendDetector.from_dict(state))
    assert first + second == straight


def test_time_zone_aware_times_come_back_in_their_own_clock() -> None:
    det = TrendDetector("high", warmup_minutes=0, baseline_minutes=0)
    cet = datetime(2026, 3, 2, 12, 0, tzinfo=UTC).astimezone(
        __import__("datetime").timezone(timedelta(hours=1))
    )
    alerts: list[Alert] = []
    for i in range(60):
        alerts += det.observe(cet + timedelta(seconds=30 * i), ["#storm"], f"p{i}")
    assert alerts
    assert alerts[0].time.utcoffset() == timedelta(hours=1)
    assert alerts[0].time.hour == 13
    again = TrendDetector.from_dict(json.loads(json.dumps(det.to_dict())))
    assert again.to_dict() == det.to_dict()


@pytest.mark.parametrize(("count", "expected"), [(5, 1.0), (10, 2.5), (12, 0.3), (40, 20.0)])
def test_poisson_surprise_matches_the_direct_sum(count: int, expected: float) -> None:
    tail = sum(
        math.exp(k * math.log(expected) - expected - math.lgamma(k + 1))
        for k in range(count, count + 150)
    )
    assert poisson_surprise(count, expected) == pytest.approx(-math.log10(tail), rel=1e-6)
    assert poisson_surprise(2, 3.0) == 0.0


def _with_wateroverlast(seed: int, rise: bool) -> list[tuple[datetime, list[str], str]]:
    """The Dutch stream with #wateroverlast already in use (about one post an hour, as a
    region with wet cellars talks), then - when ``rise`` - heavy rain on day four at 10:00:
    12, 24, 48 posts an hour for three hours, then back to normal."""
    rng = random.Random(seed + 100)
    posts = dutch_stream(seed, campaign=False)
    for h in range(4 * 24):
        hour_start = START + timedelta(hours=h)
        since = (hour_start - CAMPAIGN).total_seconds() / 3600
        rate = 12 * 2**since if rise and 0 <= since < 3 else 1.0
        n, p, threshold = 0, 1.0, math.exp(-rate)  # a Poisson count (Knuth)
        while (p := p * rng.random()) > threshold:
            n += 1
        for _ in range(n):
            t = hour_start + timedelta(seconds=rng.uniform(0, 3600))
            words = " ".join(rng.choices(WORDS, k=rng.randint(3, 8)))
            posts.append((t, terms_of(f"{words} #WaterOverlast"), f"w{len(posts)}"))
    posts.sort(key=lambda p: p[0])
    return posts


def test_a_hashtag_already_in_use_that_takes_off_alerts_within_the_hour() -> None:
    """Gradual, not new: #wateroverlast was used every day; its rise must still come
    through within the first hour, and its usual trickle must not."""
    alerts = run(_with_wateroverlast(7, rise=True))
    hits = [a for a in alerts if a.term == "#wateroverlast"]
    assert len(hits) == 1
    assert CAMPAIGN <= hits[0].time <= CAMPAIGN + timedelta(hours=1)
    assert hits[0].expected >= 0.5  # it was known: not a new term
    quiet = run(_with_wateroverlast(7, rise=False))
    assert [a for a in quiet if a.kind == "hashtag"] == []
    assert len(quiet) / 4 <= 3


def test_growth_of_a_used_term_alerts_on_the_last_half_hour() -> None:
    """Three hours at about 4 posts an hour, then 12 in 25 minutes: the growth test fires
    (the one-day baseline alone would wait for more), and says what rose and since when."""
    det = TrendDetector("normal", warmup_minutes=0)
    alerts: list[Alert] = []
    t = START + timedelta(hours=12)
    for i in range(5 * 60):  # five hours of background, one post a minute
        terms = [f"w{i % 41}", f"v{i % 7}"] + (["#brug"] if i % 15 == 0 else [])
        alerts += det.observe(t + timedelta(minutes=i), terms, f"b{i}")
    rise = t + timedelta(hours=5)
    for i in range(12):
        alerts += det.observe(rise + timedelta(minutes=2 * i), ["#brug", f"r{i}"], f"r{i}")
    hits = [a for a in alerts if a.term == "#brug"]
    assert len(hits) == 1 and rise <= hits[0].time <= rise + timedelta(minutes=30)
    assert hits[0].since >= rise - timedelta(minutes=5)
    assert hits[0].examples[0].startswith("r")


def test_state_of_the_previous_version_still_loads() -> None:
    """A detector saved before the growth test (version 1, no history) continues."""
    posts = dutch_stream()
    det = TrendDetector("normal")
    run(posts[:2000], det)
    state = json.loads(json.dumps(det.to_dict()))
    state["version"] = 1
    del state["history"]
    del state["params"]["short_buckets"], state["params"]["reference_buckets"]
    del state["history_since"]
    again = TrendDetector.from_dict(state)
    rest = run(posts[2000:], again)
    assert [a.term for a in rest if a.kind == "hashtag"] == ["#geefomjedarm"]
    assert again.to_dict()["version"] == 2


def test_a_daily_routine_alerts_once_not_every_morning() -> None:
    """#goedemorgen in four of ten posts between 7 and 9 every day: the first morning may
    alert (nothing is known yet), the following mornings are a routine and stay silent,
    while the campaign on day four still alerts."""
    rng = random.Random(11)
    posts = []
    for t, terms, pid in dutch_stream():
        if 7 <= t.hour < 9 and rng.random() < 0.4:
            terms = [*terms, "#goedemorgen"]
        posts.append((t, terms, pid))
    alerts = run(posts)
    assert len([a for a in alerts if a.term == "#goedemorgen"]) <= 1
    assert [a.term for a in alerts if a.term == "#geefomjedarm"] == ["#geefomjedarm"]


def test_a_hashtag_spread_by_retweets_of_several_messages_rises() -> None:
    """Five different messages with #dijkdoorbraak, each retweeted: the first two copies of
    each count for the hashtag (15), so it alerts; the retweeted words do not count twice."""
    det = TrendDetector("normal")
    alerts: list[Alert] = []
    t = START + timedelta(hours=12)
    for i in range(3 * 60):  # three hours of varied background
        alerts += det.observe(t + timedelta(minutes=i), [f"w{i % 53}", f"v{i % 11}"], f"b{i}")
    rise = t + timedelta(hours=3)
    messages = [["#dijkdoorbraak", "dijk", "water", f"straat{m}", f"wijk{m}"] for m in range(5)]
    for i in range(50):  # each message posted, then retweeted nine times
        alerts += det.observe(rise + timedelta(seconds=30 * i), messages[i // 10], f"rt{i}")
    hits = [a for a in alerts if a.term == "#dijkdoorbraak"]
    assert len(hits) == 1 and hits[0].count <= 15
    assert not [a for a in alerts if a.term in {"dijk", "water"}]
