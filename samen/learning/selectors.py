"""Reads of peer learning."""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from samen.core.models import Person
from samen.learning.models import Course, CourseDone, Rsvp, RsvpStatus, Session

_GOING = Q(rsvps__status=RsvpStatus.GOING)


def _annotated() -> QuerySet[Session]:
    return Session.objects.select_related("host").annotate(
        going=Count("rsvps", filter=_GOING, distinct=True),
        waiting=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.WAITING), distinct=True),
    )


def upcoming_sessions() -> QuerySet[Session]:
    return _annotated().filter(ends_at__gte=timezone.now()).order_by("starts_at")


def past_sessions() -> QuerySet[Session]:
    return _annotated().filter(ends_at__lt=timezone.now()).order_by("-starts_at")


def session_detail(pk: int) -> Session:
    return _annotated().prefetch_related("materials").get(pk=pk)


def rsvp_of(*, person: Person, session: Session) -> Rsvp | None:
    return Rsvp.objects.filter(person=person, session=session).first()


def waiting_position(rsvp: Rsvp) -> int:
    return Rsvp.objects.filter(session=rsvp.session, status=RsvpStatus.WAITING).filter(
        Q(at__lt=rsvp.at) | Q(at=rsvp.at, id__lt=rsvp.id)).count() + 1


def feedback_summary(session: Session) -> dict[str, object]:
    agg = session.feedback.aggregate(avg=Avg("rating"), n=Count("id"))
    return {"average": agg["avg"], "count": agg["n"],
            "comments": list(session.feedback.exclude(comment="").values_list("comment",
                                                                               flat=True))}


def attendees(session: Session) -> QuerySet[Person]:
    return Person.objects.filter(session_rsvps__session=session,
                                 session_rsvps__status=RsvpStatus.GOING)


def champions() -> list[dict[str, object]]:
    """Hosts of sessions held, with their sessions, attendance and average rating: for the
    managers' page ("let them shine")."""
    now = timezone.now()
    held = (Session.objects.filter(ends_at__lt=now).values("host")
            .annotate(sessions=Count("id", distinct=True),
                      attendance=Count("rsvps", filter=_GOING, distinct=True)))
    # Ratings in their own query: joining RSVPs and feedback at once would repeat ratings.
    ratings = dict(Session.objects.filter(ends_at__lt=now).values_list("host")
                   .annotate(r=Avg("feedback__rating")).order_by())
    hosts = {p.pk: p for p in Person.objects.filter(pk__in=[r["host"] for r in held])}
    rows = [{"person": hosts[r["host"]], "sessions": r["sessions"],
             "attendance": r["attendance"], "rating": ratings.get(r["host"])} for r in held]
    rows.sort(key=lambda r: (-int(r["sessions"]), -int(r["attendance"])))  # type: ignore[call-overload]
    return rows


def courses(*, network: str = "", level: str = "") -> QuerySet[Course]:
    qs = Course.objects.all()
    if network:
        qs = qs.filter(network=network)
    if level:
        qs = qs.filter(level=level)
    return qs


def course_networks() -> list[str]:
    return sorted(set(Course.objects.exclude(network="").values_list("network", flat=True)))


def done_course_ids(person: Person) -> set[int]:
    return set(CourseDone.objects.filter(person=person).values_list("course_id", flat=True))
