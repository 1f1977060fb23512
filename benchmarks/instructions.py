"""Instructions a post costs in the pure text steps, counted by Valgrind: a number that does not
move with the machine's load, for comparing two versions of a step on a noisy machine.

    python benchmarks/instructions.py [--posts 2000] [--steps view,terms,html,enrich,detect,path]

Times on a shared machine vary by a third between runs of the same code, which hides a change
of a few per cent; the count of instructions executed does not (it is the same to a few parts
in a million between runs). Each step runs under ``valgrind --tool=cachegrind`` (without the
cache simulation) with ``--posts`` posts, and once more without posts, so that Python's start
and the set-up cancel out; the difference divided by the number of posts is printed.
Fewer instructions is not always less time (a cache miss costs more than an instruction), so
use it next to ``pipeline.py``, not instead of it.

The posts are those of ``benchmarks/rules.py`` (real English tweets from ../shared when
present, generated nl/fr/de posts). Before the counted part, 3,000 other posts go through
enrichment, so that the language and sentiment cores have met most words (a running worker's
state). Steps:

- ``view``: the rule matcher's view of a post (``rules.view_from_text``);
- ``terms``: the trend terms (``trends.terms_of``);
- ``html``: HTML to text (``sources.text.html_to_text``) of ``<p>{the post, escaped}</p>``;
- ``enrich``: enrichment, batches of 1,000 (``enrich._enrich_batch``: language, sentiment,
  intent, entities);
- ``detect``: the trend detector (``TrendDetector.observe``) judging a busy stream: the
  warm-up posts 3 seconds apart (2.5 hours: past its warm-up and with a baseline), then the
  counted posts at 10,000 an hour, each with its terms and the keys of the rules it matches
  of 10,000 (worked out before, in both runs);
- ``path``: the whole path of ``benchmarks/pipeline.py`` (mapping, enrichment, storing,
  10,000 listening rules, trends, the inbox, full-text) into a new SQLite database, after a
  first batch of 1,000 other posts (not run by default: each run takes several minutes).

Needs Valgrind (``apt-get install valgrind``); takes a few minutes (Valgrind runs Python about
fifty times slower).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benchmarks' helpers
STEPS = ("view", "terms", "html", "enrich", "detect", "path")
DEFAULT_STEPS = ("view", "terms", "html", "enrich", "detect")
OWN_START = ("path", "detect")  # steps whose set-up differs from the text steps' shared one
RULES = 10_000
WARM = 3000
LANGUAGES = ("nl", "fr", "en", "de")


def run_step(step: str, texts: list[str]) -> None:
    """The counted work of one step (the child's part, under Valgrind)."""
    from samen.sources.text import html_to_text
    from samen.understanding.enrich import _enrich_batch
    from samen.understanding.rules import view_from_text
    from samen.understanding.trends import terms_of

    if step == "view":
        for text in texts:
            view_from_text(text, lang="nl", source="mastodon", sentiment="neutral",
                           intent="other")
    elif step == "terms":
        for text in texts:
            terms_of(text)
    elif step == "html":
        for text in texts:
            html_to_text(f"<p>{html.escape(text)}</p>")
    elif step == "enrich":
        for lo in range(0, len(texts), 1000):
            chunk = texts[lo:lo + 1000]
            _enrich_batch(chunk, [None] * len(chunk), LANGUAGES)


def detect(posts: list[tuple[str, str]], count: int) -> None:
    """The ``detect`` step: terms and rule keys of every post (in both runs, so they cancel
    out), the warm-up posts fed untimed, then ``count`` posts counted."""
    from datetime import datetime, timedelta

    import pipeline

    from samen.understanding.trends import TrendDetector

    stream = pipeline.detector_inputs(
        posts, pipeline._load("rules").make_rules(RULES, posts, random.Random(1)))
    detector = TrendDetector("normal")
    start = datetime(2026, 3, 2, 6, 0)
    for i, (terms, keys) in enumerate(stream[:WARM]):
        detector.observe(start + timedelta(seconds=3.0 * i), terms, str(i), rules=keys)
    busy = start + timedelta(seconds=3.0 * WARM)
    for i, (terms, keys) in enumerate(stream[WARM:WARM + count]):
        detector.observe(busy + timedelta(seconds=0.36 * i), terms, str(WARM + i), rules=keys)


def prepare_database(posts: list[tuple[str, str]]) -> None:
    """The database the ``path`` runs start from (made once, without Valgrind): the schema,
    10,000 listening rules made from the posts, and the benchmark's full-text index."""
    import pipeline
    import shared_ingest

    shared_ingest.setup_django()
    from django.db import connection

    pipeline.store_rules(pipeline._load("rules").make_rules(RULES, posts, random.Random(1)))
    with connection.cursor() as cursor:  # all in the file itself, which is what gets copied
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def whole_path(posts: list[tuple[str, str]], count: int) -> None:
    """``pipeline.py``'s stream on a copy of the prepared database: the rules compiled, a first
    batch of other posts dated before the trend detector's horizon, then ``count`` posts in
    the last hour."""
    from datetime import UTC, datetime, timedelta

    import pipeline
    import shared_ingest

    shared_ingest.setup_django()
    from samen.understanding import actions, selectors

    pipeline.full_text_index()
    selectors.compiled_rules()
    end = datetime.now(UTC)
    shared_ingest.store_stream(pipeline.make_stream(
        posts[:1000], seed=2, first=len(posts),
        end=end - actions.TREND_HORIZON - timedelta(hours=1)))
    if count:
        shared_ingest.store_stream(pipeline.make_stream(posts[WARM:WARM + count], seed=1,
                                                        end=end))


def child(path: str, step: str, count: int) -> None:
    from samen.understanding.enrich import _enrich_batch

    posts = [(text, lang) for text, lang in json.loads(Path(path).read_text(encoding="utf-8"))]
    if step == "prepare":
        prepare_database(posts)
        return
    if step == "path":
        whole_path(posts, count)
        return
    if step == "detect":
        detect(posts, count)
        return
    texts = [text for text, _ in posts]
    for lo in range(0, WARM, 1000):  # the cores meet most words first, as in a running worker
        chunk = texts[lo:lo + 1000]
        _enrich_batch(chunk, [None] * len(chunk), LANGUAGES)
    run_step(step, texts[WARM:WARM + count])


def _env(path: str, database: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0",  # the same set and dict layouts each run
            "SAMEN_DATABASE_URL": f"sqlite:///{database}", "SAMEN_DATA_DIR": str(Path(path).parent)}


def prepared(path: str) -> Path:
    """The prepared database for ``path`` runs, made on first use (see prepare_database)."""
    database = Path(path).parent / "prepared.sqlite3"
    if not database.exists():
        subprocess.run([sys.executable, __file__, "--child", path, "--step", "prepare"],
                       check=True, cwd=REPO, env=_env(path, database), stdout=subprocess.DEVNULL)
    return database


# Addresses laid out afresh on every run change the order of sets and dicts keyed by object
# identity (the rule compiler has some), and with it the instructions of the set-up, which
# then differ between the run with posts and the one without. ``setarch -R`` switches that
# off for the child, where the system allows it.
NO_ASLR = ["setarch", os.uname().machine, "-R"] if shutil.which("setarch") else []


def count_instructions(path: str, step: str, count: int) -> int:
    """Instructions of one child run (Python's start included), from Valgrind's summary."""
    database = Path(path).parent / f"{step}-{count}.sqlite3"  # a new database for each run
    if step == "path":
        shutil.copyfile(prepared(path), database)
    out = subprocess.run(
        [*NO_ASLR, "valgrind", "--tool=cachegrind", "--cache-sim=no",
         "--cachegrind-out-file=/dev/null",
         sys.executable, __file__, "--child", path, "--step", step, "--posts", str(count)],
        capture_output=True, text=True, check=False, cwd=REPO, env=_env(path, database))
    for line in out.stderr.splitlines():
        if "I   refs:" in line or "I refs:" in line:
            return int(line.split(":", 1)[1].strip().replace(",", ""))
    raise SystemExit(f"valgrind gave no count for {step}:\n{out.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--steps", default=",".join(DEFAULT_STEPS),
                        help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.child:
        child(args.child, args.step, args.posts)
        return
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise SystemExit(f"unknown step(s) {', '.join(unknown)}; choose from {', '.join(STEPS)}")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (apt-get install valgrind)")
    import rules as rules_bench

    posts = rules_bench.load_posts(WARM + args.posts, random.Random(args.seed))
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "posts.json")
        Path(path).write_text(json.dumps(posts), encoding="utf-8")
        print(f"{args.posts:,} posts after {WARM:,} warm-up posts; instructions a post "
              "(Valgrind, Python's start subtracted)")
        base = 0
        if any(step not in OWN_START for step in steps):  # the text steps' start
            print(f"  [0/{len(steps)}] Python's start and the warm-up ...", end="", flush=True,
                  file=sys.stderr)
            base = count_instructions(path, "view", 0)
            print(" done", file=sys.stderr)
        for number, step in enumerate(steps, start=1):
            print(f"  [{number}/{len(steps)}] {step} ...", end="", flush=True, file=sys.stderr)
            start = count_instructions(path, step, 0) if step in OWN_START else base
            full = count_instructions(path, step, args.posts)
            print(" done", file=sys.stderr)
            print(f"{step:<10}{(full - start) / args.posts:>14,.0f} instructions a post")


if __name__ == "__main__":
    main()
