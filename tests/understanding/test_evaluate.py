"""`samen eval`: the output format people and scripts rely on, and clear errors."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from samen.understanding import evaluate

SENTIMENT_LAST = re.compile(
    r"^macro_recall=\d\.\d{3} macro_f1=\d\.\d{3} accuracy=\d\.\d{3} n=\d+ per_s=\d+$"
)
LANGUAGE_LAST = re.compile(r"^accuracy=\d\.\d{3} n=\d+ per_s=\d+$")


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sentiment_report_and_last_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path,
        "s.tsv",
        [
            "text\tlabel",
            '"Quoted start, thank you so much, wonderful!\tpositive',
            "Worst service ever, terrible and useless.\tnegative",
            "The office opens at nine on Monday.\tneutral",
            "Vreselijk slecht, schandalig!\tnegative",
        ],
    )
    assert evaluate.main(["sentiment", "--input", str(path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert SENTIMENT_LAST.match(out[-1]), out[-1]
    assert " n=4 " in out[-1]
    for label in ("negative", "neutral", "positive"):
        assert any(line.startswith(label) for line in out)
    assert "precision" in out[0] and "recall" in out[0] and "f1" in out[0]


def test_language_report_and_last_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path,
        "l.tsv",
        [
            "lang\ttext\textra",  # column order is free; extra columns are ignored
            "nl\tDe gemeente heeft het zwembad eindelijk weer geopend.\tx",
            "fr\tLa mairie est fermée lundi pour travaux.\tx",
            "en\tThe library is closed on Monday.\tx",
            "de\tDie Bibliothek ist am Montag geschlossen.\tx",
        ],
    )
    assert evaluate.main(["language", "--input", str(path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("accuracy=1.000 n=4 ")
    assert LANGUAGE_LAST.match(out[-1])
    assert {line.split()[0] for line in out[1:-1]} == {"nl", "fr", "en", "de"}


def test_missing_file_and_missing_column_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert evaluate.main(["sentiment", "--input", str(tmp_path / "nope.tsv")]) != 0
    assert "no such file" in capsys.readouterr().err
    path = _write(tmp_path, "bad.tsv", ["text\tlang", "hallo\tnl"])
    assert evaluate.main(["sentiment", "--input", str(path)]) != 0
    err = capsys.readouterr().err
    assert "missing column(s) label" in err and "text, lang" in err


def test_unknown_label_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "s.tsv", ["text\tlabel", "fine\tpositive", "meh\tmixed"])
    assert evaluate.main(["sentiment", "--input", str(path)]) == 2
    assert ":3: label 'mixed'" in capsys.readouterr().err


def test_intent_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path,
        "i.tsv",
        ["text\tintent\turgent", "Wanneer opent het zwembad?\tquestion\t0",
         "Er is brand, er zijn gewonden\tother\t1"],
    )  # fmt: skip
    assert evaluate.main(["intent", "--input", str(path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert "urgent precision=1.000 recall=1.000 support=1" in out
    assert SENTIMENT_LAST.match(out[-1])


def test_trends_is_dispatched_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    fake = type(sys)("samen.understanding.trends_eval")
    fake.main = lambda argv: calls.append(argv) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "samen.understanding.trends_eval", fake)
    assert evaluate.main(["trends", "--input", "x.tsv"]) == 0
    assert calls == [["--input", "x.tsv"]]
