"""Writes of peer learning. Keyword-only, atomic, audited (STYLE.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samen.core.audit import record
from samen.core.models import Person
from samen.learning.models import (
    Course,
    CourseDone,
    Feedback,
    Material,
    Rsvp,
    RsvpStatus,
    Session,
)

REMINDER_BEFORE = timedelta(days=1)


@dataclass(frozen=True)
class SessionData:
    topic: str
    description: str
    level: str
    starts_at: datetime
    ends_at: datetime
    place: str
    video_url: str
    capacity: int


def _check(data: SessionData) -> None:
    if data.ends_at <= data.starts_at:
        raise ValidationError(_("The session must end after it starts."))
    if not (data.place.strip() or data.video_url.strip()):
        raise ValidationError(_("Give a place or a video link."))
    if data.capacity < 1:
        raise ValidationError(_("A session needs at least one place."))


@transaction.atomic
def do_propose_session(*, host: Person, data: SessionData) -> Session:
    """A colleague proposes a session they will host; it is open for RSVPs at once."""
    _check(data)
    if data.starts_at < timezone.now():
        raise ValidationError(_("The session must be in the future."))
    session = Session.objects.create(host=host, **data.__dict__)
    record(actor=host, action="learning.session.proposed", target=session,
           data={"starts_at": session.starts_at.isoformat(), "capacity": session.capacity})
    return session


def _schedule_reminder(rsvp: Rsvp) -> None:
    from samen.learning.tasks import send_session_reminder

    session = rsvp.session
    run_after = session.starts_at - REMINDER_BEFORE
    if run_after <= timezone.now():
        return  # less than a day ahead: the invitation itself is the reminder
    send_session_reminder.using(run_after=run_after).enqueue(
        rsvp_id=rsvp.pk, starts_at=session.starts_at.isoformat())


@transaction.atomic
def do_rsvp(*, person: Person, session: Session) -> Rsvp:
    """Take a place, or a place on the waiting list when the session is full. Idempotent."""
    # Lock the session so two colleagues cannot take the last place at once.
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_past:
        raise ValidationError(_("This session is over."))
    existing = Rsvp.objects.filter(session=session, person=person).first()
    if existing is not None:
        return existing
    going = Rsvp.objects.filter(session=session, status=RsvpStatus.GOING).count()
    status = RsvpStatus.GOING if going < session.capacity else RsvpStatus.WAITING
    rsvp = Rsvp.objects.create(session=session, person=person, status=status)
    record(actor=person, action="learning.rsvp.created", target=session,
           data={"status": status})
    if status == RsvpStatus.GOING:
        transaction.on_commit(lambda: _schedule_reminder(rsvp))
    return rsvp


@transaction.atomic
def do_cancel_rsvp(*, person: Person, session: Session) -> Rsvp | None:
    """Give up one's place; the first on the waiting list moves up. Returns who moved up."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    rsvp = Rsvp.objects.filter(session=session, person=person).first()
    if rsvp is None:
        return None
    was_going = rsvp.status == RsvpStatus.GOING
    rsvp.delete()
    record(actor=person, action="learning.rsvp.cancelled", target=session)
    if not was_going:
        return None
    nxt = (Rsvp.objects.filter(session=session, status=RsvpStatus.WAITING)
           .order_by("at", "id").first())
    if nxt is not None:
        nxt.status = RsvpStatus.GOING
        nxt.save(update_fields=["status"])
        record(actor=None, action="learning.rsvp.promoted", target=session,
               data={"person": nxt.person_id})
        transaction.on_commit(lambda: _schedule_reminder(nxt))
    return nxt


def do_send_reminder(*, rsvp_id: int, starts_at: str) -> bool:
    """Send the reminder if the RSVP still stands and the session did not move (a moved
    session has its own reminders). Returns True when an e-mail went out."""
    rsvp = Rsvp.objects.select_related("session", "person").filter(pk=rsvp_id).first()
    if rsvp is None or rsvp.status != RsvpStatus.GOING or not rsvp.person.email:
        return False
    session = rsvp.session
    if session.starts_at.isoformat() != starts_at:
        return False
    with translation.override(rsvp.person.language or settings.LANGUAGE_CODE):
        local = timezone.localtime(session.starts_at)
        subject = _("Tomorrow: %(topic)s") % {"topic": session.topic}
        body = _("Hello %(name)s,\n\nA reminder: the lunch session “%(topic)s” hosted by "
                 "%(host)s starts tomorrow at %(time)s.\nWhere: %(where)s\n\nSee you there!") % {
            "name": rsvp.person.get_full_name() or rsvp.person.username,
            "topic": session.topic, "host": session.host,
            "time": local.strftime("%H:%M"),
            "where": session.place or session.video_url,
        }
    send_mail(subject, body, None, [rsvp.person.email])
    return True


@transaction.atomic
def do_add_material(*, session: Session, title: str, url: str, by: Person) -> Material:
    if by.pk != session.host_id:
        raise ValidationError(_("Only the host can add materials."))
    material = Material.objects.create(session=session, title=title, url=url)
    record(actor=by, action="learning.material.added", target=session, data={"url": url})
    return material


@transaction.atomic
def do_give_feedback(*, session: Session, person: Person, rating: int,
                     comment: str) -> Feedback:
    """Attendees (people who had a place) give feedback once the session has ended; giving it
    again replaces the earlier feedback."""
    if not session.is_past:
        raise ValidationError(_("Feedback opens when the session is over."))
    if not Rsvp.objects.filter(session=session, person=person,
                               status=RsvpStatus.GOING).exists():
        raise ValidationError(_("Only attendees can give feedback."))
    if not 1 <= rating <= 5:
        raise ValidationError(_("Give a rating from 1 to 5."))
    feedback, _created = Feedback.objects.update_or_create(
        session=session, person=person, defaults={"rating": rating, "comment": comment})
    record(actor=person, action="learning.feedback.given", target=session,
           data={"rating": rating})
    return feedback


@transaction.atomic
def do_add_course(*, title: str, url: str, provider: str, description: str, network: str,
                  level: str, language: str, own_material: bool, by: Person) -> Course:
    course = Course.objects.create(title=title, url=url, provider=provider,
                                   description=description, network=network, level=level,
                                   language=language, own_material=own_material)
    record(actor=by, action="learning.course.added", target=course)
    return course


@transaction.atomic
def do_set_course_done(*, person: Person, course: Course, done: bool) -> None:
    """A person's own list; not audited, like the privacy checklists."""
    if done:
        CourseDone.objects.get_or_create(course=course, person=person)
    else:
        CourseDone.objects.filter(course=course, person=person).delete()
