"""Background tasks of insights: thin shells around actions (STYLE.md)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from samen.insights import actions


@task()
def send_weekly_reports(*, week_start: str = "") -> int:
    """E-mail last week's report (or the week of ``week_start``) to every subscriber."""
    return actions.do_send_weekly_reports(
        week_start=date.fromisoformat(week_start) if week_start else None)


@task()
def rebuild_rollups(*, since: str = "") -> int:
    """Rebuild the daily aggregates behind the dashboard (after an import, a restore)."""
    return actions.do_rebuild_post_rollups(
        since=date.fromisoformat(since) if since else None)


@task()
def send_scheduled_weekly_report(*, week_start: str) -> int:
    """Queued by the worker's periodic check on Monday morning (``do_queue_weekly_report``)."""
    return actions.do_send_scheduled_weekly_report(week_start=date.fromisoformat(week_start))
