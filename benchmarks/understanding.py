"""Speed and accuracy of Samen's understanding cores, on one core, printed as numbers.

    python benchmarks/understanding.py [--posts N] [--skip-peers] [--speed-only]

Speed: posts/s for language, sentiment, intent, enrich() post by post and enrich_many() (the
batched path the ingest uses) over a mixed-language stream of real posts (CrisisLex English
tweets, xlm-t tweets in six languages, Dutch MPs' tweets), first with cold caches, then warm
(a running stream is warm: words repeat).
Accuracy: language on lingua's word pairs and single words and on real tweets, next to
py3langid and lingua when installed; sentiment per language on the dev sets; intent and
urgency on the hand-labelled set in tests/fixtures/understanding/.

Needs the shared data folder: ``$SAMEN_SHARED_DIR`` or ``shared/`` beside the repository.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samen.sources.types import Author, NormalizedPost  # noqa: E402
from samen.understanding import intent, language, sentiment  # noqa: E402
from samen.understanding.enrich import enrich, enrich_many, enrich_text  # noqa: E402

LANGS = ("nl", "fr", "en", "de")


def shared_data() -> Path:
    env = os.environ.get("SAMEN_SHARED_DIR")
    base = Path(env) if env else ROOT.parent / "shared"
    data = base / "data"
    if not data.is_dir():
        sys.exit(f"no shared data at {data} (set SAMEN_SHARED_DIR)")
    return data


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        return [dict(zip(header, row, strict=False)) for row in reader]


def rate(fn: Callable[[object], object], items: list) -> tuple[float, float]:
    """Posts/s by the wall clock and by this process's CPU time (the second is steadier on a
    machine shared with other work)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - wall), len(items) / (time.process_time() - cpu)


def stream(data: Path, n: int) -> list[tuple[str, str | None]]:
    """A seeded mix: half CrisisLex (en), half tweets in seven languages, Dutch included."""
    rng = random.Random(7)
    crisis = [r["text"] for r in read(data / "events" / "crisislex-t6.tsv")]
    other: list[tuple[str, str | None]] = []
    for lang in ("en", "fr", "de", "es", "it", "pt"):
        for split in ("train", "val"):
            other += [
                (r["text"], lang) for r in read(data / "sentiment" / f"xlmt-{lang}-{split}.tsv")
            ]
    other += [(r["text"], "nl") for r in read(data / "sentiment" / "nl-political-dev.tsv")]
    mix = [(t, "en") for t in rng.sample(crisis, min(n // 2, len(crisis)))]
    mix += [rng.choice(other) for _ in range(n - len(mix))]
    rng.shuffle(mix)
    return mix


def speed(data: Path, n: int) -> None:
    posts = stream(data, n)
    texts = [t for t, _ in posts]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    normalized = [
        NormalizedPost(source="import", external_id=str(i), text=t, created_at=now,
                       author=Author(handle="@bench"))
        for i, (t, _lang) in enumerate(posts)
    ]  # fmt: skip
    enrich_text("warm up the models")  # loading the weights is not per-post work
    detected = [language.detect(t) for t in texts[:1]]
    print(f"speed, {len(texts)} posts of a mixed stream, one core (posts/s)")
    print(f"{'task':<12}{'cold wall':>12}{'cold cpu':>12}{'warm wall':>12}{'warm cpu':>12}")
    for name, fn, items in (
        ("language", language.detect, texts),
        ("sentiment", lambda t: sentiment.classify(t, "en"), texts),
        ("intent", intent.classify, texts),
        ("enrich", enrich, normalized),
    ):
        cold = rate(fn, items)
        warm = rate(fn, items)
        print(f"{name:<12}{cold[0]:>12.0f}{cold[1]:>12.0f}{warm[0]:>12.0f}{warm[1]:>12.0f}")
    del detected
    n = len(normalized)
    for name, clear in (("enrich_many", clear_word_caches), ("enrich_many*", clear_all_caches)):
        clear()
        cold = rate(enrich_many, [normalized])
        warm = rate(enrich_many, [normalized])
        print(f"{name:<12}{cold[0] * n:>12.0f}{cold[1] * n:>12.0f}"
              f"{warm[0] * n:>12.0f}{warm[1] * n:>12.0f}")  # fmt: skip
    print("enrich_many: the language and sentiment word caches emptied before the cold run;")
    print("enrich_many*: every per-word cache emptied (also word features and lexicon entries)")


def clear_word_caches() -> None:
    """Cold again: every word new to the language and sentiment word caches."""
    language._CACHE.clear()
    sentiment.clear_caches()


def clear_all_caches() -> None:
    """Colder: also the caches of each word's hashed features and lexicon entries."""
    clear_word_caches()
    sentiment._word_features.cache_clear()
    sentiment._TOKINFO.clear()


def language_accuracy(data: Path, peers: bool) -> None:
    folder = data / "language"
    sets = {
        "word pairs": [(r["text"], r["lang"]) for r in read(folder / "lingua-word-pairs.tsv")],
        "single words": [(r["text"], r["lang"]) for r in read(folder / "lingua-single-words.tsv")],
    }
    tweets = []
    for lang in ("en", "fr", "de"):
        tweets += [(r["text"], lang) for r in read(data / "sentiment" / f"xlmt-{lang}-val.tsv")]
    tweets += [(r["text"], "nl") for r in read(data / "sentiment" / "nl-political-dev.tsv")]
    sets["real tweets"] = tweets
    detectors: dict[str, Callable[[str], str | None]] = {"samen": language.detect}
    if peers:
        try:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE)
            ident.set_languages(list(LANGS))
            detectors["py3langid"] = lambda t: ident.classify(t)[0]
        except ImportError:
            print("(py3langid not installed)")
        try:
            from lingua import Language, LanguageDetectorBuilder

            det = LanguageDetectorBuilder.from_languages(
                Language.DUTCH, Language.FRENCH, Language.ENGLISH, Language.GERMAN
            ).build()
            codes = {Language.DUTCH: "nl", Language.FRENCH: "fr",
                     Language.ENGLISH: "en", Language.GERMAN: "de"}  # fmt: skip

            def lingua_detect(t: str) -> str | None:
                found = det.detect_language_of(t)
                return codes.get(found) if found else None

            detectors["lingua"] = lingua_detect
        except ImportError:
            print("(lingua-language-detector not installed)")
    print("\nlanguage accuracy (among nl, fr, en, de; unknown counts as wrong), and posts/s")
    print(f"{'set':<14}" + "".join(f"{name:>22}" for name in detectors))
    for set_name, rows in sets.items():
        cells = []
        for fn in detectors.values():
            fn("warm up")
            start = time.perf_counter()
            ok = sum(1 for t, lang in rows if fn(t) == lang)
            per_s = len(rows) / (time.perf_counter() - start)
            cells.append(f"{ok / len(rows):.3f} @ {per_s:>7.0f}/s")
        print(f"{set_name:<14}" + "".join(f"{c:>22}" for c in cells))


def macro(gold: list[str], pred: list[str], classes: tuple[str, ...]) -> tuple[float, float, float]:
    recs, f1s = [], []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c == p)
        np_ = sum(1 for p in pred if p == c)
        ng = sum(1 for g in gold if g == c)
        pr = tp / np_ if np_ else 0.0
        rc = tp / ng if ng else 0.0
        recs.append(rc)
        f1s.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold)
    return sum(recs) / len(classes), sum(f1s) / len(classes), acc


def sentiment_accuracy(data: Path) -> None:
    print("\nsentiment on dev sets (language detected; nl-political-dev is evaluation-only).")
    print("The shipped model is trained on the xlmt *-val files too, so those rows are NOT held")
    print("out; `python scripts/train_sentiment.py --report` gives the train-only dev numbers.")
    print(f"{'set':<20}{'macro_recall':>14}{'macro_f1':>10}{'accuracy':>10}  head")
    for name in ("xlmt-en-val", "xlmt-fr-val", "xlmt-de-val", "nl-political-dev"):
        rows = read(data / "sentiment" / f"{name}.tsv")
        results = [sentiment.classify(r["text"], language.detect(r["text"])) for r in rows]
        gold = [r["label"] for r in rows]
        mr, mf, acc = macro(gold, [x.label for x in results], sentiment.LABELS)
        heads = {x.head for x in results}
        print(f"{name:<20}{mr:>14.3f}{mf:>10.3f}{acc:>10.3f}  {'/'.join(sorted(heads))}")


def intent_accuracy(data: Path) -> None:
    fixture = ROOT / "tests" / "fixtures" / "understanding" / "intent-labelled.tsv"
    rows = read(fixture)
    crisis = {r["id"]: r["text"] for r in read(data / "events" / "crisislex-t6.tsv")}
    for r in rows:
        if r["source"] == "crisislex-t6":
            r["text"] = crisis.get(r["id"], "")
    rows = [r for r in rows if r["text"]]
    results = [enrich_text(r["text"]) for r in rows]
    gold = [r["intent"] for r in rows]
    pred = [x.intent for x in results]
    print(f"\nintent on {len(rows)} hand-labelled posts (tests/fixtures/understanding)")
    print(f"{'class':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for c in intent.INTENTS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c == p)
        np_ = sum(1 for p in pred if p == c)
        ng = sum(1 for g in gold if g == c)
        pr = tp / np_ if np_ else 0.0
        rc = tp / ng if ng else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        print(f"{c:<12}{pr:>10.3f}{rc:>10.3f}{f1:>10.3f}{ng:>10}")
    mr, mf, acc = macro(gold, pred, intent.INTENTS)
    print(f"macro_recall={mr:.3f} macro_f1={mf:.3f} accuracy={acc:.3f}")
    ug = [r["urgent"] == "1" for r in rows]
    up = [x.urgent for x in results]
    tp = sum(1 for g, p in zip(ug, up, strict=True) if g and p)
    print(f"urgent: precision={tp / max(sum(up), 1):.3f} recall={tp / max(sum(ug), 1):.3f} "
          f"(support {sum(ug)}, flagged {sum(up)})")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    args = ap.parse_args()
    data = shared_data()
    speed(data, args.posts)
    if args.speed_only:
        return 0
    language_accuracy(data, not args.skip_peers)
    sentiment_accuracy(data)
    intent_accuracy(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
