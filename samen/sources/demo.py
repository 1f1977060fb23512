"""Demo accounts, mandates and posts (written by us) in nl, fr and en."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from samen.core.demo import DemoContext, register
from samen.sources import actions
from samen.sources.models import Account, Post

DEMO_ACCOUNTS = [
    ("mastodon", "Stad Samenburg op Mastodon", "@samenburg@social.samenburg.example",
     "https://social.samenburg.example"),
    ("bluesky", "Stad Samenburg op Bluesky", "samenburg.bsky.social", "https://bsky.social"),
    ("feed", "Nieuws van Stad Samenburg", "", "https://www.samenburg.example/nieuws.rss"),
]

# (provider, external id, author handle, author name, language, minutes ago, text)
DEMO_POSTS = [
    ("mastodon", "109001", "@an.verhoeven@mastodon.example", "An Verhoeven", "nl", 12,
     "@samenburg Is het containerpark zaterdag open? Ik vind niets op de website."),
    ("mastodon", "109002", "@marc@piaille.example", "Marc Lefèvre", "fr", 35,
     "@samenburg Bonjour, la rue de la Station est bloquée depuis ce matin, que se passe-t-il ?"),
    ("bluesky", "at://did:plc:demo1/app.bsky.feed.post/3kdemo1", "jamie.bsky.social",
     "Jamie Carter", "en", 50,
     "@samenburg.bsky.social Thanks to the library team for the great coding workshop! #teamsamenburg"),
    ("bluesky", "at://did:plc:demo2/app.bsky.feed.post/3kdemo2", "lies.bsky.social",
     "Lies Wouters", "nl", 80,
     "Al drie weken geen antwoord op mijn vraag over de parkeerkaart. Slechte service @samenburg.bsky.social"),
    ("mastodon", "109003", "@nora@mastodon.example", "Nora Claes", "nl", 95,
     "Mooi initiatief van @samenburg: de buurtfeesten krijgen extra steun #geefomjedarm"),
    ("mastodon", "109004", "@julie@piaille.example", "Julie Martin", "fr", 140,
     "@samenburg Merci pour la réponse rapide au sujet des poubelles !"),
    ("bluesky", "at://did:plc:demo3/app.bsky.feed.post/3kdemo3", "tom.bsky.social",
     "Tom Baker", "en", 200,
     "@samenburg.bsky.social The online form for the parking permit gives an error <script>alert(1)</script>"),
    ("mastodon", "109005", "@pieter@mastodon.example", "Pieter Maes", "nl", 260,
     "@samenburg Er ligt een gevaarlijke put in het fietspad op de Kerkstraat, iemand is al gevallen!"),
]


@register(20, "sources.accounts")
def seed_accounts(ctx: DemoContext) -> None:
    accounts = {}
    for provider, name, handle, base_url in DEMO_ACCOUNTS:
        account = Account.objects.filter(provider=provider, name=name).first()
        if account is None:
            account = actions.do_create_account(provider=provider, name=name, handle=handle,
                                                base_url=base_url, by=ctx.people.get("lotte"))
        accounts[provider] = account
    ctx.extra["accounts"] = accounts
    for username in ("lotte", "jonas"):
        for provider in ("mastodon", "bluesky"):
            actions.do_grant_mandate(person=ctx.people[username], account=accounts[provider],
                                     by=ctx.people["lotte"])
    now = timezone.now()
    for provider, ext_id, handle, name, lang, minutes, text in DEMO_POSTS:
        Post.objects.get_or_create(
            source=provider, external_id=ext_id,
            defaults={
                "account": accounts[provider], "author_handle": handle, "author_name": name,
                "text": text, "source_language": lang, "language": lang,
                "created_at": now - timedelta(minutes=minutes),
                "visibility": "public",
            },
        )
