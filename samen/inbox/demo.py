"""Demo inbox: conversations in every state, a contact on two networks, notes with
@mentions, saved replies in nl/fr/en, past answers to learn from, an escalation waiting for
Sofie, SLA breaches. Texts written by us.

The extra demo posts are stored the same way ``samen.sources.demo`` stores its own (the
sources app has no public ingest action on main yet); everything after that goes through the
inbox's actions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from samen.core.demo import DemoContext, register
from samen.inbox import actions
from samen.inbox.models import (
    ContactHandle,
    Conversation,
    ConversationPost,
    Reply,
    SavedReply,
    Team,
)
from samen.sources.models import Account, Post

SAVED_REPLIES = [
    ("Openingsuren loket", "nl", "question",
     "Dag {contact_name}, het loket is open van maandag tot vrijdag, van 9 tot 16 uur. "
     "Op donderdag ook tot 19 uur. Groeten, {agent_first_name}"),
    ("Klacht doorgegeven", "nl", "complaint",
     "Dag {contact_name}, sorry voor het ongemak. We geven je melding door aan de bevoegde "
     "dienst en laten je weten wat er gebeurt. {agent_first_name}"),
    ("Bedankt", "nl", "praise",
     "Dank je wel, {contact_name}! We geven het door aan het team. {agent_first_name}"),
    ("Heures d'ouverture", "fr", "question",
     "Bonjour {contact_name}, le guichet est ouvert du lundi au vendredi, de 9 h à 16 h, et "
     "le jeudi jusqu'à 19 h. Bien à vous, {agent_first_name}"),
    ("Plainte transmise", "fr", "complaint",
     "Bonjour {contact_name}, désolés pour le désagrément. Nous transmettons votre signalement "
     "au service compétent et revenons vers vous. {agent_first_name}"),
    ("Opening hours", "en", "question",
     "Hi {contact_name}, the desk is open Monday to Friday, 9 am to 4 pm, and until 7 pm on "
     "Thursdays. Best, {agent_first_name}"),
    ("Complaint passed on", "en", "complaint",
     "Hi {contact_name}, sorry about this. We have passed your report on to the right "
     "department and will get back to you. {agent_first_name}"),
]

# key, provider, external id, handle, name, language, minutes ago, text, reply_to key, extra
POSTS: list[tuple[str, str, str, str, str, str, int, str, str, dict[str, Any]]] = [
    ("paspoort", "mastodon", "inbox-demo-1", "@an.verhoeven@mastodon.example", "An Verhoeven",
     "nl", 30 * 60, "@samenburg Mijn paspoort is klaar. Kan ik het ook 's avonds afhalen?",
     "", {"intent": "question"}),
    ("paspoort-2", "mastodon", "inbox-demo-1b", "@an.verhoeven@mastodon.example",
     "An Verhoeven", "nl", 100, "Bedankt! En kan het ook op zaterdag?", "paspoort",
     {"intent": "question"}),
    ("rijbewijs", "bluesky", "at://did:plc:anv/app.bsky.feed.post/3kinbox1",
     "an-verhoeven.bsky.social", "An Verhoeven", "nl", 3 * 60,
     "@samenburg.bsky.social Nog een vraag: moet ik een afspraak maken voor mijn rijbewijs?",
     "", {"intent": "question"}),
    ("pers", "mastodon", "inbox-demo-3", "@sarah.jacobs@journalist.example",
     "Sarah Jacobs (Het Dagblad)", "nl", 40,
     "@samenburg Klopt het dat de Stationsstraat drie maanden dicht gaat? Ik schrijf er "
     "morgen over en hoor graag jullie reactie.", "", {"intent": "question"}),
    ("stationnement", "mastodon", "inbox-demo-4", "@claire@piaille.example", "Claire Dupont",
     "fr", 26 * 60, "@samenburg Bonjour, comment obtenir une carte de stationnement riverain ?",
     "", {"intent": "question"}),
    ("adres", "bluesky", "at://did:plc:sam/app.bsky.feed.post/3kinbox5", "sam.bsky.social",
     "Sam Okafor", "en", 20 * 60,
     "@samenburg.bsky.social How do I register my new address after moving house?", "",
     {"intent": "question"}),
    ("bewonerskaart-oud", "mastodon", "inbox-demo-7", "@ruben@mastodon.example", "Ruben Claes",
     "nl", 50 * 60, "@samenburg Hoe vraag ik een bewonerskaart voor parkeren aan?", "",
     {"intent": "question"}),
    ("bewonerskaart", "mastodon", "inbox-demo-6", "@eva@mastodon.example", "Eva Maes", "nl",
     6 * 60, "@samenburg Waar kan ik een parkeerkaart voor bewoners aanvragen?", "",
     {"intent": "question"}),
    ("afval", "mastodon", "inbox-demo-8", "@noor@mastodon.example", "Noor Peeters", "nl",
     9 * 60, "@samenburg De vuilniszakken in onze straat zijn al twee weken niet opgehaald. "
     "Het begint echt te stinken.", "", {"intent": "complaint", "sentiment": "negative"}),
    ("buren", "mastodon", "inbox-demo-10", "@jan@mastodon.example", "Jan Wouters", "nl", 15,
     "Ik wil mijn klacht over lawaai van de buren liever niet publiek posten. Bij wie kan ik "
     "terecht?", "", {"intent": "complaint", "visibility": "direct"}),
    ("inondation", "mastodon", "inbox-demo-11", "@lucie@piaille.example", "Lucie Bernard",
     "fr", 5 * 60, "@samenburg La cave de l'école rue Haute est inondée, les enfants sont en "
     "classe ! Qui peut venir ?", "", {"intent": "request", "urgent": True,
                                      "sentiment": "negative"}),
]

ANSWERS = {
    "paspoort": ("jonas", "Dag An, op donderdag is het loket open tot 19 uur. Je kan je "
                          "paspoort dan afhalen. Groeten, Jonas"),
    "stationnement": ("lotte", "Bonjour Claire, la carte riverain se demande en ligne via "
                               "l'e-guichet, avec votre plaque d'immatriculation. Lotte"),
    "adres": ("lotte", "Hi Sam, welcome! Report your move at the town hall desk within eight "
                       "days; a police officer will then visit. Lotte"),
    "bewonerskaart-oud": ("jonas", "Dag Ruben, een bewonerskaart vraag je aan via het e-loket "
                                   "van de stad, met je nummerplaat bij de hand. Jonas"),
}


def _store_posts(ctx: DemoContext, accounts: dict[str, Account]) -> dict[str, Post]:
    now = timezone.now()
    stored: dict[str, Post] = {}
    for key, provider, ext, handle, name, lang, minutes, text, reply_key, extra in POSTS:
        reply_to = stored[reply_key].external_id if reply_key else ""
        post, _created = Post.objects.get_or_create(
            source=provider, external_id=ext,
            defaults={"account": accounts[provider], "author_handle": handle,
                      "author_name": name, "text": text, "source_language": lang,
                      "language": lang, "created_at": now - timedelta(minutes=minutes),
                      "reply_to_external_id": reply_to, "thread_root_external_id": reply_to,
                      "visibility": extra.get("visibility", "public"),
                      "intent": extra.get("intent", ""), "urgent": extra.get("urgent", False),
                      "sentiment": extra.get("sentiment", "")})
        stored[key] = post
    return stored


def _conv(post: Post) -> Conversation:
    return ConversationPost.objects.select_related("conversation").get(post=post).conversation


@register(40, "inbox.conversations")
def seed_inbox(ctx: DemoContext) -> None:
    people = ctx.people
    lotte, jonas, camille = people["lotte"], people["jonas"], people["camille"]
    accounts: dict[str, Account] = ctx.extra["accounts"]  # type: ignore[assignment]
    first_time = not Team.objects.filter(name="Nederlandstalig team").exists()
    if first_time:
        nl_team = actions.do_create_team(name="Nederlandstalig team", members=[jonas, lotte],
                                         by=lotte)
        fr_team = actions.do_create_team(name="Équipe francophone", members=[camille, lotte],
                                         by=lotte)
        actions.do_create_routing_rule(name="Dringend naar Jonas", conditions={"urgent": [True]},
                                       team=None, person=jonas, priority="high", position=10,
                                       by=lotte)
        actions.do_create_routing_rule(name="Frans naar de francophone ploeg",
                                       conditions={"language": ["fr"]}, team=fr_team,
                                       person=None, position=20, by=lotte)
        actions.do_create_routing_rule(name="Klachten in het Nederlands",
                                       conditions={"language": ["nl"], "intent": ["complaint"]},
                                       team=nl_team, person=None, position=30, by=lotte)
        actions.do_set_sla_target(channel="", priority="high", first_response_minutes=60,
                                  resolution_minutes=8 * 60, by=lotte)
        actions.do_set_sla_target(channel="", priority="normal", first_response_minutes=4 * 60,
                                  resolution_minutes=48 * 60, by=lotte)
        actions.do_set_sla_target(channel="bluesky", priority="normal",
                                  first_response_minutes=2 * 60,
                                  resolution_minutes=24 * 60, by=lotte)
    if not SavedReply.objects.exists():
        for title, lang, intent, body in SAVED_REPLIES:
            actions.do_create_saved_reply(title=title, language=lang, intent=intent, body=body,
                                          by=lotte)
    posts = _store_posts(ctx, accounts)
    # Every post so far (the sources demo's too) goes through the real intake, in time order.
    later = posts["paspoort-2"].pk if first_time else None  # arrives after our answer
    ordered = list(Post.objects.order_by("created_at").values_list("pk", flat=True))
    for pk in (p for p in ordered if p != later):
        actions.do_receive_posts(post_ids=[pk])
    if not first_time:
        return
    # Past answers (the suggestions learn from these) and their conversations' states.
    for key, (who, text) in ANSWERS.items():
        conv = _conv(posts[key])
        agent = people[who]
        if conv.assignee_id != agent.pk:
            conv = actions.do_assign(conversation=conv, to=agent, by=agent)
        reply = actions.do_save_draft(conversation=conv, by=agent, text=text)
        actions.do_record_sent(reply=reply, external_id=f"demo-sent-{posts[key].external_id}",
                               url="", by=agent)
    for key in ("stationnement", "bewonerskaart-oud"):
        conv = _conv(posts[key])
        actions.do_transition(conversation=conv, to="resolved", by=people["lotte"])
    actions.do_transition(conversation=_conv(posts["bewonerskaart-oud"]), to="closed",
                          by=lotte)
    # The customer wrote again after the answer: that thread is open again.
    actions.do_receive_posts(post_ids=[posts["paspoort-2"].pk])
    # One contact on two networks.
    mastodon_an = ContactHandle.objects.get(network="mastodon",
                                            handle="@an.verhoeven@mastodon.example").contact
    bluesky_an = ContactHandle.objects.get(network="bluesky",
                                           handle="an-verhoeven.bsky.social").contact
    if mastodon_an.pk != bluesky_an.pk:
        actions.do_merge_contacts(source=bluesky_an, into=mastodon_an, by=lotte)
    actions.do_update_contact(contact=mastodon_an, by=lotte, display_name="An Verhoeven",
                              language="nl", kind="person", followers=120,
                              notes="Vraagt vaak naar documenten; antwoordt snel.")
    # Waiting for a colleague, with an @mention.
    afval = _conv(posts["afval"])
    afval = actions.do_assign(conversation=afval, to=jonas, by=jonas)
    actions.do_add_note(conversation=afval, by=jonas,
                        text="@lotte kun jij bij de dienst Netheid navragen wanneer ze langskomen?")
    actions.do_transition(conversation=afval, to="waiting_colleague", by=jonas)
    # Open and mine for Jonas; a draft from Camille (no mandate) on the parking card.
    actions.do_assign(conversation=_conv(posts["bewonerskaart"]), to=camille, by=camille)
    actions.do_save_draft(conversation=_conv(posts["bewonerskaart"]), by=camille,
                          text="Dag Eva, een bewonerskaart vraag je aan via het e-loket.")
    # The press question: Jonas answers, policy sends it to management (Sofie) first.
    pers = _conv(posts["pers"])
    contact = pers.contact
    actions.do_update_contact(contact=contact, by=lotte, display_name=contact.display_name,
                              language="nl", kind="press", followers=12400,
                              notes="Journaliste lokale redactie.")
    pers = actions.do_assign(conversation=pers, to=jonas, by=jonas)
    draft = actions.do_save_draft(
        conversation=pers, by=jonas,
        text="Dag Sarah, de Stationsstraat gaat vanaf 3 februari dicht voor rioleringswerken, "
             "naar verwachting tien weken. De omleiding staat op onze website. Jonas")
    if not Reply.objects.filter(conversation=pers, state="pending").exists():
        actions.do_submit_reply(reply=draft, by=jonas)
    # A resolved one that was praise, and nobody on the urgent French school flooding yet.
    for conv in Conversation.objects.filter(subject__icontains="library team", state="new"):
        actions.do_transition(conversation=conv, to="resolved", by=lotte)
