"""Demo data for insights: eight weeks of posts for the charts (clearly marked as demo data),
two scan rounds with anonymous answers, and a weekly-report subscription for Sofie.

The sources demo has only a handful of posts, too few for a chart, so this seeder adds
realistic volumes. There is no ingest action for bulk historical posts yet, so rows are
created here directly with ``raw={"samen_demo": "insights"}`` so they can be told apart
(and removed) later; texts are ours, in nl, fr and en.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from samen.core.demo import DemoContext, register
from samen.insights import actions, scan
from samen.insights.models import ScanRound
from samen.sources.models import Account, Post

DEMO_MARK = {"samen_demo": "insights"}

# (language, sentiment, intent, text, hashtags)
TEXTS = [
    ("nl", "negative", "complaint", "Al twee dagen ligt het afval op straat in de Molenwijk. "
     "Wanneer komt de ophaling?", ["afval"]),
    ("nl", "neutral", "question", "Tot hoe laat is het loket burgerzaken vandaag open?",
     ["burgerzaken"]),
    ("nl", "positive", "praise", "Wat een mooi concert op de markt gisteren, bedankt stad!",
     ["zomerfeest", "samenburg"]),
    ("nl", "neutral", "request", "Kan iemand de kapotte straatlamp in de Lindelaan "
     "herstellen?", ["straatverlichting"]),
    ("nl", "negative", "complaint", "De wachtlijst voor de kinderopvang is veel te lang.",
     ["kinderopvang"]),
    ("nl", "positive", "praise", "Snel geholpen aan het loket, top service!", ["samenburg"]),
    ("fr", "neutral", "question", "Bonjour, où puis-je demander une carte de stationnement "
     "riverain ?", ["stationnement"]),
    ("fr", "negative", "complaint", "Les travaux rue de la Gare bloquent encore la piste "
     "cyclable.", ["mobilite", "travaux"]),
    ("fr", "positive", "praise", "Merci pour l'atelier numérique à la bibliothèque, très "
     "utile !", ["bibliotheque"]),
    ("en", "neutral", "question", "Is the recycling park open on public holidays?",
     ["recycling"]),
    ("en", "positive", "praise", "Lovely new playground in the park, the kids love it.",
     ["samenburg"]),
    ("en", "negative", "complaint", "The parking permit form keeps timing out.",
     ["parking"]),
]
SENT = [
    ("nl", "neutral", "Dank u voor uw melding, we geven het door aan de dienst openbare "
     "werken."),
    ("fr", "neutral", "Merci pour votre message, nous transmettons au service concerné."),
    ("en", "neutral", "Thanks for letting us know, our team is looking into it."),
    ("nl", "positive", "Dit weekend: zomerfeest op de markt, iedereen welkom! #zomerfeest"),
]
WEEKS = 8


@register(80, "insights.posts")
def seed_posts(ctx: DemoContext) -> None:
    """About 40 received and 8 sent posts a day for eight weeks, more on weekdays and with a
    bump in the last week, so charts and the week-on-week change show something."""
    if Post.objects.filter(raw__samen_demo="insights").exists():
        return
    accounts = {a.provider: a for a in Account.objects.all()}
    channels = [p for p in ("mastodon", "bluesky", "feed") if p in accounts] or ["mastodon"]
    rng = random.Random(2026)
    today = timezone.localdate()
    tz = timezone.get_default_timezone()
    rows = []
    n = 0
    for day_offset in range(WEEKS * 7, -1, -1):
        day = today - timedelta(days=day_offset)
        weekday_factor = 0.5 if day.weekday() >= 5 else 1.0
        bump = 1.4 if day_offset < 7 else 1.0
        received = int(rng.gauss(40, 6) * weekday_factor * bump)
        for _i in range(max(received, 5)):
            lang, sentiment, intent, text, tags = rng.choice(TEXTS)
            source = rng.choices(channels, weights=[5, 3, 1][: len(channels)])[0]
            moment = timezone.make_aware(
                datetime.combine(day, time.min)
                + timedelta(minutes=rng.randint(7 * 60, 22 * 60)), tz)
            if moment > timezone.now():
                continue
            n += 1
            rows.append(Post(
                account=accounts.get(source), source=source,
                external_id=f"demo-insights-{n}", direction="in",
                author_handle=f"@inwoner{rng.randint(1, 400)}@social.example",
                author_name="", text=text, source_language=lang, language=lang,
                sentiment=sentiment, intent=intent, created_at=moment, hashtags=tags,
                urgent=intent == "complaint" and rng.random() < 0.1, raw=DEMO_MARK,
            ))
        for _i in range(int(8 * weekday_factor)):
            lang, sentiment, text = rng.choice(SENT)
            source = rng.choice([c for c in channels if c != "feed"] or channels)
            moment = timezone.make_aware(
                datetime.combine(day, time.min)
                + timedelta(minutes=rng.randint(8 * 60, 18 * 60)), tz)
            if moment > timezone.now():
                continue
            n += 1
            rows.append(Post(
                account=accounts.get(source), source=source,
                external_id=f"demo-insights-{n}", direction="out",
                author_handle="@samenburg@social.samenburg.example", text=text,
                language=lang, sentiment=sentiment, created_at=moment, raw=DEMO_MARK,
            ))
    Post.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


@register(81, "insights.rollups")
def seed_rollups(ctx: DemoContext) -> None:
    actions.do_rebuild_post_rollups()


@register(82, "insights.scan")
def seed_scan(ctx: DemoContext) -> None:
    """Two rounds: spring (closed) and autumn (closed), autumn a bit better on trust and the
    team, still low on management; answers drawn per person, added anonymously."""
    if ScanRound.objects.exists():
        return
    lotte = ctx.people["lotte"]
    # The five demo people answer both rounds: exactly the minimum of five respondents.
    staff = [ctx.people[u] for u in ("lotte", "jonas", "camille", "sofie", "amina")]
    rng = random.Random(7)
    levels = [
        ("Voorjaar 2026", {"customer": 3.2, "trust": 2.6, "management": 2.3,
                           "ambassadors": 2.8, "team": 3.0}, 5),
        ("Najaar 2026", {"customer": 3.6, "trust": 3.1, "management": 2.5,
                         "ambassadors": 3.3, "team": 3.7}, 5),
    ]
    for name, means, count in levels:
        scan_round = actions.do_open_scan_round(name=name, by=lotte, min_respondents=5)
        for person in staff[:count]:
            answers = {}
            for statement in scan.STATEMENTS:
                value = round(rng.gauss(means[statement.element], 0.9))
                answers[statement.key] = min(5, max(1, value))
            actions.do_answer_scan(scan_round=scan_round, person=person, answers=answers)
        actions.do_close_scan_round(scan_round=scan_round, by=lotte)


@register(83, "insights.subscriptions")
def seed_subscriptions(ctx: DemoContext) -> None:
    actions.do_subscribe(person=ctx.people["sofie"], by=ctx.people["sofie"])
