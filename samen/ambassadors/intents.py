"""Share and compose intents of each network: pure functions, no Django, so they are easy to
test with any text (spaces, &, #, emoji, accents).

Each intent opens the network's own composer in the person's own account; Samen never posts for
them. Text is percent-encoded as UTF-8 with nothing left "safe", so ``&``, ``#``, ``+`` and
``?`` in a message can never break out of the ``text`` parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

NETWORKS = ("mastodon", "bluesky", "linkedin", "x", "facebook")

# A host name: labels of letters, digits and hyphens, at least one dot; optional port.
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                   r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?$")


class IntentError(ValueError):
    """The intent cannot be built (unknown network, missing or invalid Mastodon instance)."""


def _q(value: str) -> str:
    return quote(value, safe="")


def normalise_instance(value: str) -> str:
    """``social.example``, ``https://social.example/`` or ``@me@social.example`` →
    ``https://social.example``. Raises :class:`IntentError` on anything that is not a plain
    host (no path, no credentials, no other scheme), so the share link cannot be steered."""
    raw = value.strip()
    if not raw:
        raise IntentError("empty instance")
    if raw.startswith("@") and raw.count("@") == 2:
        raw = raw.rsplit("@", 1)[1]
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = (parts.netloc or "").lower()
    if parts.scheme != "https" or parts.path not in ("", "/") or parts.query or parts.fragment \
            or "@" in host or not _HOST.match(host):
        raise IntentError(f"not a Mastodon instance address: {value!r}")
    return f"https://{host}"


@dataclass(frozen=True)
class Composed:
    network: str
    text: str  # the message as the person wrote it, without the link
    link: str  # the tracked short link


def message_with_link(text: str, link: str) -> str:
    """The text followed by the link, unless the person already put the link in."""
    text = text.strip()
    if link in text:
        return text
    return f"{text} {link}".strip()


def intent_url(*, network: str, text: str, link: str, mastodon_instance: str = "") -> str:
    """The URL that opens ``network``'s composer with ``text`` and ``link`` filled in."""
    if network == "mastodon":
        if not mastodon_instance:
            raise IntentError("no Mastodon instance set")
        base = normalise_instance(mastodon_instance)
        return f"{base}/share?text={_q(message_with_link(text, link))}"
    if network == "bluesky":
        return f"https://bsky.app/intent/compose?text={_q(message_with_link(text, link))}"
    if network == "x":
        return f"https://x.com/intent/post?text={_q(text.strip())}&url={_q(link)}"
    if network == "linkedin":
        return f"https://www.linkedin.com/sharing/share-offsite/?url={_q(link)}"
    if network == "facebook":
        return f"https://www.facebook.com/sharer/sharer.php?u={_q(link)}"
    raise IntentError(f"unknown network: {network!r}")
