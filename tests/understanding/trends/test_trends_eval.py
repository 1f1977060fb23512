"""``samen eval trends``: the contract of issue 4, on small files anyone can read."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from samen.understanding.trends_eval import main, terms_of

REPO = Path(__file__).resolve().parents[3]
LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\t(#\w+|\w+)\t\d+\.\d+")


def write_stream(path: Path, *, header: str = "text\tcreated_at\tlang", zone: str = "") -> None:
    """Two hours of chatter, then #dijkdoorbraak takes off; columns in an unusual order."""
    start = datetime(2026, 2, 1, 8, 0)
    lines = [header]
    for i in range(240):
        t = start + timedelta(seconds=30 * i)
        lines.append(f"goedemorgen buurt {['koffie', 'fiets', 'markt'][i % 3]} {i}\t"
                     f"{t.isoformat()}{zone}\tnl")  # fmt: skip
    rise = start + timedelta(hours=2)
    says = ["Water over de dijk!", "Dijk bezweken bij de haven", "Evacuatie", "Kelders vol"]
    streets = ["dorpsstraat", "kerkweg", "molenlaan", "havenweg", "lindelaan", "parkweg", "markt"]
    for i in range(40):
        t = rise + timedelta(seconds=45 * i)
        text = f"{says[i % 4]} #Dijkdoorbraak {streets[i % 7]}"
        lines.append(f"{text}\t{t.isoformat()}{zone}\tnl")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_main(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


def test_prints_alert_lines_then_count(tmp_path: Path) -> None:
    f = tmp_path / "s.tsv"
    write_stream(f)
    code, out = run_main(["--input", str(f)])
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == f"alerts={len(lines) - 1}"
    assert all(LINE.fullmatch(line) for line in lines[:-1]), lines
    tags = [line.split("\t") for line in lines[:-1] if "\t#dijkdoorbraak\t" in line]
    assert len(tags) == 1
    fired = datetime.fromisoformat(tags[0][0])
    assert datetime(2026, 2, 1, 10, 0) <= fired <= datetime(2026, 2, 1, 10, 30)


def test_times_with_a_zone_are_printed_in_that_clock(tmp_path: Path) -> None:
    f = tmp_path / "s.tsv"
    write_stream(f, zone="+01:00")
    _, out = run_main(["--input", str(f)])
    fired = next(line.split("\t")[0] for line in out.splitlines() if "#dijkdoorbraak" in line)
    assert "10:00:00" <= fired[11:] <= "10:30:00"  # same wall clock as the file, no shift


def test_unsorted_input_is_replayed_in_time_order(tmp_path: Path) -> None:
    f = tmp_path / "s.tsv"
    write_stream(f)
    lines = f.read_text(encoding="utf-8").splitlines()
    f2 = tmp_path / "shuffled.tsv"
    f2.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    assert run_main(["--input", str(f)])[1] == run_main(["--input", str(f2)])[1]


def test_missing_column_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    f = tmp_path / "s.tsv"
    f.write_text("id\ttext\n1\thallo\n", encoding="utf-8")
    code, out = run_main(["--input", str(f)])
    assert code == 2 and out == ""
    assert "missing column(s) created_at" in capsys.readouterr().err


def test_bad_lines_are_reported_with_their_number_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    f = tmp_path / "s.tsv"
    write_stream(f)
    lines = f.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "een tekst\tgisteren om tien uur\tnl")  # becomes line 4
    lines.insert(5, "alleen tekst")  # line 6: too few columns
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = run_main(["--input", str(f)])
    err = capsys.readouterr().err
    assert code == 0
    assert "line 4: created_at 'gisteren om tien uur' is not an ISO-8601 time; skipped" in err
    assert "line 6: expected 3 columns, found 1; skipped" in err
    assert "#dijkdoorbraak" in out


def test_unreadable_file_is_an_error_not_a_crash(capsys: pytest.CaptureFixture) -> None:
    code, _ = run_main(["--input", "/nonexistent/stream.tsv"])
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


def test_terms_are_lowercase_hashtags_and_words_without_links_or_mentions() -> None:
    text = "RT @Gemeente: Dijk bij #Wijk-aan-Zee &amp; #Zorg2026 https://t.co/Ab12 de dijk!"
    assert terms_of(text) == ["#wijk", "#zorg2026", "dijk", "aan", "zee"]


def test_runs_as_a_module(tmp_path: Path) -> None:
    f = tmp_path / "s.tsv"
    write_stream(f)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "samen.understanding.trends_eval", "--input", str(f)],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("alerts=")


def _shared() -> Path | None:
    env = os.environ.get("SAMEN_SHARED_DIR")
    base = Path(env) if env else REPO / ".." / "shared"
    path = base / "data" / "events" / "crisislex-t6.tsv"
    return path if path.is_file() else None


@pytest.mark.peer
def test_crisislex_main_hashtags_alert(tmp_path: Path) -> None:
    """On the shared event streams: every event's main hashtag alerts, alerts stay readable."""
    path = _shared()
    if path is None:
        pytest.skip("../shared/data/events/crisislex-t6.tsv is not here (only in dev and CI)")
    code, out = run_main(["--input", str(path)])
    assert code == 0
    lines = out.splitlines()
    alerted = {line.split("\t")[1] for line in lines[:-1]}
    for tag in ("#sandy", "#prayforboston", "#westtx", "#oklahoma", "#yycflood", "#qldfloods"):
        assert tag in alerted
    assert int(lines[-1].removeprefix("alerts=")) < 20 * 47  # 47 days spanned; < 20 a day


def test_terms_include_hashtags_the_network_lists_apart_from_the_text() -> None:
    assert terms_of("Storm op zee!", hashtags=["#Storm", "Noordzee"]) == [
        "#storm",
        "#noordzee",
        "storm",
        "zee",
    ]


WIJKEN = ["Lombok", "Zuilen", "Overvecht", "Tuindorp", "Oog", "Hoograven", "Kanaleneiland",
          "Wittevrouwen", "Rivierenwijk", "Leidsche", "Votulast", "Ondiep", "Transwijk"]


def test_dutch_stream_end_to_end_in_the_exact_output_format(tmp_path: Path) -> None:
    """Extra columns in any order are ignored; #wateroverlast, already in use, takes off
    among ordinary Dutch chatter and is printed as alert_time<TAB>term<TAB>score."""
    start = datetime(2026, 9, 14, 6, 0)
    chatter = ["Goedemorgen Utrecht, koffie en dan de fiets op", "Bus 12 heeft weer vertraging",
               "Mooie markt vandaag op het plein", "Wie weet of de bibliotheek open is?",
               "Afval is weer niet opgehaald in onze straat"]  # fmt: skip
    lines = ["lang\tuser\tcreated_at\tid\ttext\tretweets"]
    for i in range(6 * 60):  # six hours, a post a minute; #wateroverlast every 40 minutes
        text = f"{chatter[i % 5]} {WIJKEN[i % 13]}"
        text += " #WaterOverlast in de kelder" if i % 40 == 0 else ""
        t = start + timedelta(minutes=i)
        lines.append(f"nl\tu{i % 17}\t{t.isoformat()}\t{i}\t{text} {i}\t0")
    rain = start + timedelta(hours=6)
    streets = ["Kerkstraat", "Molenweg", "Dorpsstraat", "Havenkade", "Lindelaan", "Parkweg"]
    for i in range(20):
        t = rain + timedelta(minutes=2 * i)
        text = f"{streets[i % 6]} blank, {WIJKEN[i % 13]}: putten lopen over #wateroverlast"
        lines.append(f"nl\tv{i}\t{t.isoformat()}\t{1000 + i}\t{text}\t3")
    f = tmp_path / "nl.tsv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = run_main(["--input", str(f)])
    assert code == 0
    *alerts, last = out.split("\n")[:-1]
    assert out.endswith("\n") and last == f"alerts={len(alerts)}"
    for line in alerts:
        stamp, term, score = line.split("\t")
        assert datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S")
        assert term == term.lower() and " " not in term
        assert re.fullmatch(r"\d+\.\d\d", score)
    hits = [line.split("\t") for line in alerts if line.split("\t")[1] == "#wateroverlast"]
    assert len(hits) == 1
    assert rain <= datetime.fromisoformat(hits[0][0]) <= rain + timedelta(minutes=30)
