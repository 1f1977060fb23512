"""Rebuild ``samen/understanding/data/language.npz`` from py3langid's model (BSD-3-Clause).

Why: py3langid's naive Bayes weights are good, but walking its byte automaton in Python
costs ~75 µs a tweet here. We keep its features (byte n-grams) and weights for a few
European languages only, and score them per word with a cache (see ``language.py``), which
is several times faster. Deterministic: same py3langid version, same file.

Run: ``python scripts/build_language_model.py`` (needs ``pip install py3langid``; build time
only, not a runtime dependency).
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import numpy as np

# The organisation's languages, plus near neighbours so that a Spanish or Danish post is
# recognised as "not ours" instead of being forced into the closest allowed language.
LANGUAGES = ("nl", "fr", "en", "de", "es", "it", "pt", "da", "sv", "no", "af", "lb", "fy")
OUT = Path(__file__).resolve().parents[1] / "samen" / "understanding" / "data" / "language.npz"


def main() -> int:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

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
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT,
        languages=np.array(LANGUAGES),
        grams=blob,
        lengths=lengths,
        weights=ptc[keep].astype(np.float16),
        priors=pc,
    )
    print(f"{len(keep)} features x {len(LANGUAGES)} languages -> {OUT.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
