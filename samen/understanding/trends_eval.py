"""``samen eval trends --input FILE.tsv``: replay a stream of posts and print the trend alerts.

Input: a TSV file with a header line, no quoting, with at least the columns ``created_at``
(ISO-8601) and ``text`` in any order; other columns are ignored. Times without a zone are taken
as they are; times with one keep it. The posts are replayed in time order as if they arrived
live, and each alert is printed as ``alert_time<TAB>term<TAB>score`` (alert_time as
``YYYY-MM-DDTHH:MM:SS`` in the input's clock, the moment the alert would have fired; term is a
lower-case ``#hashtag`` or a word), then a last line ``alerts=N``.

Bad lines (a time that cannot be read, too few columns) are reported on stderr with their line
number and skipped; a missing column stops the run with exit code 2. Run it as
``python -m samen.understanding.trends_eval --input FILE.tsv``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TextIO

from samen.understanding.trends import SENSITIVITY, TrendDetector, terms_of

__all__ = ["main", "terms_of"]


def _parse_time(raw: str) -> datetime:
    value = raw.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    return datetime.fromisoformat(value)


def _read(fh: TextIO, err: TextIO) -> Iterator[tuple[int, datetime, str, str]] | None:
    header = fh.readline()
    if not header:
        print("error: the input is empty (expected a header line)", file=err)
        return None
    cols = header.rstrip("\r\n").split("\t")
    names = [c.strip().lstrip("\ufeff").lower() for c in cols]
    missing = [c for c in ("created_at", "text") if c not in names]
    if missing:
        print(
            f"error: line 1: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(names) or 'none'}",
            file=err,
        )
        return None
    i_time, i_text = names.index("created_at"), names.index("text")
    i_id = names.index("id") if "id" in names else None

    def rows() -> Iterator[tuple[int, datetime, str, str]]:
        for lineno, line in enumerate(fh, start=2):
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) == 1 and not fields[0].strip():
                continue  # blank line
            if len(fields) <= max(i_time, i_text):
                print(
                    f"line {lineno}: expected {len(cols)} columns, found {len(fields)}; skipped",
                    file=err,
                )
                continue
            try:
                when = _parse_time(fields[i_time])
            except ValueError:
                print(
                    f"line {lineno}: created_at {fields[i_time][:40]!r} is not an ISO-8601 "
                    "time; skipped",
                    file=err,
                )
                continue
            post_id = fields[i_id] if i_id is not None and i_id < len(fields) else str(lineno)
            yield lineno, when, fields[i_text], post_id

    return rows()


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Replay the file, print alerts and ``alerts=N``; 0 on success, 2 on unusable input."""
    out = out or sys.stdout
    err = sys.stderr
    parser = argparse.ArgumentParser(prog="samen eval trends", description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True, help="TSV with created_at and text columns")
    parser.add_argument("--sensitivity", choices=sorted(SENSITIVITY), default="normal")
    args = parser.parse_args(argv)
    try:
        fh = open(args.input, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
    except OSError as exc:
        print(f"error: cannot read {args.input}: {exc.strerror or exc}", file=err)
        return 2
    with fh:
        rows = _read(fh, err)
        if rows is None:
            return 2
        posts = list(rows)
    aware = any(when.tzinfo is not None for _, when, _, _ in posts)
    if aware:  # a mix: times without a zone are read as UTC so that all can be ordered
        posts = [
            (n, w if w.tzinfo is not None else w.replace(tzinfo=UTC), t, i) for n, w, t, i in posts
        ]
    posts.sort(key=lambda p: (p[1], p[0]))
    detector = TrendDetector(args.sensitivity)
    count = 0
    for _, when, text, post_id in posts:
        for alert in detector.observe(when, terms_of(text), post_id):
            stamp = alert.time.strftime("%Y-%m-%dT%H:%M:%S")
            print(f"{stamp}\t{alert.term}\t{alert.score:.2f}", file=out)
            count += 1
    print(f"alerts={count}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
