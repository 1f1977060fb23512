"""``samen eval``: measure Samen's understanding on your own labelled data.

    samen eval sentiment --input FILE.tsv   (columns text, label: negative/neutral/positive)
    samen eval language  --input FILE.tsv   (columns text, lang)
    samen eval intent    --input FILE.tsv   (columns text, intent; optional urgent 0/1)
    samen eval trends    --input FILE.tsv   (see samen.understanding.trends_eval)

Files are UTF-8 TSV with one header line and no quoting (a text may start with a quote).
Results go to stdout; the last line is machine-readable. Progress goes to stderr.
Pure Python, no Django: runs the same cores the ingest path runs.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["main"]

csv.field_size_limit(1 << 24)
PROGRESS_FROM = 5000  # rows; smaller files finish before a bar would help


class EvalError(Exception):
    """A problem with the user's input, reported as one clear line."""


def read_tsv(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """Rows of ``path`` as dicts; errors name the file and what is missing."""
    if not path.is_file():
        raise EvalError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None:
                raise EvalError(f"{path}: the file is empty (expected a header line)")
            header = [h.strip().lstrip("\ufeff") for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise EvalError(
                    f"{path}: missing column(s) {', '.join(missing)}; "
                    f"the header has: {', '.join(header) or '(nothing)'}"
                )
            rows = []
            for lineno, row in enumerate(reader, start=2):
                if not row or row == [""]:
                    continue
                if len(row) < len(header):
                    row = row + [""] * (len(header) - len(row))
                rows.append(dict(zip(header, row, strict=False)))
                rows[-1]["_line"] = str(lineno)
            return rows
    except UnicodeDecodeError as exc:
        raise EvalError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc


def _progress(items: Sequence[dict[str, str]], label: str) -> Iterator[dict[str, str]]:
    """Yield ``items``, with a rich progress bar on stderr for big inputs (rich draws it only
    on a terminal, so pipes and CI logs stay clean)."""
    if len(items) < PROGRESS_FROM:
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=len(items))
        for i, item in enumerate(items, start=1):
            yield item
            if i % 500 == 0 or i == len(items):
                progress.update(task, completed=i)


def _per_class(
    gold: list[str], pred: list[str | None], classes: Sequence[str], out: TextIO
) -> tuple[float, float, float]:
    """Print a per-class table; return macro recall, macro F1 and accuracy."""
    out.write(f"{'class':<12}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}\n")
    recalls, f1s = [], []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        n_pred = sum(1 for p in pred if p == c)
        n_gold = sum(1 for g in gold if g == c)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        recalls.append(rec)
        f1s.append(f1)
        out.write(f"{c:<12}{prec:>10.3f}{rec:>10.3f}{f1:>10.3f}{n_gold:>10}\n")
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    return sum(recalls) / len(classes), sum(f1s) / len(classes), acc


def _timed(rows: list[dict[str, str]], label: str, fn: Callable[[str], str | None]):
    start = time.perf_counter()
    preds = [fn(r["text"]) for r in _progress(rows, label)]
    elapsed = time.perf_counter() - start
    return preds, (len(rows) / elapsed if elapsed > 0 else 0.0)


def eval_sentiment(path: Path, out: TextIO) -> int:
    from samen.understanding import language, sentiment

    rows = read_tsv(path, ("text", "label"))
    labels = set(sentiment.LABELS)
    bad = [r for r in rows if r["label"].strip().lower() not in labels]
    if bad:
        raise EvalError(
            f"{path}:{bad[0]['_line']}: label {bad[0]['label']!r} is not one of "
            "negative, neutral, positive"
        )
    if not rows:
        raise EvalError(f"{path}: no rows to evaluate")
    gold = [r["label"].strip().lower() for r in rows]
    sentiment.classify(language.detect("warm up the models") or "")  # load before timing
    start = time.perf_counter()
    preds: list[str | None] = []
    for r in _progress(rows, "sentiment"):
        # An optional ``lang`` column acts as the source's language tag.
        lang = language.detect(r["text"], tag=r.get("lang") or None)
        preds.append(sentiment.classify(r["text"], lang).label)
    elapsed = time.perf_counter() - start
    per_s = len(rows) / elapsed if elapsed > 0 else 0.0
    macro_r, macro_f1, acc = _per_class(gold, preds, sentiment.LABELS, out)
    out.write(f"macro_recall={macro_r:.3f} macro_f1={macro_f1:.3f} accuracy={acc:.3f} "
              f"n={len(rows)} per_s={per_s:.0f}\n")  # fmt: skip
    return 0


def eval_language(path: Path, out: TextIO, languages: Sequence[str]) -> int:
    from samen.understanding import language

    rows = read_tsv(path, ("text", "lang"))
    if not rows:
        raise EvalError(f"{path}: no rows to evaluate")
    gold = [r["lang"].strip().lower() for r in rows]
    allowed = tuple(languages)
    language.detect("warm up the model")  # load before timing
    preds, per_s = _timed(rows, "language", lambda t: language.detect(t, languages=allowed))
    out.write(f"{'lang':<8}{'accuracy':>10}{'unknown':>10}{'n':>8}\n")
    for lang in sorted(set(gold)):
        idx = [i for i, g in enumerate(gold) if g == lang]
        ok = sum(1 for i in idx if preds[i] == lang)
        unknown = sum(1 for i in idx if preds[i] is None)
        out.write(f"{lang:<8}{ok / len(idx):>10.3f}{unknown / len(idx):>10.3f}{len(idx):>8}\n")
    acc = sum(1 for g, p in zip(gold, preds, strict=True) if g == p) / len(rows)
    out.write(f"accuracy={acc:.3f} n={len(rows)} per_s={per_s:.0f}\n")
    return 0


def eval_intent(path: Path, out: TextIO) -> int:
    from samen.understanding import intent
    from samen.understanding.enrich import enrich_text

    rows = read_tsv(path, ("text", "intent"))
    rows = [r for r in rows if r["text"].strip()]
    if not rows:
        raise EvalError(f"{path}: no rows with text to evaluate")
    gold = [r["intent"].strip().lower() for r in rows]
    results = []
    enrich_text("warm up the models")  # load before timing
    start = time.perf_counter()
    for r in _progress(rows, "intent"):
        # The whole enrichment path: intent uses the detected language's sentiment.
        results.append(enrich_text(r["text"], lang_tag=r.get("lang") or None))
    elapsed = time.perf_counter() - start
    per_s = len(rows) / elapsed if elapsed > 0 else 0.0
    preds: list[str | None] = [res.intent for res in results]
    macro_r, macro_f1, acc = _per_class(gold, preds, intent.INTENTS, out)
    if "urgent" in rows[0]:
        ug = [r["urgent"].strip() in ("1", "true", "yes") for r in rows]
        up = [res.urgent for res in results]
        tp = sum(1 for g, p in zip(ug, up, strict=True) if g and p)
        prec = tp / max(sum(up), 1)
        rec = tp / max(sum(ug), 1)
        out.write(f"urgent precision={prec:.3f} recall={rec:.3f} support={sum(ug)}\n")
    out.write(f"macro_recall={macro_r:.3f} macro_f1={macro_f1:.3f} accuracy={acc:.3f} "
              f"n={len(rows)} per_s={per_s:.0f}\n")  # fmt: skip
    return 0


def eval_trends(argv: list[str]) -> int:
    try:
        module = importlib.import_module("samen.understanding.trends_eval")
    except ModuleNotFoundError as exc:
        if exc.name != "samen.understanding.trends_eval":
            raise
        print("error: trend evaluation is not available in this installation "
              "(samen.understanding.trends_eval is missing)", file=sys.stderr)  # fmt: skip
        return 2
    return int(module.main(argv) or 0)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``samen eval``; returns the process exit code."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in and args_in[0] == "trends":
        return eval_trends(args_in[1:])
    parser = argparse.ArgumentParser(
        prog="samen eval", description="Measure Samen's understanding on labelled TSV data."
    )
    sub = parser.add_subparsers(dest="task", required=True)
    for task, cols in (
        ("sentiment", "text, label (negative/neutral/positive); optional lang"),
        ("language", "text, lang"),
        ("intent", "text, intent; optional urgent (0/1)"),
    ):
        p = sub.add_parser(task, help=f"columns: {cols}")
        p.add_argument(
            "--input", required=True, type=Path, help="TSV file, header line, no quoting"
        )
        if task == "language":
            p.add_argument(
                "--languages",
                default="nl,fr,en,de",
                help="the organisation's languages (default: nl,fr,en,de)",
            )
    sub.add_parser("trends", help="columns: created_at, text (see samen eval trends --help)")
    args = parser.parse_args(args_in)
    out = sys.stdout
    try:
        if args.task == "sentiment":
            return eval_sentiment(args.input, out)
        if args.task == "language":
            langs = [x.strip() for x in args.languages.split(",") if x.strip()]
            return eval_language(args.input, out, langs)
        return eval_intent(args.input, out)
    except EvalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
