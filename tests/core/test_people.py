"""The comms lead manages people, roles and mandates; every change lands in the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from samen.core import actions
from samen.core.models import AppendOnlyError, AuditEvent
from samen.core.roles import Role
from samen.sources import actions as source_actions
from samen.sources import selectors as source_selectors
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_every_person_is_an_ambassador(person_factory):
    person = person_factory(Role.TEAM)
    assert person.roles == {Role.TEAM, Role.AMBASSADOR}


def test_lead_adds_a_person_from_the_people_page(client_for):
    lead = client_for(Role.COMMS_LEAD)
    response = lead.post(reverse("core:people"), {
        "username": "nieuw", "first_name": "Nieuwe", "last_name": "Collega",
        "email": "nieuw@example.org", "roles": [Role.TEAM], "language": "fr",
    })
    assert response.status_code == 302
    page = lead.get(reverse("core:people")).content.decode()
    assert "Nieuwe Collega" in page
    event = AuditEvent.objects.filter(action="core.person.created").first()
    assert event.actor == lead.person
    assert sorted(event.data["roles"]) == ["ambassador", "team"]


def test_duplicate_usernames_get_a_clear_error(client_for, person_factory):
    person_factory(username="jonas")
    response = client_for(Role.COMMS_LEAD).post(reverse("core:people"), {"username": "Jonas"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_the_last_comms_lead_cannot_be_removed(person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    with pytest.raises(ValidationError):
        actions.do_set_roles(person=lead, roles=[Role.TEAM], by=lead)
    other = person_factory(Role.COMMS_LEAD)
    actions.do_set_roles(person=lead, roles=[Role.TEAM], by=other)
    lead.refresh_from_db()
    assert Role.COMMS_LEAD not in lead.roles


def test_mandates_are_per_account_and_only_for_the_team(client_for, person_factory):
    lead = client_for(Role.COMMS_LEAD)
    agent = person_factory(Role.TEAM)
    employee = person_factory(Role.AMBASSADOR)
    mastodon, bluesky = AccountFactory(), AccountFactory(provider="bluesky")
    lead.post(reverse("core:person", args=[agent.pk]),
              {"form": "mandate", "account": mastodon.pk, "grant": "1"})
    assert source_selectors.has_mandate(person=agent, account=mastodon)
    assert not source_selectors.has_mandate(person=agent, account=bluesky)
    with pytest.raises(ValidationError):
        source_actions.do_grant_mandate(person=employee, account=mastodon, by=lead.person)
    lead.post(reverse("core:person", args=[agent.pk]),
              {"form": "mandate", "account": mastodon.pk, "grant": "0"})
    assert not source_selectors.has_mandate(person=agent, account=mastodon)
    codes = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert codes[-2:] == ["sources.mandate.granted", "sources.mandate.revoked"]


def test_the_audit_log_is_append_only_in_python_and_in_the_database(person_factory):
    person_factory(Role.TEAM)
    event = AuditEvent.objects.first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET action = 'tampered'", f"DELETE FROM {table}"):
        with pytest.raises(Exception) as excinfo, transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
        assert "append-only" in str(excinfo.value) or isinstance(excinfo.value, IntegrityError)
    assert AuditEvent.objects.filter(action="tampered").count() == 0


def test_the_audit_log_page_lists_and_filters_events(client_for, person_factory):
    lead = client_for(Role.COMMS_LEAD)
    person_factory(Role.TEAM, username="agent7")
    page = lead.get(reverse("core:audit_log"), {"action": "core.person"}).content.decode()
    assert "core.person.created" in page
    assert "agent7" in page.lower()


def test_organisation_policy_is_edited_by_the_lead(client_for, organisation):
    lead = client_for(Role.COMMS_LEAD)
    response = lead.post(reverse("core:organisation"), {
        "name": "Stad Testburg", "languages": ["nl", "fr"], "default_language": "en",
    })
    assert response.status_code == 200
    assert "must be one of the languages" in response.content.decode()
    response = lead.post(reverse("core:organisation"), {
        "name": "Stad Testburg", "languages": ["nl", "fr"], "default_language": "fr",
        "crisis_mode": "on",
    })
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.languages == ["nl", "fr"] and organisation.crisis_mode
    event = AuditEvent.objects.get(action="core.organisation.changed")
    assert event.data["crisis_mode"] == [False, True]


def test_the_overview_counts_people_per_role(client_for, person_factory):
    lead = client_for(Role.COMMS_LEAD)
    person_factory(Role.TEAM)
    person_factory(Role.TEAM, Role.MANAGER)
    page = lead.get(reverse("core:lead_home")).content.decode()
    rows = {label: page.split(f'<th scope="row">{label}</th>')[1].split('<td class="num">')[1]
            .split("<")[0] for label in ("Comms lead", "Conversation team", "Manager",
                                         "Ambassador")}
    assert rows == {"Comms lead": "1", "Conversation team": "2", "Manager": "1",
                    "Ambassador": "3"}
