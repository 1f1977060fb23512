"""Folding and tokenising for the rule language: the shared ``understanding.text`` functions.

The rule parser and the post view must cut text into words the same way, or a rule word would
never meet its post word; ``samen.understanding.text`` is the one place for that.
"""

from __future__ import annotations

import re

from samen.understanding.text import fold, tokens

__all__ = ["fold", "hashtags", "mentions", "tokens"]

# Each pattern starts with a look-ahead for the character a match starts with: the same
# matches (tests/understanding/test_batch_paths.py), without trying the look-behind at
# every position.
_HASHTAG_RE = re.compile(r"(?=[#＃])(?<![\w&/#])[#＃](\w*[^\W\d]\w*)")
_MENTION_RE = re.compile(r"(?=@)(?<![\w@/.])@(\w[\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?)")


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
