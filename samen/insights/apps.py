from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "samen.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from samen.insights import registry
        from samen.sources.signals import posts_stored

        registry.autodiscover()
        posts_stored.connect(_refresh_rollups, dispatch_uid="insights.rollups")


def _refresh_rollups(sender: Any, *, post_ids: list[int], **kwargs: Any) -> None:
    """Keep the daily aggregates up to date as posts arrive (sent after commit)."""
    from samen.insights import actions

    actions.on_posts_stored(post_ids=post_ids)
