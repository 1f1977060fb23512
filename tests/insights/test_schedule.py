"""The weekly report goes out by itself: every worker checks each minute, and the report of
a week is queued once, on Monday morning, whatever the number of workers or restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from samen.core import worker
from samen.core.roles import Role
from samen.insights import actions
from samen.insights.models import ReportDelivery, WeeklyReportRun
from tests.factories import make_person

pytestmark = pytest.mark.django_db

# Monday 9 November 2026, in Brussels (UTC+1): the report of the week of 2 November is due
# from 07:00 local time, 06:00 UTC.
BEFORE = datetime(2026, 11, 9, 5, 59, tzinfo=UTC)
DUE = datetime(2026, 11, 9, 6, 0, tzinfo=UTC)


def queued() -> list[str]:
    return [t.args_kwargs["kwargs"]["week_start"] for t in DBTaskResult.objects.filter(
        task_path="samen.insights.tasks.send_scheduled_weekly_report")]


def test_the_report_of_last_week_is_due_on_monday_morning():
    assert actions.report_due(BEFORE) == (date(2026, 10, 26),
                                          datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    assert actions.report_due(DUE) == (date(2026, 11, 2), DUE)
    assert actions.report_due(DUE + timedelta(days=3))[0] == date(2026, 11, 2)


def test_it_is_queued_once_whatever_the_workers_and_restarts():
    WeeklyReportRun.objects.create(week_start=date(2026, 10, 26), queued_at=BEFORE,
                                   finished_at=BEFORE)
    assert not actions.do_queue_weekly_report(now=BEFORE)  # last week's is done already
    assert actions.do_queue_weekly_report(now=DUE)
    # a second worker a minute later, or the same one after a restart
    assert not actions.do_queue_weekly_report(now=DUE + timedelta(minutes=1))
    assert not actions.do_queue_weekly_report(now=DUE + timedelta(minutes=90))
    assert queued() == ["2026-11-02"]


def test_a_report_lost_with_its_worker_is_queued_again_and_nobody_gets_it_twice():
    sofie = make_person(Role.MANAGER, username="sofie", language="nl", password=None)
    actions.do_subscribe(person=sofie, by=sofie)
    assert actions.do_queue_weekly_report(now=DUE)
    # the worker died before the task ran; hours later another worker queues it again
    later = DUE + actions.REQUEUE_AFTER + timedelta(minutes=1)
    assert actions.do_queue_weekly_report(now=later)
    assert queued() == ["2026-11-02", "2026-11-02"]
    # both copies run: one e-mail
    assert actions.do_send_scheduled_weekly_report(week_start=date(2026, 11, 2)) == 1
    assert actions.do_send_scheduled_weekly_report(week_start=date(2026, 11, 2)) == 0
    assert len(mail.outbox) == 1
    assert ReportDelivery.objects.filter(person=sofie, week_start=date(2026, 11, 2)).exists()
    run = WeeklyReportRun.objects.get(week_start=date(2026, 11, 2))
    assert run.finished_at is not None and run.sent == 1
    assert not actions.do_queue_weekly_report(now=later + timedelta(hours=5))


def test_every_worker_runs_the_check():
    assert any(getattr(c, "__name__", "") == "_queue_weekly_report" for c in worker._periodic)
    calls = []
    worker.every_minute(lambda: calls.append(1) or 1 / 0)  # a failing check ...
    try:
        worker.run_periodic()  # ... is logged, and does not stop the others
    finally:
        worker._periodic.pop()
    assert calls == [1]
    assert WeeklyReportRun.objects.count() == 1
