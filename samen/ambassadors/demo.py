"""Demo data of the ambassadors app: two versions of the guidelines, the privacy guides, hub
items in nl/fr/en, some shares and clicks."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from samen.ambassadors import actions
from samen.ambassadors.demo_texts import GUIDELINES_V1, GUIDELINES_V2, HUB_ITEMS
from samen.ambassadors.loading import load_starter_guides
from samen.ambassadors.models import GuidelineVersion, HubItem
from samen.core.demo import DemoContext, register


@register(60, "ambassadors.guidelines")
def seed_guidelines(ctx: DemoContext) -> None:
    lotte = ctx.people["lotte"]
    if not GuidelineVersion.objects.exists():
        v1 = actions.do_publish_guidelines(
            body_nl=GUIDELINES_V1["nl"], body_fr=GUIDELINES_V1["fr"], body_en=GUIDELINES_V1["en"],
            change_note="Eerste versie.", by=lotte)
        for name in ("jonas", "camille", "amina"):
            actions.do_acknowledge_guidelines(person=ctx.people[name], version=v1)
        v2 = actions.do_publish_guidelines(
            body_nl=GUIDELINES_V2["nl"], body_fr=GUIDELINES_V2["fr"], body_en=GUIDELINES_V2["en"],
            change_note="Beelden gemaakt met AI; crisiscommunicatie.", by=lotte)
        for name in ("lotte", "jonas"):
            actions.do_acknowledge_guidelines(person=ctx.people[name], version=v2)


@register(61, "ambassadors.privacy_guides")
def seed_privacy_guides(ctx: DemoContext) -> None:
    load_starter_guides(owner=ctx.people["lotte"])


@register(62, "ambassadors.hub")
def seed_hub(ctx: DemoContext) -> None:
    if HubItem.objects.exists():
        return
    lotte, today = ctx.people["lotte"], timezone.localdate()
    items = []
    for title, url, nl, fr, en, department, days in HUB_ITEMS:
        items.append(actions.do_save_hub_item(
            title=title, url=url, text_nl=nl, text_fr=fr, text_en=en, department=department,
            ends_on=today + timedelta(days=days), by=lotte))
    # Some shares and clicks, as if colleagues had shared these past days.
    actions.do_set_ambassador_preferences(person=ctx.people["amina"],
                                          mastodon_instance="mastodon.social",
                                          leaderboard_opt_in=True)
    actions.do_set_ambassador_preferences(person=ctx.people["jonas"], mastodon_instance="",
                                          leaderboard_opt_in=True)
    base = "http://127.0.0.1:8000/ambassadors/s/"
    plan = [("amina", 0, "mastodon", 7), ("amina", 0, "bluesky", 3), ("jonas", 0, "linkedin", 12),
            ("amina", 1, "linkedin", 5), ("camille", 2, "facebook", 4), ("jonas", 4, "x", 2)]
    for name, index, network, clicks in plan:
        result = actions.do_share(person=ctx.people[name], item=items[index], network=network,
                                  text=items[index].text(ctx.people[name].language or "nl"),
                                  link_base=base)
        link = result.share.link
        for n in range(clicks):
            actions.do_record_click(link=link, cookie=f"demo-visitor-{n}", device="")
