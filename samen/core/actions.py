"""Writes for people, roles and the organisation. Views, CLI, demo and tests all call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Organisation, Person, RoleGrant
from samen.core.roles import Role

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


@transaction.atomic
def do_create_person(
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
    department: str = "",
    roles: Iterable[str] = (Role.AMBASSADOR,),
    by: Person | None,
) -> Person:
    """Create a person with their roles. Every employee is an ambassador, so that role is
    always included."""
    if Person.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Someone with the username “%(username)s” already exists."),
                              params={"username": username}, code="duplicate")
    if language and language not in SUPPORTED_LANGUAGES:
        raise ValidationError(_("Unknown language."), code="language")
    person = Person(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
        department=department,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    wanted = {Role(r) for r in roles} | {Role.AMBASSADOR}
    RoleGrant.objects.bulk_create([RoleGrant(person=person, role=r) for r in sorted(wanted)])
    audit.record(actor=by, action="core.person.created", target=person,
                 data={"roles": sorted(wanted)})
    return person


@transaction.atomic
def do_set_roles(*, person: Person, roles: Iterable[str], by: Person | None) -> Person:
    """Replace a person's roles. The last comms lead cannot lose that role (nobody would be
    left to run Samen)."""
    wanted = {Role(r) for r in roles} | {Role.AMBASSADOR}
    current = set(RoleGrant.objects.select_for_update().filter(person=person)
                  .values_list("role", flat=True))
    if Role.COMMS_LEAD in current and Role.COMMS_LEAD not in wanted:
        others = RoleGrant.objects.filter(role=Role.COMMS_LEAD).exclude(person=person)
        if not others.filter(person__is_active=True).exists():
            raise ValidationError(
                _("This is the last comms lead; make someone else comms lead first."),
                code="last_lead",
            )
    added = wanted - current
    removed = current - wanted
    RoleGrant.objects.filter(person=person, role__in=removed).delete()
    RoleGrant.objects.bulk_create([RoleGrant(person=person, role=r) for r in sorted(added)])
    person.__dict__.pop("_roles_cache", None)
    if added or removed:
        audit.record(actor=by, action="core.roles.changed", target=person,
                     data={"added": sorted(added), "removed": sorted(removed)})
    return person


def do_set_language(*, person: Person, language: str) -> None:
    """Save the language a person wants Samen to speak to them."""
    if language and language not in SUPPORTED_LANGUAGES:
        raise ValidationError(_("Unknown language."), code="language")
    if person.language != language:
        person.language = language
        person.save(update_fields=["language"])
        audit.record(actor=person, action="core.language.changed", target=person,
                     data={"language": language})


@transaction.atomic
def do_update_organisation(
    *,
    organisation: Organisation,
    name: str,
    languages: list[str],
    default_language: str,
    crisis_mode: bool,
    by: Person,
) -> Organisation:
    """Change the organisation's policy; crisis mode sends more replies to management."""
    if not languages:
        raise ValidationError(_("Choose at least one language."), code="languages")
    if default_language not in languages:
        raise ValidationError(_("The default language must be one of the languages."),
                              code="default_language")
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {"name": org.name, "languages": org.languages,
              "default_language": org.default_language, "crisis_mode": org.crisis_mode}
    org.name, org.languages = name, languages
    org.default_language, org.crisis_mode = default_language, crisis_mode
    org.save(update_fields=["name", "languages", "default_language", "crisis_mode"])
    after = {"name": name, "languages": languages, "default_language": default_language,
             "crisis_mode": crisis_mode}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit.record(actor=by, action="core.organisation.changed", target=org, data=changed)
    return org


def get_or_create_organisation(*, name: str = "Samen") -> Organisation:
    """The single organisation row, created on first use."""
    org = Organisation.objects.order_by("pk").first()
    if org is None:
        org = Organisation.objects.create(name=name, languages=["nl", "fr", "en", "de"],
                                          default_language="nl")
    return org
