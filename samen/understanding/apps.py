from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnderstandingConfig(AppConfig):
    name = "samen.understanding"
    label = "understanding"
    verbose_name = _("Understanding")

    def ready(self) -> None:
        from samen.understanding import receivers  # noqa: F401 - connects the receivers

        _register_enricher()


def _register_enricher() -> None:
    """Let the ingest fill the enrichment columns as it stores posts, when it offers the hook
    (``sources.ingest.register_enricher``); otherwise ``do_understand_posts`` fills them."""
    try:
        from samen.sources.ingest import register_enricher  # type: ignore[attr-defined]
    except ImportError:
        return
    from samen.understanding.enrich import enrich_many

    def enricher(posts):  # type: ignore[no-untyped-def]
        return [{"language": e.language or "", "sentiment": e.sentiment,
                 "sentiment_confidence": e.sentiment_confidence, "intent": e.intent,
                 "urgent": e.urgent, "urgency_reasons": e.urgency_reasons}
                for e in enrich_many(posts)]

    register_enricher(enricher)
