"""Contacts: the people behind the posts, with their handles on every network."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samen.inbox.models._append_only import AppendOnlyModel


class ContactKind(models.TextChoices):
    PERSON = "person", _("Person")
    PRESS = "press", _("Press")
    PUBLIC_FIGURE = "public_figure", _("Public figure")
    ORGANISATION = "organisation", _("Organisation")


class Contact(models.Model):
    """A customer or citizen: one person however many networks they write from.

    ``merged_into`` is set when a colleague merged this contact into another; the row stays so
    the history of the merge can be shown and undone by splitting handles off again.
    """

    display_name = models.CharField(_("name"), max_length=300)
    language = models.CharField(_("language preference"), max_length=8, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices,
                            default=ContactKind.PERSON)
    followers = models.PositiveIntegerField(_("reach (followers)"), default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_contacts")
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("contact")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class ContactHandle(models.Model):
    """One handle on one network; unique, so a post's author finds exactly one contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="handles")
    network = models.CharField(_("network"), max_length=20)
    handle = models.CharField(_("handle"), max_length=300)
    display_name = models.CharField(max_length=300, blank=True)
    # The network's own id for the author where it is global and stable (a Bluesky DID), so
    # the contact is found again when the handle changes; empty elsewhere.
    external_id = models.CharField(max_length=300, blank=True, default="")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["network", "handle"],
                                               name="inbox_handle_unique_per_network")]
        indexes = [models.Index(fields=["network", "external_id"], name="inbox_handle_stable_id")]
        ordering = ["network", "handle"]

    def __str__(self) -> str:
        return f"{self.handle} ({self.network})"


class ContactEvent(AppendOnlyModel):
    """History of a contact: created, merged, split, edited. Append-only."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)  # a key of LABELS
    data = models.JSONField(default=dict, blank=True)

    LABELS = {
        "created": _("contact created"),
        "edited": _("details edited"),
        "merged": _("another contact merged into this one"),
        "merged_into": _("merged into another contact"),
        "split": _("a handle split off"),
        "split_from": _("split off from another contact"),
        "handle_changed": _("handle changed on the network"),
    }

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind}"

    @property
    def label(self) -> str:
        """What happened, in the reader's language."""
        return str(self.LABELS.get(self.kind, self.kind))
