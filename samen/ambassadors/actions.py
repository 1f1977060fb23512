"""Writes of the ambassadors app. Keyword-only, atomic, audited (STYLE.md)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.ambassadors import intents
from samen.ambassadors.models import (
    Acknowledgement,
    AmbassadorPreference,
    Click,
    ClickSalt,
    GuidelineVersion,
    HubItem,
    Network,
    PrivacyGuide,
    PrivacyStep,
    Share,
    StepTick,
    TrackedLink,
)
from samen.core.audit import record
from samen.core.models import Person

# --- guidelines -------------------------------------------------------------------------


@transaction.atomic
def do_publish_guidelines(*, body_nl: str, body_fr: str, body_en: str, change_note: str = "",
                          by: Person | None) -> GuidelineVersion:
    """Publish a new version (the next number). Everyone is asked to acknowledge it again."""
    if not (body_nl.strip() or body_fr.strip() or body_en.strip()):
        raise ValidationError(_("The guidelines need a text in at least one language."))
    # Lock the latest version row so two leads publishing at once get distinct numbers.
    latest = GuidelineVersion.objects.select_for_update().order_by("-number").first()
    version = GuidelineVersion.objects.create(
        number=(latest.number + 1) if latest else 1, body_nl=body_nl, body_fr=body_fr,
        body_en=body_en, change_note=change_note, published_by=by,
    )
    record(actor=by, action="ambassadors.guidelines.published", target=version,
           data={"number": version.number})
    return version


@transaction.atomic
def do_acknowledge_guidelines(*, person: Person, version: GuidelineVersion) -> Acknowledgement:
    """Acknowledge ``version``; only the current version can be acknowledged. Idempotent."""
    current = GuidelineVersion.objects.aggregate(n=Max("number"))["n"]
    if version.number != current:
        raise ValidationError(_("Only the current version of the guidelines can be "
                                "acknowledged."))
    ack, created = Acknowledgement.objects.get_or_create(version=version, person=person)
    if created:
        record(actor=person, action="ambassadors.guidelines.acknowledged", target=version,
               data={"number": version.number})
    return ack


# --- privacy guides ---------------------------------------------------------------------


@dataclass(frozen=True)
class GuideData:
    network: str
    name: str
    last_checked: date
    intro: dict[str, str]
    steps: list[dict[str, str]]  # each {"nl": ..., "fr": ..., "en": ...}
    order: int = 0


def _write_steps(guide: PrivacyGuide, steps: list[dict[str, str]]) -> None:
    """Update steps in place by position, add new ones, remove the surplus (and their ticks)."""
    existing = {s.position: s for s in guide.steps.all()}
    for position, texts in enumerate(steps, start=1):
        step = existing.pop(position, None)
        fields = {f"text_{lang}": texts.get(lang, "").strip() for lang in ("nl", "fr", "en")}
        if step is None:
            PrivacyStep.objects.create(guide=guide, position=position, **fields)
        else:
            for key, value in fields.items():
                setattr(step, key, value)
            step.save(update_fields=list(fields))
    PrivacyStep.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()


@transaction.atomic
def do_save_privacy_guide(*, data: GuideData, owner: Person | None,
                          by: Person | None) -> PrivacyGuide:
    """Create or update the guide for ``data.network``."""
    if not data.steps:
        raise ValidationError(_("A guide needs at least one step."))
    guide, created = PrivacyGuide.objects.select_for_update().get_or_create(
        network=data.network,
        defaults={"name": data.name, "last_checked": data.last_checked, "order": data.order},
    )
    guide.name = data.name
    guide.last_checked = data.last_checked
    guide.owner = owner
    for lang in ("nl", "fr", "en"):
        setattr(guide, f"intro_{lang}", data.intro.get(lang, "").strip())
    guide.save()
    _write_steps(guide, data.steps)
    record(actor=by, action="ambassadors.guide.created" if created else "ambassadors.guide.edited",
           target=guide, data={"steps": len(data.steps)})
    return guide


@transaction.atomic
def do_set_step_tick(*, person: Person, step: PrivacyStep, ticked: bool) -> None:
    """Tick or untick a step for oneself. Not audited on purpose: ticks are private to the
    person, and the audit log is read by the comms lead."""
    if ticked:
        StepTick.objects.get_or_create(step=step, person=person)
    else:
        StepTick.objects.filter(step=step, person=person).delete()


# --- preferences ------------------------------------------------------------------------


@transaction.atomic
def do_set_ambassador_preferences(*, person: Person, mastodon_instance: str,
                                  leaderboard_opt_in: bool) -> AmbassadorPreference:
    instance = ""
    if mastodon_instance.strip():
        try:
            instance = intents.normalise_instance(mastodon_instance)
        except intents.IntentError as exc:
            raise ValidationError(_("Give the address of your Mastodon server, for example "
                                    "mastodon.social.")) from exc
    pref, _created = AmbassadorPreference.objects.get_or_create(person=person)
    pref.mastodon_instance = instance
    pref.leaderboard_opt_in = leaderboard_opt_in
    pref.save(update_fields=["mastodon_instance", "leaderboard_opt_in"])
    record(actor=person, action="ambassadors.preferences.saved", target=person,
           data={"leaderboard_opt_in": leaderboard_opt_in})
    return pref


# --- content hub ------------------------------------------------------------------------


@transaction.atomic
def do_save_hub_item(*, item: HubItem | None = None, title: str, url: str, text_nl: str,
                     text_fr: str, text_en: str, department: str, ends_on: date,
                     by: Person) -> HubItem:
    """Create (``item`` None) or edit an item. Links already issued keep their target."""
    fields = {"title": title, "url": url, "text_nl": text_nl, "text_fr": text_fr,
              "text_en": text_en, "department": department.strip(), "ends_on": ends_on}
    if item is None:
        item = HubItem.objects.create(created_by=by, **fields)
        action = "ambassadors.item.created"
    else:
        for key, value in fields.items():
            setattr(item, key, value)
        item.save(update_fields=list(fields))
        action = "ambassadors.item.edited"
    record(actor=by, action=action, target=item, data={"department": item.department})
    return item


def _new_code() -> str:
    return secrets.token_urlsafe(6)  # 8 characters, 48 bits


def get_or_issue_link(*, item: HubItem, network: str, person: Person) -> TrackedLink:
    """The one short link for (item, network, person), issued on first use with the item's
    URL as its fixed target."""
    link = TrackedLink.objects.filter(item=item, network=network, person=person).first()
    if link is not None:
        return link
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(code=_new_code(), item=item, network=network,
                                                  person=person, target_url=item.url)
        except IntegrityError:
            link = TrackedLink.objects.filter(item=item, network=network, person=person).first()
            if link is not None:
                return link
    raise RuntimeError("could not issue a unique short code")


@dataclass(frozen=True)
class ShareResult:
    share: Share
    intent_url: str


@transaction.atomic
def do_share(*, person: Person, item: HubItem, network: str, text: str,
             link_base: str) -> ShareResult:
    """Record that ``person`` shares ``item`` on ``network`` and build the composer URL with
    their (edited) ``text`` and their tracked link. ``link_base`` is the absolute URL prefix
    of the short links (``https://samen.example/ambassadors/s/``)."""
    if network not in Network.values:
        raise ValidationError(_("Unknown network."))
    if item.ends_on < timezone.localdate():
        raise ValidationError(_("This item can no longer be shared."))
    instance = ""
    if network == Network.MASTODON:
        pref = AmbassadorPreference.objects.filter(person=person).first()
        instance = pref.mastodon_instance if pref else ""
        if not instance:
            raise ValidationError(_("Set your Mastodon server in your ambassador preferences "
                                    "first."))
    link = get_or_issue_link(item=item, network=network, person=person)
    url = intents.intent_url(network=network, text=text[:2000], link=link_base + link.code,
                             mastodon_instance=instance)
    share = Share.objects.create(item=item, person=person, network=network, link=link)
    record(actor=person, action="ambassadors.item.shared", target=item,
           data={"network": network})
    return ShareResult(share=share, intent_url=url)


# --- clicks -----------------------------------------------------------------------------

SALT_DAYS = 2


def _salt_for(day: date) -> str:
    salt = ClickSalt.objects.filter(day=day).first()
    if salt is None:
        try:
            with transaction.atomic():
                salt = ClickSalt.objects.create(day=day, value=secrets.token_hex(32))
        except IntegrityError:
            salt = ClickSalt.objects.get(day=day)
    return salt.value


def _hash(salt: str, link: TrackedLink, day: date, key: str) -> str:
    data = f"{salt}\x00{link.pk}\x00{day.isoformat()}\x00{key}".encode()
    return hashlib.sha256(data).hexdigest()


def do_forget_old_click_data(*, today: date | None = None) -> int:
    """Delete salts older than two days and blank the hashes of those days: after this, old
    clicks are only counts. Returns the number of click rows blanked."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=SALT_DAYS - 1)
    ClickSalt.objects.filter(day__lt=cutoff).delete()
    return Click.objects.filter(day__lt=cutoff).exclude(cookie_hash="", device_hash="").update(
        cookie_hash="", device_hash="")


@transaction.atomic
def do_record_click(*, link: TrackedLink, cookie: str, device: str,
                    new_cookie: str = "") -> bool:
    """Count a visit of ``link`` once per visitor per day. ``cookie`` is the visitor cookie
    the browser sent (empty if none); ``device`` is IP and user agent joined (used only when
    there is no cookie, and only hashed); ``new_cookie`` is the cookie being set now.
    Returns True when the click was counted."""
    today = timezone.localdate()
    do_forget_old_click_data(today=today)
    salt = _salt_for(today)
    device_hash = _hash(salt, link, today, "d:" + device)
    clicks = Click.objects.filter(link=link, day=today)
    if cookie:
        cookie_hash = _hash(salt, link, today, "c:" + cookie)
        seen = clicks.filter(cookie_hash=cookie_hash).exists()
    else:
        cookie_hash = _hash(salt, link, today, "c:" + new_cookie) if new_cookie else ""
        seen = clicks.filter(Q(device_hash=device_hash)).exists()
    if seen:
        return False
    try:
        with transaction.atomic():
            Click.objects.create(link=link, day=today, cookie_hash=cookie_hash,
                                 device_hash=device_hash)
    except IntegrityError:  # the same visitor, twice at the same moment
        return False
    return True
