"""Writes of insights: the daily rollups, report subscriptions and deliveries, scan rounds
and anonymous scan answers."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Person
from samen.core.roles import Role
from samen.insights import scan, selectors
from samen.insights.models import (
    DailyHashtagCount,
    DailyPostCount,
    ReportDelivery,
    ReportSubscription,
    ScanAnswerCount,
    ScanParticipation,
    ScanRound,
)
from samen.insights.scoring import SCORES

logger = logging.getLogger(__name__)

# --- rollups ------------------------------------------------------------------------------


def do_refresh_post_rollups(*, days: Iterable[date]) -> int:
    """Recompute the daily counts of the given days from the posts (idempotent: a day's rows
    are replaced as a whole, so running it twice, or after an edit or a deletion, is safe).

    Returns the number of days refreshed. Not in the audit log: it is bookkeeping, not a
    decision anyone made.
    """
    done = 0
    for day in sorted(set(days)):
        counts = selectors.post_counts_on(day)
        tags = selectors.hashtag_counts_on(day)
        with transaction.atomic():
            DailyPostCount.objects.filter(day=day).delete()
            DailyHashtagCount.objects.filter(day=day).delete()
            DailyPostCount.objects.bulk_create([
                DailyPostCount(day=day, source=r["source"], direction=r["direction"],
                               language=r["language"] or "", sentiment=r["sentiment"] or "",
                               count=r["n"])
                for r in counts
            ])
            DailyHashtagCount.objects.bulk_create([
                DailyHashtagCount(day=day, source=s, language=lang, tag=tag, count=n)
                for s, lang, tag, n in tags
            ], batch_size=500)
        done += 1
    return done


def do_rebuild_post_rollups(*, since: date | None = None) -> int:
    """Rebuild the rollups of every day that has posts (from ``since`` on, if given)."""
    span = selectors.post_day_span()
    if span is None:
        return 0
    first, last = span
    if since is not None:
        first = max(first, since)
    stale = set(DailyPostCount.objects.filter(day__gte=first).values_list("day", flat=True))
    days = {first + timedelta(days=i) for i in range((last - first).days + 1)} | stale
    return do_refresh_post_rollups(days=days)


def on_posts_stored(*, post_ids: list[int]) -> None:
    """Keep the rollups of the days these posts belong to up to date."""
    if post_ids:
        do_refresh_post_rollups(days=selectors.days_of_posts(post_ids))


# --- report subscriptions -----------------------------------------------------------------


@transaction.atomic
def do_subscribe(*, person: Person, by: Person) -> ReportSubscription:
    """Subscribe a manager or comms lead to the weekly report (in their own language)."""
    if not person.has_role(Role.MANAGER, Role.COMMS_LEAD):
        raise ValidationError(_("Only managers and the comms lead receive the weekly report."),
                              code="role")
    if not person.email:
        raise ValidationError(_("Add an e-mail address to your profile first."), code="email")
    subscription, created = ReportSubscription.objects.get_or_create(person=person)
    if created:
        audit.record(actor=by, action="insights.report.subscribed", target=person)
    return subscription


@transaction.atomic
def do_unsubscribe(*, person: Person, by: Person) -> bool:
    deleted, _detail = ReportSubscription.objects.filter(person=person).delete()
    if deleted:
        audit.record(actor=by, action="insights.report.unsubscribed", target=person)
    return bool(deleted)


def last_full_week(today: date | None = None) -> date:
    """Monday of the last week that has ended."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def do_send_weekly_reports(*, week_start: date | None = None) -> int:
    """Send the weekly report of ``week_start`` (default: last full week) to every
    subscriber, each in their own language, once: a second run sends nothing new.

    Returns how many e-mails went out.
    """
    from samen.insights import report

    week_start = week_start or last_full_week()
    if week_start.weekday() != 0:
        raise ValidationError(_("A report week starts on a Monday."), code="week")
    do_refresh_post_rollups(days=[week_start - timedelta(days=7 - i) for i in range(14)])
    sent = 0
    pdf_per_language: dict[str, bytes] = {}
    for person in selectors.subscribers():
        if ReportDelivery.objects.filter(person=person, week_start=week_start).exists():
            continue
        language = report.language_for(person)
        if language not in pdf_per_language:
            pdf_per_language[language] = report.weekly_pdf(week_start=week_start,
                                                           language=language)
        with translation.override(language):
            subject = _("Samen weekly report, week of %(date)s") % {
                "date": week_start.isoformat()}
            body = _("Hello %(name)s,\n\nAttached is the weekly report of Samen: the headline "
                     "numbers, what changed since the week before, notable conversations, "
                     "alerts and ambassador activity.\n\nYou receive it because you "
                     "subscribed in Samen (Insights > Weekly report).") % {"name": str(person)}
        try:
            with transaction.atomic():
                ReportDelivery.objects.create(person=person, week_start=week_start)
                message = EmailMessage(subject, body, None, [person.email])
                message.attach(f"samen-{week_start.isoformat()}-{language}.pdf",
                               pdf_per_language[language], "application/pdf")
                message.send(fail_silently=False)
        except IntegrityError:
            continue  # another worker sent this one already
        sent += 1
    return sent


# --- the maturity scan --------------------------------------------------------------------


@transaction.atomic
def do_open_scan_round(*, name: str, by: Person, min_respondents: int = 5) -> ScanRound:
    """Open a round. Only one round is open at a time; every counter starts at zero now,
    so the order of rows in the table says nothing about who answered first."""
    if not by.has_role(Role.COMMS_LEAD):
        raise ValidationError(_("Only the comms lead opens scan rounds."), code="role")
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the round a name."), code="name")
    if min_respondents < 3:
        raise ValidationError(_("At least three respondents are needed to keep answers "
                                "anonymous."), code="minimum")
    if ScanRound.objects.select_for_update().filter(state=ScanRound.State.OPEN).exists():
        raise ValidationError(_("Close the open round first."), code="open")
    scan_round = ScanRound.objects.create(name=name, min_respondents=min_respondents)
    ScanAnswerCount.objects.bulk_create([
        ScanAnswerCount(round=scan_round, question=s.key, score=score, count=0)
        for s in scan.STATEMENTS for score in SCORES
    ])
    audit.record(actor=by, action="insights.scan.opened", target=scan_round,
                 data={"min_respondents": min_respondents})
    return scan_round


@transaction.atomic
def do_close_scan_round(*, scan_round: ScanRound, by: Person) -> ScanRound:
    if not by.has_role(Role.COMMS_LEAD):
        raise ValidationError(_("Only the comms lead closes scan rounds."), code="role")
    scan_round = ScanRound.objects.select_for_update().get(pk=scan_round.pk)
    if scan_round.state == ScanRound.State.CLOSED:
        return scan_round
    scan_round.state = ScanRound.State.CLOSED
    scan_round.closed_at = timezone.now()
    scan_round.save(update_fields=["state", "closed_at"])
    audit.record(actor=by, action="insights.scan.closed", target=scan_round,
                 data={"respondents": selectors.respondents(scan_round)})
    return scan_round


@transaction.atomic
def do_answer_scan(*, scan_round: ScanRound, person: Person, answers: Mapping[str, int]) -> None:
    """Add one person's answers to the round's counters, anonymously.

    Preconditions: the round is open, the person has not answered it yet, and every
    statement has a score from 1 to 5. Writes only a keyed-hash participation token and
    +1 on one counter per statement; deliberately *not* in the audit log, which would
    tie the person to the moment of answering.
    """
    scan_round = ScanRound.objects.select_for_update().get(pk=scan_round.pk)
    if scan_round.state != ScanRound.State.OPEN:
        raise ValidationError(_("This scan round is closed."), code="closed")
    keys = scan.statement_keys()
    if set(answers) != keys:
        raise ValidationError(_("Please answer every statement."), code="incomplete")
    if any(score not in SCORES for score in answers.values()):
        raise ValidationError(_("Scores run from 1 to 5."), code="score")
    token = selectors.participation_token(round_id=scan_round.pk, person_id=person.pk)
    try:
        with transaction.atomic():
            ScanParticipation.objects.create(round=scan_round, token=token)
    except IntegrityError:
        raise ValidationError(_("You have already answered this round. Thank you!"),
                              code="answered") from None
    for question, score in answers.items():
        updated = ScanAnswerCount.objects.filter(round=scan_round, question=question,
                                                 score=score).update(count=F("count") + 1)
        if not updated:  # a statement added after the round opened
            ScanAnswerCount.objects.create(round=scan_round, question=question, score=score,
                                           count=1)
