import logging
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "samen.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from samen.core.worker import every_minute
        from samen.insights import registry
        from samen.sources.signals import posts_stored

        registry.autodiscover()
        posts_stored.connect(_refresh_rollups, dispatch_uid="insights.rollups")
        every_minute(_queue_weekly_report)


def _refresh_rollups(sender: Any, *, post_ids: list[int],
                     new_post_ids: list[int] | None = None, **kwargs: Any) -> None:
    """Keep the daily aggregates up to date as posts arrive (sent after commit).

    A failure here must never stop ingest: it is logged, and ``samen insights_rebuild``
    (or the recount of a day when the next day gets its first posts) puts the numbers
    right."""
    from samen.insights import actions

    try:
        actions.on_posts_stored(post_ids=post_ids, new_post_ids=new_post_ids)
    except Exception:
        logging.getLogger("samen.insights").exception(
            "Could not refresh the insights rollups for %d posts", len(post_ids))


def _queue_weekly_report() -> None:
    """Run by every worker about once a minute: queue last week's report when it is due."""
    from samen.insights import actions

    actions.do_queue_weekly_report()
