"""Peer learning: lunch sessions hosted by the organisation's own enthusiasts ("champions"),
RSVPs with a waiting list, materials and feedback; and a course library with each person's
own list of courses done."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Session(models.Model):
    """A lunch session proposed by a colleague, who hosts it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # iCalendar UID
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="hosted_sessions", verbose_name=_("host"))
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices,
                             default=Level.BEGINNER)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.topic

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class RsvpStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITING = "waiting", _("On the waiting list")


class Rsvp(models.Model):
    """A colleague's place at a session, or on its waiting list (first come, first served)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="rsvps")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="session_rsvps")
    status = models.CharField(max_length=10, choices=RsvpStatus.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"],
                                               name="one_rsvp_per_person")]

    def __str__(self) -> str:
        return f"{self.person} – {self.session} ({self.status})"


class Material(models.Model):
    """A link the host adds after (or before) the session: slides, a recording, a how-to."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.title


class Feedback(models.Model):
    """An attendee's short feedback after the session: 1 to 5 and a comment."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"],
                                               name="one_feedback_per_person")]

    def __str__(self) -> str:
        return f"{self.session} – {self.rating}"


class Course(models.Model):
    """A free online course or one of the organisation's own materials."""

    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)
    provider = models.CharField(_("by"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    network = models.CharField(_("network"), max_length=40, blank=True,
                               help_text=_("Empty: about social media in general."))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices,
                             default=Level.BEGINNER)
    language = models.CharField(_("language"), max_length=8, blank=True)
    own_material = models.BooleanField(_("our own material"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CourseDone(models.Model):
    """A person marked a course as done (for themselves)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "person"],
                                               name="one_done_per_person")]

    def __str__(self) -> str:
        return f"{self.person} – {self.course}"
