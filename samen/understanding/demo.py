"""Demo listening rules (written by us) for a Flemish-Brussels city, their matches and a couple
of trend alerts, so a newcomer sees the listening pages filled."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from samen.core.demo import DemoContext, register
from samen.sources.models import Post
from samen.understanding import actions
from samen.understanding.models import AlertKind, ListeningRule, TrendAlert

# (name, rule, description, to_inbox, priority, colour)
DEMO_RULES = [
    ("Afval en containerpark", "(afval OR vuilnis OR containerpark) AND lang:nl",
     "Vragen en klachten over afvalophaling en het containerpark.", True, 20, "green"),
    ("Travaux rue de la Station", '"rue de la Station" OR travaux',
     "Riverains et navetteurs au sujet du chantier près de la gare.", True, 30, "orange"),
    ("Campagne #geefomjedarm", "#geefomjedarm",
     "Onze steun aan de campagne van StopDarmkanker: wie doet mee?", False, 10, "purple"),
    ("Parkeerkaart en parking permit", "parkeerkaart OR parking NEAR/3 permit",
     "Bewonerskaarten, in het Nederlands en het Engels.", True, 25, "blue"),
    ("Gevaar op straat", "urgent:true OR (gevaarlijk* AND (fietspad OR stoep OR put))",
     "Meldingen die niet kunnen wachten: meteen naar het team.", True, 90, "red"),
    ("Ontevreden over onze dienstverlening",
     "sentiment:negative AND (service OR dienstverlening OR antwoord OR réponse)",
     "Boze berichten over hoe wij antwoorden: om van te leren.", False, 40, "red"),
    ("Openingsuren", "intent:question AND (open OR openingsuren OR ouvert* OR hours)",
     "Vragen over wanneer iets open is; kandidaten voor een standaardantwoord.", False, 15,
     "grey"),
    ("Bibliotheek in de kijker", "(bibliotheek OR bibliothèque OR library) AND "
     "NOT sentiment:negative", "Wat mensen over de bibliotheek vertellen.", False, 5, "green"),
    ("Poubelles et collectes", "(poubelle* OR déchets OR collecte) AND lang:fr",
     "Les questions en français sur les déchets.", True, 20, "green"),
    ("Lokale pers", "from:@sarah.jacobs@journalist.example OR from:@nieuwsdesk OR "
     "from:@redaction.samenburg OR journalist*",
     "Wat de lokale pers over ons schrijft.", False, 50, "purple"),
    ("#teamsamenburg", "hashtag:teamsamenburg",
     "Collega's en inwoners die onze eigen hashtag gebruiken.", False, 5, "blue"),
]


@register(40, "understanding.rules")
def seed_rules(ctx: DemoContext) -> None:
    lotte = ctx.people.get("lotte")
    existing = set(ListeningRule.objects.values_list("name", flat=True))
    for name, query, description, to_inbox, priority, colour in DEMO_RULES:
        if name not in existing:
            actions.do_create_rule(name=name, query=query, description=description,
                                   to_inbox=to_inbox, priority=priority, colour=colour, by=lotte)
    # The demo posts were stored without the ingest's signal: understand them now. The
    # insights demo's weeks of background posts (seeded later) are left to the dashboards.
    post_ids = list(Post.objects.filter(Q(raw__samen_demo__isnull=True)
                                        | ~Q(raw__samen_demo="insights"))
                    .values_list("pk", flat=True))
    actions.do_understand_posts(post_ids=post_ids)


@register(41, "understanding.alerts")
def seed_alerts(ctx: DemoContext) -> None:
    now = timezone.now()
    tagged = list(Post.objects.filter(text__icontains="#geefomjedarm").values_list("pk",
                                                                                   flat=True))
    station = list(Post.objects.filter(text__icontains="rue de la Station")
                   .values_list("pk", flat=True))
    works = ListeningRule.objects.filter(name="Travaux rue de la Station").first()
    if not TrendAlert.objects.filter(kind=AlertKind.HASHTAG, term="#geefomjedarm").exists():
        TrendAlert.objects.create(
            kind=AlertKind.HASHTAG, term="#geefomjedarm", fired_at=now - timedelta(minutes=20),
            since=now - timedelta(minutes=55), observed=38, expected=2.1, score=24.6,
            example_post_ids=tagged[:5])
    if works and not TrendAlert.objects.filter(kind=AlertKind.RULE_VOLUME, rule=works).exists():
        TrendAlert.objects.create(
            kind=AlertKind.RULE_VOLUME, rule=works, fired_at=now - timedelta(minutes=90),
            since=now - timedelta(hours=2), observed=14, expected=1.2, score=11.3,
            example_post_ids=station[:5])
    if not TrendAlert.objects.filter(kind=AlertKind.TERM, term="containerpark").exists():
        alert = TrendAlert.objects.create(
            kind=AlertKind.TERM, term="containerpark", fired_at=now - timedelta(days=1),
            since=now - timedelta(days=1, hours=1), observed=17, expected=2.8, score=9.4,
            example_post_ids=[])
        if "lotte" in ctx.people:
            actions.do_acknowledge_alert(alert=alert, by=ctx.people["lotte"])
