"""Tokenisation shared by every understanding core and by the listening rules.

One place decides what a word, a hashtag, a mention, a link and an emoji are, so that a rule
written as ``hashtag:zorg`` and the sentiment model see the same post the same way.

Matching is done on *folded* text: case-insensitive and with diacritics removed (é = e,
ë = e, ç = c, ß = ss), because people type "cafe" for "café" and "Zorg" for "zorg".
Pure Python, no Django import, and written for speed: ASCII text (most posts) takes a
short path that never touches Unicode normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from samen.understanding import compiled as _compiled

__all__ = [
    "Entities",
    "RunTable",
    "emoji",
    "extract",
    "fold",
    "hashtags",
    "is_letter_char",
    "is_word_char",
    "letter_runs",
    "letter_words",
    "links",
    "lower_letter_runs",
    "mentions",
    "normalize_url",
    "plain_text",
    "tokens",
    "word_runs",
]

# --- folding ---------------------------------------------------------------------------------


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """Fold one non-ASCII character; cached because posts reuse few distinct characters."""
    out = ch
    # Compatibility decomposition turns ligatures and full-width letters into plain ones;
    # case folding turns ß into ss. Repeat until stable: one pass can expose another
    # capital (e.g. a decomposed compatibility letter) or another combining mark.
    for _ in range(4):
        nxt = unicodedata.normalize("NFKD", out).casefold()
        nxt = unicodedata.normalize("NFKD", nxt)
        nxt = "".join(c for c in nxt if not _is_mark(c))
        if nxt == out:
            break
        out = nxt
    return out


class _FoldTable(dict[int, str]):
    """``str.translate`` table that learns each character's folding on first sight."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = ch.lower() if code < 0x80 else _fold_char(ch)
        if len(self) < 200_000:  # bounded: a hostile stream cannot grow it without end
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()
_FOLD_ASCII = bytes(range(128)).lower()  # what _FOLD_TABLE gives an ASCII character

# str.translate with ASCII characters through a byte table, in C where that was built
# (ADR 0128): the same string (and, for word runs, the same runs) as the Python below.
_translate = _compiled.twin("translate")


def fold(text: str) -> str:
    """Lower-case ``text`` and remove diacritics, for matching (never for display).

    Idempotent: ``fold(fold(t)) == fold(t)``. Never raises on any ``str``.
    """
    if text.isascii():
        return text.lower()
    if _translate is not None:
        return _translate(text, _FOLD_TABLE, _FOLD_ASCII, False)
    return text.translate(_FOLD_TABLE)


# --- word runs ---------------------------------------------------------------------------------
# Every core cuts a post into runs of some kind of character (word characters, letters). A
# regular expression's ``findall`` does that at a few microseconds a post; translating every
# character outside a run into a space and splitting on whitespace gives the same runs at about
# half the cost, and ASCII text (most posts) goes through a 256-byte table, which is cheaper
# still. No character that is part of a run is whitespace (tests/understanding/
# test_batch_paths.py checks every code point), so the split falls exactly between runs.


def is_word_char(ch: str) -> bool:
    """``\\w`` in Python's ``re`` for one character: alphanumeric (``str.isalnum``) or ``_``."""
    return ch.isalnum() or ch == "_"


def is_letter_char(ch: str) -> bool:
    """``[^\\W\\d_]`` in Python's ``re``: a word character that is neither a decimal digit
    (``\\d`` is ``str.isdecimal``) nor ``_``."""
    return ch.isalnum() and not ch.isdecimal()


class RunTable(dict[int, str]):
    """``str.translate`` table that learns, on first sight, what one character becomes:
    ``convert(ch)`` with every character outside a run (``keep`` false) turned into a space."""

    def __init__(self, convert: Callable[[str], str], keep: Callable[[str], bool]) -> None:
        super().__init__()
        self._convert = convert
        self._keep = keep

    def __missing__(self, code: int) -> str:
        keep = self._keep
        out = "".join(c if keep(c) else " " for c in self._convert(chr(code)))
        if len(self) < 200_000:  # bounded like the folding table
            self[code] = out
        return out

    def ascii_bytes(self) -> bytes:
        """The same table for ASCII text as a ``bytes.translate`` table (non-ASCII bytes, which
        an ASCII text never holds, become spaces)."""
        return bytes(ord(self[b]) for b in range(128)) + b" " * 128


def _runs(text: str, table: RunTable, ascii_table: bytes) -> list[str]:
    """The runs ``table`` keeps in ``text``, in order."""
    if text.isascii():
        return text.encode("ascii").translate(ascii_table).decode("ascii").split()
    if _translate is not None:
        return _translate(text, table, ascii_table, True)
    return text.translate(table).split()


def _fold_one(ch: str) -> str:
    return ch.lower() if ch < "\x80" else _fold_char(ch)


def _same(ch: str) -> str:
    return ch


_FOLDED_WORDS = RunTable(_fold_one, is_word_char)
_FOLDED_WORDS_ASCII = _FOLDED_WORDS.ascii_bytes()
_LETTERS = RunTable(_same, is_letter_char)
_LETTERS_ASCII = _LETTERS.ascii_bytes()
_WORDS = RunTable(_same, is_word_char)
_WORDS_ASCII = _WORDS.ascii_bytes()


def tokens(text: str) -> list[str]:
    """Folded word tokens: runs of letters, digits and underscores (``\\w+`` in the folded
    text).

    ``"Café #ZorgPlicht, @Anna!"`` gives ``["cafe", "zorgplicht", "anna"]``: hashtags and
    mentions yield their words too, so a plain word rule also finds the hashtag.
    """
    return _runs(text, _FOLDED_WORDS, _FOLDED_WORDS_ASCII)


def word_runs(text: str) -> list[str]:
    """Runs of word characters (``\\w+``), as written: for text that is folded already."""
    return _runs(text, _WORDS, _WORDS_ASCII)


def letter_runs(text: str) -> list[str]:
    """Runs of letters (``[^\\W\\d_]+``), as written: neither folded nor lower-cased."""
    return _runs(text, _LETTERS, _LETTERS_ASCII)


_LOWER_LETTERS_ASCII = RunTable(str.lower, is_letter_char).ascii_bytes()


def lower_letter_runs(text: str, min_length: int = 1) -> list[str]:
    """Runs of at least ``min_length`` letters, each lower-cased (not folded): what
    ``[w.lower() for w in re.findall(r"[^\\W\\d_]{n,}", text)]`` gives. The length is that
    of the run as written: lower-casing can lengthen a word (``İ`` becomes two characters)."""
    if text.isascii():
        runs = text.encode("ascii").translate(_LOWER_LETTERS_ASCII).decode("ascii").split()
        return [w for w in runs if len(w) >= min_length] if min_length > 1 else runs
    return [w.lower() for w in text.translate(_LETTERS).split() if len(w) >= min_length]


# --- entities --------------------------------------------------------------------------------

# Every pattern below that has a leading look-behind or alternatives starts with a look-ahead
# for the characters a match can start with: the same matches, found several times faster
# (the regex engine then skips other positions without trying each alternative).

# Links: an explicit scheme, or a bare "www." host. Trailing punctuation is trimmed afterwards.
_URL_RE = re.compile(r"(?=[hHwW])(?:\bhttps?://|\bwww\.)[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?'\"’”)]}>…"

# A hashtag starts after a space or punctuation (not inside a word or a URL), and holds at
# least one non-digit ("#1" is a number, not a tag).
_HASHTAG_RE = re.compile(r"(?=[#＃])(?<![\w&/#])[#＃](\w*[^\W\d]\w*)")

# Mentions: @user, @user@server.example (Mastodon), @name.bsky.social (Bluesky).
_MENTION_RE = re.compile(r"(?=@)(?<![\w@/.])@(\w[\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?)")

# Emoji: pictographs, with optional variation selector, skin tone and ZWJ chains; flags
# (a pair of regional indicators); keycaps.
_PICT = (
    "\U0001f000-\U0001faff"  # mahjong .. symbols & pictographs extended-A
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55"
    "\u231a\u231b\u2328\u23cf\u23e9-\u23f3\u23f8-\u23fa"
    "\u3030\u303d\u3297\u3299\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa"
)
_EMOJI_RE = re.compile(
    rf"(?=[\U0001f1e6-\U0001f1ff0-9#*{_PICT}])"  # what a match can start with
    r"(?:[\U0001f1e6-\U0001f1ff]{2}"  # flags
    r"|[0-9#*]\ufe0f?\u20e3"  # keycaps
    rf"|(?:[{_PICT}])[\ufe0f\U0001f3fb-\U0001f3ff]*"
    rf"(?:\u200d(?:[{_PICT}])[\ufe0f\U0001f3fb-\U0001f3ff]*)*)"
)
# Code points in _PICT that are only emoji when followed by U+FE0F (otherwise plain symbols).
_TEXT_DEFAULT = frozenset(
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194\u2195\u2196\u2197\u2198\u2199\u21a9\u21aa"
)

# Parameters that only say where a click came from; they split one link into many.
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "_hs", "hsa_", "mc_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
        "mkt_tok", "ref_src", "ref_url", "twclid", "_ga", "_gl", "oly_enc_id", "oly_anon_id",
        "vero_id", "wickedid", "rb_clickid", "s_cid", "si",
    }
)  # fmt: skip


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING_NAMES or low.startswith(_TRACKING_PREFIXES)


# A link already in its one spelling but for maybe an empty path: lower-case scheme and host
# (letters, digits, "." and "-" only), no port, user, query or fragment, and no whitespace
# or control character that urlsplit would remove. Most links in posts look like this, and
# for them normalize_url gives ``scheme://host`` + (path or "/") without parsing.
_PLAIN_URL = re.compile(r"(https?://[a-z0-9.-]+)((?:/[^?#\s\x00-\x1f\x7f]*)?)")


def normalize_url(url: str) -> str:
    """One spelling per link: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, ``/`` for an empty path. Never raises: a link that cannot be
    parsed comes back trimmed but otherwise as written."""
    url = url.strip()
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        return plain[1] + (plain[2] or "/")
    if url[:4].lower() == "www.":
        url = "http://" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if not host:
        return url
    netloc = host.lower()
    if ":" in netloc and not netloc.startswith("["):
        netloc = f"[{netloc}]"  # an IPv6 literal keeps its brackets
    if port is not None and not (
        (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    ):
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _trim_url(raw: str) -> str:
    while raw and raw[-1] in _URL_TRAIL:
        # Keep a closing bracket that closes one opened inside the link (Wikipedia style).
        if raw[-1] == ")" and raw.count("(") >= raw.count(")"):
            break
        raw = raw[:-1]
    return raw


def links(text: str) -> list[str]:
    """Normalized links in order of appearance, without duplicates."""
    if "http" not in text and "www." not in text and "HTTP" not in text and "WWW." not in text:
        return []
    seen: dict[str, None] = {}
    for m in _URL_RE.finditer(text):
        raw = _trim_url(m.group(0))
        if len(raw) > 8 or (raw[:4].lower() == "www." and len(raw) > 4):
            seen.setdefault(normalize_url(raw), None)
    return [u for u in seen if "://" in u and len(u) > len("http://")]


def _without_links(text: str) -> str:
    """``text`` with links blanked out. A link needs "://" or "www." (in any case), so most
    posts skip the case-insensitive scan."""
    if "://" in text or ("." in text and "www." in text.lower()):
        return _URL_RE.sub(" ", text)
    return text


def hashtags(text: str) -> list[str]:
    """Hashtags lower-cased and without ``#``, in order, without duplicates."""
    if "#" not in text and "＃" not in text:
        return []
    return _hashtags_in(_without_links(text))  # "#section" inside a link is no hashtag


def _hashtags_in(unlinked: str) -> list[str]:
    """:func:`hashtags` of a text whose links are already blanked out."""
    return list(dict.fromkeys(t.lower() for t in _HASHTAG_RE.findall(unlinked)))


def mentions(text: str) -> list[str]:
    """Mentioned handles lower-cased with a leading ``@``, in order, without duplicates."""
    if "@" not in text:
        return []
    return _mentions_in(_without_links(text))


def _mentions_in(unlinked: str) -> list[str]:
    """:func:`mentions` of a text whose links are already blanked out."""
    found = (m.rstrip(".-").lower() for m in _MENTION_RE.findall(unlinked))
    return list(dict.fromkeys("@" + m for m in found if m))


def emoji(text: str) -> list[str]:
    """Emoji in order of appearance, repeats kept (three 😡 say more than one)."""
    if text.isascii():
        return []
    return [e for e in _EMOJI_RE.findall(text) if not (e[0] in _TEXT_DEFAULT and "\ufe0f" not in e)]


@dataclass(slots=True)
class Entities:
    """What a post points at, ready for matching and display."""

    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    emoji: list[str] = field(default_factory=list)


def extract(text: str, *, found_emoji: list[str] | None = None) -> Entities:
    """All entities of a post in one call (``found_emoji``: ``emoji(text)`` when the caller
    has it). Links are blanked out once for both hashtags and mentions."""
    tags: list[str] = []
    handles: list[str] = []
    tagged = "#" in text or "＃" in text
    if tagged or "@" in text:
        plain = _without_links(text)
        if tagged:
            tags = _hashtags_in(plain)
        if "@" in text:
            handles = _mentions_in(plain)
    return Entities(
        hashtags=tags,
        mentions=handles,
        links=links(text),
        emoji=emoji(text) if found_emoji is None else found_emoji,
    )


# --- plain text (for language detection and classifiers) -------------------------------------

_STRIP_RE = re.compile(
    r"(?=[hHwW@#＃&\\])"  # what a match can start with (see _URL_RE)
    r"(?:(?:\bhttps?://|\bwww\.)\S+"  # links
    r"|(?<![\w@/.])@\w[\w.@-]*"  # mentions
    r"|[#＃]\w+"  # hashtags
    r"|&(?:[a-z]+|#\d+|#x[0-9a-f]+);"  # HTML entities left in tweets (&amp;)
    r"|\\u[0-9a-fA-F]{4})",  # literal escapes left in some exports
    re.IGNORECASE,
)


def _may_strip(text: str) -> bool:
    """Whether the text holds a "/", "@", "#", "&", "\\", "＃" or "www." that stripping
    may act on, with plain substring tests (a case-insensitive
    regex scan costs microseconds per tweet). No character but w, W and "." lower-cases to
    or matches "w" or "." ignoring case, so the last test is exact."""
    return (
        "/" in text
        or "@" in text
        or "#" in text
        or "&" in text
        or "\\" in text
        or "＃" in text
        or ("." in text and "www." in text.lower())
    )


def letter_words(text: str) -> list[str]:
    """The words a person wrote, for telling the language: links, mentions, hashtags, emoji,
    digits and punctuation removed. Not folded (diacritics are evidence)."""
    if _may_strip(text):  # most posts have nothing to strip: skip the big pattern
        text = _STRIP_RE.sub(" ", text)
    return letter_runs(text)


def plain_text(text: str) -> str:
    """:func:`letter_words` joined by single spaces."""
    return " ".join(letter_words(text))
