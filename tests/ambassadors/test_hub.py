"""The content hub: the comms team curates, ambassadors see what is for them and share on
their own accounts; Samen records the share and sends them to the network's composer."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from samen.ambassadors import actions, selectors
from samen.ambassadors.models import AmbassadorPreference, HubItem, Share, TrackedLink
from samen.core.roles import Role
from tests.ambassadors.factories import hub_item

pytestmark = pytest.mark.django_db

TEXT = "Fietsstraten & #Samenburg 🚲 — café à l'été"


def test_the_team_curates_items_and_others_cannot(client_for):
    team = client_for(Role.TEAM)
    response = team.post(reverse("ambassadors:hub_manage"), {
        "title": "Open Monumentendag", "url": "https://stad.example/omd", "text_nl": "Kom!",
        "text_fr": "Venez !", "text_en": "Come!", "department": "",
        "ends_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    assert HubItem.objects.get().created_by == team.person
    assert client_for(Role.AMBASSADOR).get(reverse("ambassadors:hub_manage")).status_code == 403


def test_ambassadors_see_current_items_for_everyone_and_their_department(person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    everyone = hub_item(by=lead, title="Voor iedereen")
    mine = hub_item(by=lead, title="Voor Burgerzaken", department="Burgerzaken")
    hub_item(by=lead, title="Voor Financiën", department="Financiën")
    hub_item(by=lead, title="Afgelopen", ends_on=timezone.localdate() - timedelta(days=1))
    person = person_factory(department="burgerzaken")
    assert set(selectors.current_items_for(person)) == {everyone, mine}


def test_an_item_in_the_ambassadors_language(client_for, person_factory):
    item = hub_item(by=person_factory(Role.COMMS_LEAD))
    client = client_for(Role.AMBASSADOR)
    page = client.get(reverse("ambassadors:hub"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rues cyclables dès lundi !" in page
    share_page = client.get(reverse("ambassadors:share", args=[item.pk]),
                            HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Fietsstraten vanaf maandag!" in share_page


def test_sharing_to_mastodon_records_and_redirects_to_the_persons_instance(client_for,
                                                                           person_factory):
    item = hub_item(by=person_factory(Role.COMMS_LEAD))
    client = client_for(Role.AMBASSADOR)
    client.post(reverse("ambassadors:preferences"),
                {"mastodon_instance": "@amina@eupolicy.social"})
    response = client.post(reverse("ambassadors:share", args=[item.pk]),
                           {"text": TEXT, "network": "mastodon"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "eupolicy.social", "/share")
    text = parse_qs(target.query)["text"][0]
    link = TrackedLink.objects.get(person=client.person, item=item, network="mastodon")
    assert text == f"{TEXT} http://testserver/ambassadors/s/{link.code}"
    share = Share.objects.get()
    assert (share.person, share.item, share.network) == (client.person, item, "mastodon")


def test_sharing_to_bluesky_encodes_the_edited_text(client_for, person_factory):
    item = hub_item(by=person_factory(Role.COMMS_LEAD))
    client = client_for(Role.AMBASSADOR)
    response = client.post(reverse("ambassadors:share", args=[item.pk]),
                           {"text": TEXT, "network": "bluesky"})
    location = response["Location"]
    assert location.startswith("https://bsky.app/intent/compose?text=")
    assert "%26%20%23Samenburg%20%F0%9F%9A%B2" in location and " " not in location
    assert parse_qs(urlsplit(location).query)["text"][0].startswith(TEXT + " http://testserver/")
    # Sharing again reuses the same tracked link and records a second share.
    client.post(reverse("ambassadors:share", args=[item.pk]), {"text": "x", "network": "bluesky"})
    assert TrackedLink.objects.count() == 1 and Share.objects.count() == 2


def test_mastodon_without_an_instance_explains_what_to_do(client_for, person_factory):
    item = hub_item(by=person_factory(Role.COMMS_LEAD))
    client = client_for(Role.AMBASSADOR)
    response = client.post(reverse("ambassadors:share", args=[item.pk]),
                           {"text": "Hallo", "network": "mastodon"})
    assert response.status_code == 400
    assert "Set your Mastodon server" in response.content.decode()
    assert not Share.objects.exists()


def test_a_bad_instance_is_refused_with_a_clear_message(client_for):
    client = client_for(Role.AMBASSADOR)
    response = client.post(reverse("ambassadors:preferences"),
                           {"mastodon_instance": "https://evil.example/phish?x="})
    assert response.status_code == 200
    assert "address of your Mastodon server" in response.content.decode()
    assert not AmbassadorPreference.objects.exists()


def test_ended_and_other_departments_items_cannot_be_shared(client_for, person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    ended = hub_item(by=lead, ends_on=timezone.localdate() - timedelta(days=1))
    other = hub_item(by=lead, department="Financiën")
    client = client_for(Role.AMBASSADOR)
    for item in (ended, other):
        response = client.post(reverse("ambassadors:share", args=[item.pk]),
                               {"text": "x", "network": "bluesky"})
        assert response.status_code == 404
    assert not Share.objects.exists()


def test_leaderboard_lists_only_people_who_opted_in(person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    item = hub_item(by=lead)
    shy = person_factory(username="shy")
    proud = person_factory(username="proud")
    actions.do_set_ambassador_preferences(person=proud, mastodon_instance="",
                                          leaderboard_opt_in=True)
    for person in (shy, proud):
        actions.do_share(person=person, item=item, network="bluesky", text="x",
                         link_base="https://s.example/s/")
    board = selectors.leaderboard()
    assert [row["person"] for row in board] == [proud]
    assert AmbassadorPreference.objects.filter(person=shy).first() is None  # off by default


def test_comms_team_sees_shares_and_clicks_per_network(client_for, person_factory):
    item = hub_item(by=person_factory(Role.COMMS_LEAD))
    a = person_factory()
    for network in ("bluesky", "linkedin", "bluesky"):
        result = actions.do_share(person=a, item=item, network=network, text="x",
                                  link_base="https://s.example/s/")
    actions.do_record_click(link=result.share.link, cookie="v1", device="")
    rows = {r["network"]: (r["shares"], r["clicks"]) for r in selectors.clicks_per_network(item)}
    assert rows == {"Bluesky": (2, 1), "LinkedIn": (1, 0)}
    page = client_for(Role.TEAM).get(reverse("ambassadors:hub_item", args=[item.pk]))
    assert page.status_code == 200 and "Bluesky" in page.content.decode()


def test_an_item_can_start_from_one_of_our_own_posts(client_for):
    from tests.factories import AccountFactory, PostFactory

    account = AccountFactory(handle="@stad@social.example")
    ours = PostFactory(account=account, direction="out", url="https://social.example/@stad/1",
                       text="Fietsstraten vanaf maandag <b>in het centrum</b>", language="nl")
    by_account = PostFactory(account=account, author_handle="@stad@social.example",
                             url="https://social.example/@stad/2", text="Open Monumentendag")
    mention = PostFactory(account=account, url="https://social.example/@burger/3",
                          text="Waarom is mijn straat nog niet geveegd?")
    team = client_for(Role.TEAM)
    page = team.get(reverse("ambassadors:hub_manage")).content.decode()
    assert f"?from_post={ours.pk}" in page and f"?from_post={by_account.pk}" in page
    assert f"?from_post={mention.pk}" not in page  # a citizen's post is not ours to push
    assert "&lt;b&gt;in het centrum" in page  # post text is data, never markup
    form = team.get(reverse("ambassadors:hub_manage"), {"from_post": ours.pk}).context["form"]
    assert form.initial["url"] == ours.url and form.initial["text_nl"] == ours.text
    form = team.get(reverse("ambassadors:hub_manage"), {"from_post": mention.pk}).context["form"]
    assert "url" not in form.initial
