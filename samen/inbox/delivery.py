"""The one narrow seam between a reply and the network: :func:`send_reply`.

It dispatches on ``account.provider`` to the connector framework of ``samen.sources``
(``samen.sources.base.get_provider(key).connector(AccountConfig(...)).send(OutgoingPost)``), as
designed on the sources branch. Until that framework is merged the import fails and sending
raises :class:`DeliveryError` with a clear reason, so a reply fails visibly (and can be
retried later) instead of being lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samen.inbox.models import Reply


class DeliveryError(Exception):
    """Sending failed; ``reason`` is shown to the agent; ``retryable`` says whether to offer
    a retry (auth errors are not worth retrying until the account is fixed)."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def send_reply(reply: Reply) -> tuple[str, str]:
    """Publish ``reply`` from its conversation's account; return (external id, url)."""
    account = reply.conversation.account
    if account is None:
        raise DeliveryError("This conversation has no account to reply from.", retryable=False)
    try:
        from samen.sources import base  # type: ignore[attr-defined]
    except ImportError:
        raise DeliveryError(
            f"No connector for {account.provider} is installed yet; the reply is kept and can "
            "be retried.") from None
    config: Any = base.AccountConfig(
        provider=account.provider, base_url=account.base_url, handle=account.handle,
        credentials=dict(account.credentials or {}),
        options={"idempotency_key": reply.idempotency_key},
    )
    try:
        connector = base.get_provider(account.provider).connector(config)
        sent = connector.send(base.OutgoingPost(
            text=reply.text, reply_to_id=reply.in_reply_to_external_id or None,
            lang=reply.language or None,
        ))
    except base.AuthError as exc:
        raise DeliveryError(exc.reason, retryable=False) from exc
    except base.SourceError as exc:
        raise DeliveryError(exc.reason) from exc
    return sent.external_id, sent.url
