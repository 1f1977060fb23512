"""Rebuild ``samen/understanding/data/language.npz`` from py3langid's model (BSD-3-Clause)
and wordfreq's word lists (CC BY-SA 4.0).

Why: py3langid's naive Bayes weights are good, but walking its byte automaton in Python
costs ~75 µs a tweet here. We keep its features (byte n-grams) and weights for a few
European languages only, and score them per word with a cache (see ``language.py``), which
is several times faster. Deterministic: same py3langid and wordfreq versions, same file.

Word frequencies (ADR 0108): the byte n-grams know little about whole long words, which is
what short posts ("flink uitbreidde") need. wordfreq 3.1.1's lists (data CC BY-SA 4.0, see
``samen/understanding/data/ATTRIBUTION.md``) give each language's most frequent words, read
here straight from the package's ``data/{large,small}_<lang>.msgpack.gz`` files. Every list
entry is cut into words by ``letter_words`` and keyed by ``str.casefold``, exactly as
``language.py`` does with a post, so "don't" counts for "don" and "t" and "Straße" meets
wordfreq's "strasse". Per language the ``--top`` most frequent words get the bonus
``log(frequency / lowest kept frequency)``. Afrikaans, Frisian and Luxembourgish have no
wordfreq list; left at zero, every Afrikaans word that is also Dutch would count for Dutch
only and carry an Afrikaans post into Dutch. So they borrow half the bonus of their nearest
listed relative (Dutch; German for Luxembourgish): a shared word no longer decides between
the two, and the byte n-grams do (ADR 0108).

Run::

    pip install py3langid==0.4.0 wordfreq==3.1.1   # build time only, not runtime dependencies
    python scripts/build_language_model.py [--top N] [--out PATH]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samen.understanding.text import letter_words  # noqa: E402

# The organisation's languages, plus near neighbours so that a Spanish or Danish post is
# recognised as "not ours" instead of being forced into the closest allowed language.
LANGUAGES = ("nl", "fr", "en", "de", "es", "it", "pt", "da", "sv", "no", "af", "lb", "fy")
# wordfreq's code where it differs from ours (it files Norwegian Bokmål as "nb").
WORDFREQ_CODE = {"no": "nb"}
# Words kept per language (ADR 0108: chosen on single words and es/it/pt tweets).
TOP = 50_000
# Neighbours without a wordfreq list, the listed language whose bonus they borrow, and the
# share they borrow (ADR 0108: 0 sends Afrikaans posts into Dutch, 1 costs Dutch word pairs).
BORROW = {"af": "nl", "fy": "nl", "lb": "de"}
BORROW_SHARE = 0.5
OUT = ROOT / "samen" / "understanding" / "data" / "language.npz"


def read_wordfreq(lang: str) -> list[tuple[str, float]] | None:
    """(entry, frequency) pairs of wordfreq's list for ``lang``, most frequent first; None
    when wordfreq has no list. The files are msgpack: a header, then one list of entries per
    centibel, entries in bin ``i`` having frequency ``10 ** (-i / 100)``."""
    import msgpack  # build time only
    import wordfreq  # build time only, for where its data lives

    data = Path(wordfreq.__file__).with_name("data")
    code = WORDFREQ_CODE.get(lang, lang)
    for size in ("large", "small"):
        path = data / f"{size}_{code}.msgpack.gz"
        if path.exists():
            with gzip.open(path) as fh:
                header, *bins = msgpack.unpackb(fh.read(), raw=False)
            if header != {"format": "cB", "version": 1}:
                raise ValueError(f"{path.name}: unknown format {header!r}")
            return [(w, 10 ** (-i / 100)) for i, entries in enumerate(bins) for w in entries]
    return None


def word_frequencies(top: int) -> dict[str, dict[str, float]]:
    """Language -> run-time word key -> bonus, for the ``top`` most frequent keys."""
    out: dict[str, dict[str, float]] = {}
    for lang in LANGUAGES:
        entries = read_wordfreq(lang)
        if entries is None:
            continue
        freq: dict[str, float] = collections.defaultdict(float)
        for entry, f in entries:
            for word in letter_words(entry):
                freq[word.casefold()] += f
        ranked = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        floor = ranked[-1][1]
        out[lang] = {w: math.log(f / floor) for w, f in sorted(ranked) if f > floor}
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=TOP, help="words kept per language")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    freqs = word_frequencies(args.top)

    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    nextmove = np.asarray(ident.tk_nextmove)
    rowbase = ident._rowbase
    out = ident.tk_output
    # Breadth-first walk of the automaton: the first path that reaches a state is its
    # trie string; a feature's text is the shortest state string that outputs it.
    paths: list[bytes | None] = [None] * len(out)
    paths[0] = b""
    queue = collections.deque([0])
    while queue:
        state = queue.popleft()
        base = rowbase[state]
        prefix = paths[state]
        assert prefix is not None
        for byte in range(256):
            nxt = int(nextmove[base + byte])
            if paths[nxt] is None:
                paths[nxt] = prefix + bytes([byte])
                queue.append(nxt)
    text_of: dict[int, bytes] = {}
    for state, feature in enumerate(out):
        p = paths[state]
        if (
            feature >= 0
            and p is not None
            and (feature not in text_of or len(p) < len(text_of[feature]))
        ):
            text_of[feature] = p
    cols = [ident.nb_classes.index(lang) for lang in LANGUAGES]
    ptc = np.asarray(ident.nb_ptc, dtype=np.float32)[:, cols]
    pc = np.asarray(ident.nb_pc, dtype=np.float32)[cols]
    order = sorted(text_of, key=lambda f: text_of[f])
    keep = []
    for f in order:
        row = ptc[f]
        # A feature that weighs the same for every kept language cannot change a decision.
        if float(row.max() - row.min()) >= 0.05:
            keep.append(f)
    grams = np.array([text_of[f] for f in keep], dtype=object)
    lengths = np.array([len(g) for g in grams], dtype=np.uint8)
    blob = np.frombuffer(b"".join(grams), dtype=np.uint8)
    words = sorted({w for table in freqs.values() for w in table})
    bonus = np.zeros((len(words), len(LANGUAGES)), dtype=np.float16)
    for col, lang in enumerate(LANGUAGES):
        share = 1.0
        if lang not in freqs and lang in BORROW:
            lang, share = BORROW[lang], BORROW_SHARE
        table = freqs.get(lang, {})
        for row, w in enumerate(words):
            if w in table:
                bonus[row, col] = share * table[w]
    word_blob = "\n".join(words).encode("utf-8")
    out_path: Path = args.out
    out_path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out_path,
        words=np.frombuffer(word_blob, dtype=np.uint8),
        word_bonus=bonus,
        languages=np.array(LANGUAGES),
        grams=blob,
        lengths=lengths,
        weights=ptc[keep].astype(np.float16),
        priors=pc,
    )
    print(
        f"{len(keep)} features, {len(words)} words x {len(LANGUAGES)} languages -> {out_path}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
