"""Instructions a post costs in the pure text steps, counted by Valgrind: a number that does not
move with the machine's load, for comparing two versions of a step on a noisy machine.

    python benchmarks/instructions.py [--posts 2000]
                                      [--steps view,terms,html,enrich,detect,steady,story,path]

Times on a shared machine vary by a third between runs of the same code, which hides a change
of a few per cent; the count of instructions executed does not. Each step runs under
``valgrind --tool=cachegrind`` (without the cache simulation) with ``--posts`` posts, and once
more without posts, so that Python's start and the set-up cancel out; the difference divided by
the number of posts is printed. The children run with a fixed hash seed and numpy's BLAS on
one thread: its worker threads wait for work by spinning, for a number of instructions that
depends on each run's timing, which made the set-up's count, and so a post's, vary by up to
15 % between runs. With both, two runs give the same count, when they run one at a time: two
at once still move the count of a step that imports numpy by about 2 % (the detector's steps
do not import it, and count the same either way).
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
- ``detect``: the trend detector (``TrendDetector.observe``) on a stream that turns busy: the
  warm-up posts 3 seconds apart (2.5 hours: past its warm-up and with a baseline), then the
  counted posts at 10,000 an hour, each with its terms and the keys of the rules it matches
  of 10,000 (worked out once, before Valgrind, and read from a file by both runs);
- ``steady``: the same detector on a stream busy all along: 30,000 warm-up posts at 10,000 an
  hour (three hours: the window, the growth test's reference and the baseline all hold busy
  buckets, and closing buckets carry thousands of terms), then the counted posts;
- ``story``: ``steady`` with a story in the counted posts: 15 % of them carry ``#storm`` and
  four of 40 words of its own, which rise together (the hashtag alerts, and each rising word
  is checked for riding on it);
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
STEPS = ("view", "terms", "html", "enrich", "detect", "steady", "story", "path")
DEFAULT_STEPS = ("view", "terms", "html", "enrich", "detect", "steady", "story")
OWN_START = ("path", "detect", "steady", "story")  # steps with a set-up of their own
DETECTOR_STEPS = ("detect", "steady", "story")  # fed terms and rule keys worked out beforehand
RULES = 10_000
WARM = 3000
STEADY_WARM = 30_000  # three hours at 10,000 posts an hour
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


def detector_inputs(posts: list[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """Terms and rule keys of every post, 10,000 rules made from the posts (worked out once by
    the parent, without Valgrind: compiling and matching the rules would otherwise be most of
    each count, and its own small variations would not cancel out)."""
    import pipeline

    return pipeline.detector_inputs(
        posts, pipeline._load("rules").make_rules(RULES, posts, random.Random(1)))


def with_story(stream: list[tuple[list[str], list[str]]]) -> list[tuple[list[str], list[str]]]:
    """The ``story`` step's posts: ``steady``'s, with a story in 15 % of the counted ones."""
    rng = random.Random(3)
    words = [f"storm{i}" for i in range(40)]
    return [([*terms, "#storm", *rng.sample(words, 4)], keys)
            if i >= STEADY_WARM and rng.random() < 0.15 else (terms, keys)
            for i, (terms, keys) in enumerate(stream)]


def detect(stream: list[tuple[list[str], list[str]]], count: int, *, steady: bool) -> None:
    """The detector's steps: the warm-up posts fed untimed, then ``count`` posts counted at
    10,000 an hour. ``detect``: 3,000 warm-up posts 3 seconds apart (a stream that turns
    busy); ``steady`` and ``story``: 30,000 at 10,000 an hour (a busy stream all along)."""
    from datetime import datetime, timedelta

    from samen.understanding.trends import TrendDetector

    warm, gap = (STEADY_WARM, 0.36) if steady else (WARM, 3.0)  # story: steady
    detector = TrendDetector("normal")
    start = datetime(2026, 3, 2, 6, 0)
    for i, (terms, keys) in enumerate(stream[:warm]):
        detector.observe(start + timedelta(seconds=gap * i), terms, str(i), rules=keys)
    busy = start + timedelta(seconds=gap * warm)
    for i, (terms, keys) in enumerate(stream[warm:warm + count]):
        detector.observe(busy + timedelta(seconds=0.36 * i), terms, str(warm + i), rules=keys)


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
    if step in DETECTOR_STEPS:  # before numpy is imported (see the module's docstring)
        stream = json.loads(_inputs_path(path, step).read_text(encoding="utf-8"))
        detect(stream, count, steady=step != "detect")
        return
    from samen.understanding.enrich import _enrich_batch

    posts = [(text, lang) for text, lang in json.loads(Path(path).read_text(encoding="utf-8"))]
    if step == "prepare":
        prepare_database(posts)
        return
    if step == "path":
        whole_path(posts, count)
        return
    texts = [text for text, _ in posts]
    for lo in range(0, WARM, 1000):  # the cores meet most words first, as in a running worker
        chunk = texts[lo:lo + 1000]
        _enrich_batch(chunk, [None] * len(chunk), LANGUAGES)
    run_step(step, texts[WARM:WARM + count])


def _inputs_path(path: str, step: str) -> Path:
    return Path(path).parent / f"{step}-inputs.json"


def _env(path: str, database: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0",  # the same set and dict layouts each run
            # numpy's BLAS threads wait for work by spinning, a number of instructions that
            # depends on the timing of each run
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "SAMEN_DATABASE_URL": f"sqlite:///{database}", "SAMEN_DATA_DIR": str(Path(path).parent)}


def prepared(path: str) -> Path:
    """The prepared database for ``path`` runs, made on first use (see prepare_database)."""
    database = Path(path).parent / "prepared.sqlite3"
    if not database.exists():
        subprocess.run([sys.executable, __file__, "--child", path, "--step", "prepare"],
                       check=True, cwd=REPO, env=_env(path, database), stdout=subprocess.DEVNULL)
    return database


def count_instructions(path: str, step: str, count: int) -> int:
    """Instructions of one child run (Python's start included), from Valgrind's summary."""
    database = Path(path).parent / f"{step}-{count}.sqlite3"  # a new database for each run
    if step == "path":
        shutil.copyfile(prepared(path), database)
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no",
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
        print(f"{args.posts:,} posts after {WARM:,} warm-up posts ({STEADY_WARM:,} for steady); "
              "instructions a post (Valgrind, Python's start subtracted)")
        busy: list[tuple[list[str], list[str]]] = []
        for step in DETECTOR_STEPS:
            if step not in steps:
                continue
            if step == "detect":
                inputs = detector_inputs(posts)
            else:
                busy = busy or detector_inputs(rules_bench.load_posts(
                    STEADY_WARM + args.posts, random.Random(args.seed)))
                inputs = busy if step == "steady" else with_story(busy)
            _inputs_path(path, step).write_text(json.dumps(inputs), encoding="utf-8")
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
