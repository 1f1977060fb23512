"""Writes of insights: the daily rollups, report subscriptions and deliveries, scan rounds
and anonymous scan answers."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Person
from samen.core.roles import Role
from samen.insights import scan, selectors
from samen.insights.models import (
    DailyHashtagCount,
    DailyPostCount,
    HashtagBlockCount,
    ReportDelivery,
    ReportSubscription,
    ScanAnswerCount,
    ScanParticipation,
    ScanRound,
    WeeklyReportRun,
)
from samen.insights.scoring import SCORES

logger = logging.getLogger(__name__)

# --- rollups ------------------------------------------------------------------------------


# A rebuild of more days than this reads the whole post table once instead of a range query
# per day (posts imported out of time order are scattered over the table: ADR 0244).
BULK_REBUILD_DAYS = 31


def do_refresh_post_rollups(*, days: Iterable[date]) -> int:
    """Recompute the daily counts of the given days from the posts (idempotent: a day's rows
    are replaced as a whole, so running it twice, or after an edit or a deletion, is safe),
    and the hashtag weeks and 28-day blocks the days belong to, all in one transaction.

    Returns the number of days refreshed. Not in the audit log: it is bookkeeping, not a
    decision anyone made.
    """
    wanted = sorted(set(days))
    with transaction.atomic():
        for day in wanted:
            counts = selectors.post_counts_on(day)
            tags = selectors.hashtag_counts_on(day)
            _replace_days([day], counts=[{**r, "day": day} for r in counts],
                          tags=[(day, s, lang, tag, n) for s, lang, tag, n in tags])
        # Once for all the days: a week (and its 28-day block) is summed once, not per day.
        _refresh_blocks(weeks={selectors.block_start(day, 7) for day in wanted})
    return len(wanted)


def _replace_days(days: list[date], *, counts: list[dict[str, Any]],
                  tags: list[tuple[date | None, str, str, str, int]]) -> None:
    DailyPostCount.objects.filter(day__in=days).delete()
    DailyHashtagCount.objects.filter(day__in=days).delete()
    _write_days(counts=counts, tags=tags)


def _write_days(*, counts: list[dict[str, Any]],
                tags: list[tuple[date | None, str, str, str, int]]) -> None:
    DailyPostCount.objects.bulk_create([
        DailyPostCount(day=r["day"], source=r["source"], direction=r["direction"],
                       language=r["language"] or "", sentiment=r["sentiment"] or "",
                       count=r["n"])
        for r in counts
    ], batch_size=2000)
    DailyHashtagCount.objects.bulk_create([
        DailyHashtagCount(day=d, source=s, language=lang, tag=tag, count=n)
        for d, s, lang, tag, n in tags if d is not None
    ], batch_size=2000)


def _refresh_blocks(*, weeks: set[date]) -> None:
    """Recompute hashtag weeks from their days, then the 28-day blocks holding them from
    their four weeks, summed in the database (INSERT ... SELECT ... GROUP BY)."""
    for week in sorted(weeks):
        _sum_into_block(7, week, DailyHashtagCount.objects.filter(
            day__gte=week, day__lte=week + timedelta(days=6)))
    for block in sorted({selectors.block_start(w, 28) for w in weeks}):
        _sum_into_block(28, block, HashtagBlockCount.objects.filter(
            span=7, first_day__gte=block, first_day__lte=block + timedelta(days=21)))


def _sum_into_block(span: int, first: date, parts: Any) -> None:
    HashtagBlockCount.objects.filter(span=span, first_day=first).delete()
    grouped = parts.order_by().values("source", "language", "tag").annotate(n=Sum("count"))
    sql, params = grouped.query.sql_with_params()
    table = HashtagBlockCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (first_day, span, source, language, tag, "count") '  # noqa: S608
            f"SELECT %s, %s, g.source, g.language, g.tag, g.n FROM ({sql}) g",
            [connection.ops.adapt_datefield_value(first), span, *params])


def do_rebuild_post_rollups(*, since: date | None = None) -> int:
    """Rebuild the rollups of every day that has posts (from ``since`` on, if given).

    Many days are rebuilt from one pass over the posts, grouped by local day in the
    database; a few days by ``do_refresh_post_rollups``. Both give the same rows (tested)."""
    span = selectors.post_day_span()
    if span is None:
        with transaction.atomic():
            for model in (DailyPostCount, DailyHashtagCount):
                model.objects.filter(day__gte=since or date.min).delete()
            HashtagBlockCount.objects.filter(
                first_day__gte=selectors.block_start(since, 28) if since else date.min).delete()
        return 0
    first, last = span
    if since is not None:
        first = max(first, since)
    stale = set(DailyPostCount.objects.filter(day__gte=first).values_list("day", flat=True))
    days = {first + timedelta(days=i) for i in range((last - first).days + 1)} | stale
    if len(days) <= BULK_REBUILD_DAYS:
        return do_refresh_post_rollups(days=days)
    counts = selectors.post_counts_from(first if since is not None else None)
    tags = selectors.hashtag_counts_from(first if since is not None else None)
    with transaction.atomic():
        DailyPostCount.objects.filter(day__gte=first).delete()
        DailyHashtagCount.objects.filter(day__gte=first).delete()
        if since is None:  # a day before the first post can only hold stale rows
            DailyPostCount.objects.all().delete()
            DailyHashtagCount.objects.all().delete()
            HashtagBlockCount.objects.all().delete()
        _write_days(counts=[r for r in counts if r["day"] >= first],
                    tags=[t for t in tags if t[0] is not None and t[0] >= first])
        _refresh_blocks(weeks={selectors.block_start(d, 7) for d in days})
    return len(days)


def on_posts_stored(*, post_ids: list[int], new_post_ids: list[int] | None = None) -> None:
    """Keep the rollups of the days these posts belong to up to date (ADR 0246).

    Posts this batch inserted (``new_post_ids``) are *added* to their day, week and 28-day
    rows, so the cost follows the batch, not the day. Edited or deleted posts (the rest of
    ``post_ids``), or a sender that does not say which posts are new, recount their days.
    """
    if not post_ids:
        return
    new = set(new_post_ids or ())
    changed = [pk for pk in post_ids if pk not in new]
    recount = selectors.days_of_posts(changed) if changed or new_post_ids is None else set()
    if new_post_ids is None:
        do_refresh_post_rollups(days=recount)
        return
    if recount:
        do_refresh_post_rollups(days=recount)
    if new:
        do_add_new_posts(post_ids=sorted(new), skip_days=recount)


def do_add_new_posts(*, post_ids: list[int], skip_days: Collection[date] = ()) -> set[date]:
    """Add newly inserted posts to the daily, week and 28-day rows with atomic upserts
    (``INSERT ... ON CONFLICT DO UPDATE SET count = count + delta``), so two processes adding
    at the same time both count. Call it once per post: it is not idempotent by itself; the
    ingest only reports a post as new to the one batch whose INSERT stored it.

    Days in ``skip_days`` are left alone (they were just recounted, these posts included).
    Healing: the first time a day gets rows, the day before it is recounted once, which
    repairs an increment lost to a crash between the ingest's commit and this call.
    Returns the days whose rows changed.
    """
    day = selectors.local_day_of_batch(post_ids)  # one span query for both counts
    counts = [r for r in selectors.post_counts_of(post_ids, day=day)
              if r["day"] not in skip_days]
    tags = [t for t in selectors.hashtag_counts_of(post_ids, day=day)
            if t[0] is not None and t[0] not in skip_days]
    days = {r["day"] for r in counts}
    if not days:
        return set()
    fresh = days - selectors.days_with_rollups(days)
    post_rows = _summed(((r["day"], r["source"], r["direction"], r["language"] or "",
                          r["sentiment"] or ""), r["n"]) for r in counts)
    tag_rows = _summed(((d, s, lang, tag), n) for d, s, lang, tag, n in tags)
    block_rows = _summed(((span, selectors.block_start(d, span), s, lang, tag), n)
                         for d, s, lang, tag, n in tags if d is not None for span in (7, 28))
    with transaction.atomic():
        # Sorted, so two processes lock the rows in the same order and never deadlock.
        _upsert(DailyPostCount, ("day", "source", "direction", "language", "sentiment"),
                post_rows)
        _upsert(DailyHashtagCount, ("day", "source", "language", "tag"), tag_rows)
        _upsert(HashtagBlockCount, ("span", "first_day", "source", "language", "tag"),
                block_rows)
    heal = {d - timedelta(days=1) for d in fresh} - days - set(skip_days)
    if heal:
        do_refresh_post_rollups(days=heal)
    return days


def _summed(pairs: Iterable[tuple[tuple[Any, ...], int]]) -> list[tuple[Any, ...]]:
    total: dict[tuple[Any, ...], int] = {}
    for key, n in pairs:
        total[key] = total.get(key, 0) + int(n)
    return [(*key, n) for key, n in sorted(total.items()) if n]


def _upsert(model: Any, key: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Add each row's last value to ``count`` of the row with the same key, creating it when
    missing, in one statement per row that the database applies atomically (SQLite >= 3.24
    and PostgreSQL share this syntax)."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(k) for k in key)
    count = ops.quote_name("count")
    marks = ", ".join(["%s"] * (len(key) + 1))
    sql = (f"INSERT INTO {table} ({names}, {count}) VALUES ({marks}) "  # noqa: S608
           f"ON CONFLICT ({names}) DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}")
    dates = {i for i, k in enumerate(key) if k in ("day", "first_day")}
    params = [[ops.adapt_datefield_value(v) if i in dates else v for i, v in enumerate(row)]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


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


# The weekly report goes out by itself on Monday from this hour (local time), queued by the
# worker's periodic check.
REPORT_HOUR = 7
# A queued report that has not finished after this long is queued again (its worker died);
# deliveries are unique per person and week, so nobody gets it twice.
REQUEUE_AFTER = timedelta(hours=2)


def report_due(now: datetime | None = None) -> tuple[date, datetime]:
    """The week whose report is the latest to be due at ``now``, and since when it is due
    (Monday ``REPORT_HOUR``:00 after that week)."""
    local = timezone.localtime(now or timezone.now())
    week = last_full_week(local.date())
    due = timezone.make_aware(datetime.combine(week + timedelta(days=7), time(REPORT_HOUR)),
                              timezone.get_default_timezone())
    if local < due:  # Monday before the hour: the report due is the week before's
        week -= timedelta(days=7)
        due -= timedelta(days=7)
    return week, due


def do_queue_weekly_report(*, now: datetime | None = None) -> bool:
    """Queue the due weekly report once (the worker calls this every minute): the first
    worker to insert the week's ``WeeklyReportRun`` queues it; others, and the same worker
    after a restart, find the row and do nothing. Returns whether this call queued it."""
    from samen.insights import tasks

    now = now or timezone.now()
    week, _due = report_due(now)
    run = WeeklyReportRun.objects.filter(week_start=week).first()
    if run is None:
        try:
            with transaction.atomic():
                WeeklyReportRun.objects.create(week_start=week, queued_at=now)
        except IntegrityError:
            return False  # another worker was first
    elif run.finished_at is not None or run.queued_at > now - REQUEUE_AFTER:
        return False
    elif not WeeklyReportRun.objects.filter(pk=run.pk, queued_at=run.queued_at) \
            .update(queued_at=now):
        return False  # another worker queued it again just now
    tasks.send_scheduled_weekly_report.enqueue(week_start=week.isoformat())
    logger.info("Queued the weekly report of %s", week)
    return True


def do_send_scheduled_weekly_report(*, week_start: date) -> int:
    """The queued run: send (to whoever has not got it yet) and mark the week done."""
    sent = do_send_weekly_reports(week_start=week_start)
    WeeklyReportRun.objects.filter(week_start=week_start).update(
        finished_at=timezone.now(), sent=F("sent") + sent)
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
