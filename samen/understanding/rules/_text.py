"""Folding and tokenising for the rule language, until the shared ``understanding.text`` lands.

The rule parser and the post view must cut text into words the same way, or a rule word would
never meet its post word. The shared module ``samen.understanding.text`` is the one place for
that; this private stand-in keeps the same contract (lower-case, compatibility decomposition
with combining marks removed so é = e, ß = ss; words are runs of ``\\w``) and is used only when
the shared module is not there yet.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "hashtags", "mentions", "tokens"]

try:  # the shared implementation, when present
    from samen.understanding.text import fold as _shared_fold
    from samen.understanding.text import tokens as _shared_tokens
except ImportError:  # pragma: no cover - depends on which branch is checked out
    _shared_fold = None
    _shared_tokens = None

_WORD_RE = re.compile(r"\w+")


def _own_fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("ß", "ss").lower()


def _own_tokens(text: str) -> list[str]:
    return _WORD_RE.findall(_own_fold(text))


fold = _shared_fold or _own_fold
tokens = _shared_tokens or _own_tokens

_HASHTAG_RE = re.compile(r"(?<![\w&/#])[#＃](\w*[^\W\d]\w*)")
_MENTION_RE = re.compile(r"(?<![\w@/.])@(\w[\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?)")


def hashtags(text: str) -> list[str]:
    """Folded hashtags without ``#``, in order, without duplicates."""
    if "#" not in text and "＃" not in text:
        return []
    return list(dict.fromkeys(fold(t) for t in _HASHTAG_RE.findall(text)))


def mentions(text: str) -> list[str]:
    """Folded mentioned handles without the leading ``@``."""
    if "@" not in text:
        return []
    return list(dict.fromkeys(fold(m.rstrip(".-")) for m in _MENTION_RE.findall(text)))
