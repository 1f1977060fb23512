"""Ambassadors: guidelines and acknowledgements, privacy guides and personal checklists, the
content hub, shares, tracked links and their clicks.

Trust, not surveillance: nothing here reads an employee's private accounts. What Samen knows
is what people do in Samen: which guideline version they acknowledged, what they chose to
share through it, and how many (anonymous, deduplicated) clicks their links got.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LANGS = ("nl", "fr", "en")


class Network(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    LINKEDIN = "linkedin", "LinkedIn"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"


def _in_language(obj: object, prefix: str, language: str) -> str:
    """The field ``prefix_<language>``, falling back to the other languages when empty."""
    order = [language] + [lang for lang in LANGS if lang != language]
    for lang in order:
        value = getattr(obj, f"{prefix}_{lang}", "")
        if value:
            return str(value)
    return ""


class GuidelineVersion(models.Model):
    """One published version of the social media guidelines. Publishing never edits a version:
    it adds the next one, so the history stays visible and acknowledgements keep their
    meaning."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    body_nl = models.TextField(_("text (Dutch)"), blank=True)
    body_fr = models.TextField(_("text (French)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"

    def body(self, language: str) -> str:
        return _in_language(self, "body", language)


class Acknowledgement(models.Model):
    """A person read and accepted one version of the guidelines."""

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE,
                                related_name="acknowledgements")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="guideline_acknowledgements")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "person"],
                                               name="one_ack_per_person_per_version")]

    def __str__(self) -> str:
        return f"{self.person} – v{self.version.number}"


class PrivacyGuide(models.Model):
    """How to set one network's privacy settings, as a checklist. ``last_checked`` and
    ``owner`` keep it from rotting: a guide not checked for six months shows a warning."""

    network = models.SlugField(_("network key"), max_length=40, unique=True)
    name = models.CharField(_("network"), max_length=80)
    intro_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    intro_fr = models.TextField(_("introduction (French)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    last_checked = models.DateField(_("last checked"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def intro(self, language: str) -> str:
        return _in_language(self, "intro", language)


class PrivacyStep(models.Model):
    """One step of a guide. Steps are updated in place when a guide is edited, so a person's
    ticks stay with the step they ticked."""

    guide = models.ForeignKey(PrivacyGuide, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    text_nl = models.TextField(blank=True)
    text_fr = models.TextField(blank=True)
    text_en = models.TextField(blank=True)

    class Meta:
        ordering = ["guide", "position"]
        constraints = [models.UniqueConstraint(fields=["guide", "position"],
                                               name="one_step_per_position")]

    def __str__(self) -> str:
        return f"{self.guide} #{self.position}"

    def text(self, language: str) -> str:
        return _in_language(self, "text", language)


class StepTick(models.Model):
    """A person ticked a step for themselves. Private: only that person's own pages read
    these rows (``selectors.ticked_step_ids``); no page or count shows them to anyone else."""

    step = models.ForeignKey(PrivacyStep, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "person"],
                                               name="one_tick_per_person_per_step")]

    def __str__(self) -> str:
        return f"tick {self.step_id}"


class AmbassadorPreference(models.Model):
    """What an ambassador chose: their Mastodon instance (for share links) and whether they
    appear on the leaderboard (off unless they opt in)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="ambassador_preference")
    mastodon_instance = models.CharField(_("your Mastodon server"), max_length=200, blank=True)
    leaderboard_opt_in = models.BooleanField(_("show me on the leaderboard"), default=False)

    def __str__(self) -> str:
        return f"preferences of {self.person}"


class HubItem(models.Model):
    """Something the comms team suggests ambassadors share, with texts in three languages,
    for a department or everyone, until its end date."""

    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)
    text_nl = models.TextField(_("suggested text (Dutch)"), blank=True)
    text_fr = models.TextField(_("suggested text (French)"), blank=True)
    text_en = models.TextField(_("suggested text (English)"), blank=True)
    department = models.CharField(_("for department"), max_length=120, blank=True,
                                  help_text=_("Empty: everyone."))
    ends_on = models.DateField(_("show until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def text(self, language: str) -> str:
        return _in_language(self, "text", language)


class TrackedLink(models.Model):
    """Samen's short link for one (item, network, sharer). The target is stored when the link
    is issued and never taken from the request, so the redirect cannot be pointed elsewhere."""

    code = models.CharField(max_length=16, unique=True)
    item = models.ForeignKey(HubItem, on_delete=models.CASCADE, related_name="links")
    network = models.CharField(max_length=20, choices=Network.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    target_url = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "network", "person"],
                                               name="one_link_per_item_network_person")]

    def __str__(self) -> str:
        return self.code


class Share(models.Model):
    """A person opened a network's composer for an item through Samen (what they then post is
    up to them, on their own account)."""

    item = models.ForeignKey(HubItem, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    network = models.CharField(max_length=20, choices=Network.choices)
    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="shares")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.person} – {self.item} – {self.network}"


class Click(models.Model):
    """One counted visit of a tracked link. No IP address, user agent or cookie is stored:
    only salted hashes (with a daily salt that is deleted after two days, after which the
    hashes themselves are blanked), kept just long enough to count a visitor once per link per
    day."""

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    day = models.DateField()
    cookie_hash = models.CharField(max_length=64, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["link", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["link", "day", "cookie_hash"],
                                    condition=~Q(cookie_hash=""), name="one_click_per_cookie"),
        ]

    def __str__(self) -> str:
        return f"click {self.link_id} {self.day}"


class ClickSalt(models.Model):
    """The secret mixed into the day's click hashes; deleted after two days so old hashes can
    no longer be linked to anyone."""

    day = models.DateField(unique=True)
    value = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt {self.day}"
