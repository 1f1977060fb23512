"""Rebuild ``samen/understanding/data/sentiment.npz`` from the licensed shared sentiment data.

Training data (see the shared data README for licences): ``xlmt-{en,fr,de,es,it,pt}-train``
(Apache-2.0 repository) and ``tweeteval-en-val`` without the tweets that also occur in any xlm-t
English file (they come from the same SemEval set, so keeping them would leak between train and
dev). ``nl-political-dev`` is never read here: it may only evaluate.

Two heads are trained (see ``sentiment.py``): "full" on every feature, and "transfer" on the
language-independent features only, used for languages without training data (Dutch).

Deterministic: fixed seed, fixed order, single-threaded numpy; the same data gives the same
weights. Usage::

    python scripts/train_sentiment.py [--data DIR] [--with-dev] [--report [--no-nl]]
    python scripts/train_sentiment.py --transfer-report [--data DIR]
    python scripts/train_sentiment.py --full-report [--data DIR]
    python scripts/train_sentiment.py --cv-report [--cv-setting SPEC ...] [--cv-seed N]

``--data`` is the folder holding ``sentiment/`` (default: ``$SAMEN_SHARED_DIR/data`` or the
``shared/data`` folder beside the repository). ``--with-dev`` adds the xlmt ``*-val`` files to the
training data (for the shipped model, once the method is fixed; dev numbers are then no longer
held out). ``--report`` prints dev-set results per language. ``--transfer-report`` writes no model:
it trains the transfer head on the train files under several seeds and on several random 85%
subsets of them, and prints its macro F1 on the en/fr/de dev files (as if those languages had
no training data) as mean and standard deviation: how much the head moves when only its
training data or seed changes. ``--full-report`` does the same for the full head on the en/fr/de
dev files (scored with their language), with its last weights and with the averaged ones side by
side. Neither reads the Dutch evaluation set. ``--cv-report`` writes no model and reads no dev
file: it cross-validates training settings of the full head (epochs, learning rate, L2,
averaging) on the en/fr/de training posts, ``CV_FOLDS`` stratified folds, and prints each
setting's scores and its paired difference from the current one (see :func:`cv_report`).

The transfer head's weights are the average of its iterates over the last epochs (from epoch
``TRANSFER_AVERAGE_FROM`` on; Polyak averaging): the last iterate of AdaGrad on these few dense
features moves a lot with the data order and with small changes of the data, and that moved
the Dutch number by about 0.02. The full head is its last iterate, as before: the same averaging
was measured for it (``--full-report``) and neither lowered its spread nor clearly raised its mean.
The full head trains with its own learning rate and L2 (``FULL_LR``, ``FULL_L2``), chosen by
``--cv-report`` on the training posts only; the transfer head keeps ``LR`` and ``L2``.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samen.understanding import sentiment as S  # noqa: E402

TRAIN_LANGUAGES = ("en", "fr", "de", "es", "it", "pt")
LEXICON_LANGUAGES = ("en", "fr", "de")
SEED = 20261128
# The transfer head's setting (and train()'s defaults).
EPOCHS = 12
BATCH = 32
LR = 0.2
L2 = 1e-5
# The transfer head averages its weights over every step of epochs 9..12 (0-based 8..11).
TRANSFER_AVERAGE_FROM: int | None = 8
# The full head's setting, chosen by ``--cv-report`` on the training posts (was lr 0.2, L2 1e-5:
# 5-fold CV macro F1 +0.026 ± 0.003 averaged over en/fr/de, every language up).
FULL_EPOCHS = 12
FULL_LR = 0.1
FULL_L2 = 3e-4
# The full head keeps its last weights (None); see ``--full-report`` for the comparison.
FULL_AVERAGE_FROM: int | None = None


def read_tsv(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        ti, li = header.index("text"), header.index("label")
        return [(row[ti], row[li]) for row in reader if len(row) > max(ti, li)]


def default_data_dir() -> Path:
    env = os.environ.get("SAMEN_SHARED_DIR")
    return Path(env) / "data" if env else ROOT.parent / "shared" / "data"


def load_training(data: Path, with_dev: bool) -> tuple[list[str], list[str | None], list[int]]:
    sent = data / "sentiment"
    texts: list[str] = []
    langs: list[str | None] = []
    labels: list[int] = []
    xlmt_en: set[str] = set()
    for lang in TRAIN_LANGUAGES:
        splits = ["train", "val"] if with_dev else ["train"]
        for split in splits:
            for text, label in read_tsv(sent / f"xlmt-{lang}-{split}.tsv"):
                texts.append(text)
                langs.append(lang)
                labels.append(S.LABELS.index(label))
    for split in ("train", "val"):
        xlmt_en.update(t for t, _ in read_tsv(sent / f"xlmt-en-{split}.tsv"))
    for text, label in read_tsv(sent / "tweeteval-en-val.tsv"):
        if text not in xlmt_en:
            texts.append(text)
            langs.append("en")
            labels.append(S.LABELS.index(label))
    return texts, langs, labels


def train(
    rows: list[tuple[list[int], list[float]]],
    y: np.ndarray,
    n_features: int,
    *,
    seed: int = SEED,
    average_from: int | None = None,
    epochs: int | None = None,
    lr: float | None = None,
    l2: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression, mini-batch AdaGrad with L2, balanced class weights.

    With ``average_from`` the result is the mean of the weights after every step of epochs
    ``average_from`` .. ``epochs - 1`` (iterate averaging) instead of the last weights.
    ``epochs``, ``lr`` and ``l2`` default to ``EPOCHS``, ``LR`` and ``L2`` (read at call time)."""
    last, averaged = train_both(
        rows, y, n_features, seed=seed, average_from=average_from, epochs=epochs, lr=lr, l2=l2
    )
    return averaged if averaged is not None else last


def train_both(
    rows: list[tuple[list[int], list[float]]],
    y: np.ndarray,
    n_features: int,
    *,
    seed: int = SEED,
    average_from: int | None = None,
    epochs: int | None = None,
    lr: float | None = None,
    l2: float | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray] | None]:
    """:func:`train`'s one run, giving both the last weights and (with ``average_from``) the
    averaged ones: averaging only watches the steps, so the last weights are those of a run
    without it, and one run compares the two."""
    epochs = EPOCHS if epochs is None else epochs
    lr = LR if lr is None else lr
    l2 = L2 if l2 is None else l2
    if average_from is not None and not 0 <= average_from < epochs:
        raise ValueError(f"average_from must be in 0..{epochs - 1}")
    rng = np.random.default_rng(seed)
    n = len(rows)
    idx = [np.asarray(r[0], dtype=np.int64) for r in rows]
    val = [np.asarray(r[1], dtype=np.float64) for r in rows]
    counts = np.bincount(y, minlength=3).astype(np.float64)
    cw = counts.sum() / (3 * np.maximum(counts, 1))
    W = np.zeros((n_features, 3))
    b = np.zeros(3)
    H = np.full((n_features, 3), 1e-8)
    Hb = np.full(3, 1e-8)
    Y = np.eye(3)[y]
    W_sum = np.zeros_like(W)
    b_sum = np.zeros_like(b)
    steps = 0
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, BATCH):
            batch = order[start : start + BATCH]
            bi = np.concatenate([idx[r] for r in batch])
            bv = np.concatenate([val[r] for r in batch])
            pos = np.repeat(np.arange(len(batch)), [len(idx[r]) for r in batch])
            Z = np.empty((len(batch), 3))
            for c in range(3):
                Z[:, c] = np.bincount(pos, weights=W[bi, c] * bv, minlength=len(batch))
            Z += b
            Z -= Z.max(axis=1, keepdims=True)
            P = np.exp(Z)
            P /= P.sum(axis=1, keepdims=True)
            err = (P - Y[batch]) * cw[y[batch]][:, None] / len(batch)
            uniq, inv = np.unique(bi, return_inverse=True)
            g = np.empty((len(uniq), 3))
            for c in range(3):
                g[:, c] = np.bincount(inv, weights=bv * err[pos, c], minlength=len(uniq))
            g += l2 * W[uniq]
            H[uniq] += g * g
            W[uniq] -= lr * g / np.sqrt(H[uniq])
            gb = err.sum(axis=0)
            Hb += gb * gb
            b -= lr * gb / np.sqrt(Hb)
            if average_from is not None and epoch >= average_from:
                W_sum += W
                b_sum += b
                steps += 1
    if average_from is not None:
        return (W, b), (W_sum / steps, b_sum / steps)
    return (W, b), None


def transfer_rows(
    rows: list[tuple[list[int], list[float]]],
) -> list[tuple[list[int], list[float]]]:
    out = []
    for i, v in rows:
        keep = [(a - S.N_BUCKETS, x) for a, x in zip(i, v, strict=True) if a >= S.N_BUCKETS]
        out.append(([a for a, _ in keep], [x for _, x in keep]))
    return out


def train_transfer(
    rows: list[tuple[list[int], list[float]]],
    langs: list[str | None],
    y: np.ndarray,
    seed: int = SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """The transfer head: shared features only, posts of the lexicon languages only, so that
    "no lexicon word" means the same in training as in a Dutch post; averaged iterates."""
    mine = [i for i, lang in enumerate(langs) if lang in LEXICON_LANGUAGES]
    return train(
        transfer_rows([rows[i] for i in mine]),
        y[mine],
        S.N_FEATURES - S.N_BUCKETS,
        seed=seed,
        average_from=TRANSFER_AVERAGE_FROM,
    )


def macro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    f1s = []
    for c in range(3):
        tp = float(((pred == c) & (gold == c)).sum())
        p = tp / max((pred == c).sum(), 1)
        r = tp / max((gold == c).sum(), 1)
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(f1s))


def transfer_predict(
    W: np.ndarray, b: np.ndarray, rows: list[tuple[list[int], list[float]]]
) -> np.ndarray:
    """Labels of the transfer head (weights rounded to float32 as shipped) for featurized
    posts given as :func:`transfer_rows`."""
    W = W.astype(np.float32).astype(np.float64)
    z = np.tile(b.astype(np.float32).astype(np.float64), (len(rows), 1))
    for k, (idx, val) in enumerate(rows):
        if idx:
            z[k] += np.asarray(val) @ W[np.asarray(idx, dtype=np.int64)]
    return z.argmax(axis=1)


TRANSFER_SEEDS = (SEED, 1, 2, 3, 4)
TRANSFER_SUBSETS = 4  # besides all the data: this many random 85% subsets


def transfer_report(data: Path) -> dict[str, list[float]]:
    """Macro F1 of the transfer head on xlmt-{en,fr,de}-val (featurized with no language, as
    Dutch-like "unknown language" posts are) for every seed and data subset; printed as
    mean and standard deviation. Trains on the train files only; never reads Dutch data."""
    texts, langs, labels = load_training(data, with_dev=False)
    y = np.asarray(labels)
    rows = [S.featurize(t, lang) for t, lang in zip(texts, langs, strict=True)]
    dev = {}
    for lang in LEXICON_LANGUAGES:
        pairs = read_tsv(data / "sentiment" / f"xlmt-{lang}-val.tsv")
        dev[lang] = (
            transfer_rows([S.featurize(t, None) for t, _ in pairs]),
            np.array([S.LABELS.index(lab) for _, lab in pairs]),
        )
    scores: dict[str, list[float]] = {lang: [] for lang in LEXICON_LANGUAGES}
    for subset in _subsets(len(rows)):
        sub_rows = [rows[i] for i in subset]
        sub_langs = [langs[i] for i in subset]
        for seed in TRANSFER_SEEDS:
            Wt, bt = train_transfer(sub_rows, sub_langs, y[subset], seed)
            for lang, (dev_rows, gold) in dev.items():
                scores[lang].append(macro_f1(transfer_predict(Wt, bt, dev_rows), gold))
    for lang, values in scores.items():
        v = np.asarray(values)
        print(
            f"transfer head on xlmt-{lang}-val: macro_f1 mean={v.mean():.3f} "
            f"sd={v.std(ddof=1):.4f} min={v.min():.3f} max={v.max():.3f} "
            f"(first: seed {SEED}, all data: {v[0]:.3f}; {len(v)} runs)",
            file=sys.stderr,
        )
    return scores


def macro_recall(pred: np.ndarray, gold: np.ndarray) -> float:
    recalls = [((pred == c) & (gold == c)).sum() / max((gold == c).sum(), 1) for c in range(3)]
    return float(np.mean(recalls))


def full_predict(
    W: np.ndarray, b: np.ndarray, rows: list[tuple[list[int], list[float]]]
) -> np.ndarray:
    """Labels of the full head (weights rounded to float16, bias to float32, as shipped) for
    posts featurized with their language."""
    W = W.astype(np.float16).astype(np.float64)
    z = np.tile(b.astype(np.float32).astype(np.float64), (len(rows), 1))
    for k, (idx, val) in enumerate(rows):
        if idx:
            z[k] += np.asarray(val) @ W[np.asarray(idx, dtype=np.int64)]
    return z.argmax(axis=1)


FULL_REPORT_LANGUAGES = ("en", "fr", "de")


def _subsets(n: int) -> list[np.ndarray]:
    """All rows, then ``TRANSFER_SUBSETS`` random 85% subsets (fixed seeds 1000, 1001, ...)."""
    subsets: list[np.ndarray] = [np.arange(n)]
    for k in range(TRANSFER_SUBSETS):
        rng = np.random.default_rng(1000 + k)
        subsets.append(np.sort(rng.choice(n, int(0.85 * n), replace=False)))
    return subsets


def full_report(data: Path) -> dict[str, dict[str, list[float]]]:
    """The full head's spread: trained on the train files (no val) under the seeds of
    ``TRANSFER_SEEDS`` and on all the data plus ``TRANSFER_SUBSETS`` random 85% subsets, it is
    scored on xlmt-{en,fr,de}-val (macro F1; macro recall for en) twice per run: with its last
    weights and with its weights averaged over epochs ``TRANSFER_AVERAGE_FROM + 1`` .. 12 (one
    run gives both). Prints mean and standard deviation of each, and the mean paired difference.
    Writes no model; never reads the Dutch evaluation set."""
    texts, langs, labels = load_training(data, with_dev=False)
    y = np.asarray(labels)
    rows = [S.featurize(t, lang) for t, lang in zip(texts, langs, strict=True)]
    dev = {}
    for lang in FULL_REPORT_LANGUAGES:
        pairs = read_tsv(data / "sentiment" / f"xlmt-{lang}-val.tsv")
        dev[lang] = (
            [S.featurize(t, lang) for t, _ in pairs],
            np.array([S.LABELS.index(lab) for _, lab in pairs]),
        )
    metrics = [f"{lang} macro_f1" for lang in FULL_REPORT_LANGUAGES] + ["en macro_recall"]
    scores: dict[str, dict[str, list[float]]] = {
        kind: {m: [] for m in metrics} for kind in ("last", "averaged")
    }
    for subset in _subsets(len(rows)):
        sub_rows = [rows[i] for i in subset]
        for seed in TRANSFER_SEEDS:
            last, averaged = train_both(
                sub_rows,
                y[subset],
                S.N_FEATURES,
                seed=seed,
                epochs=FULL_EPOCHS,
                lr=FULL_LR,
                l2=FULL_L2,
                # the shipped setting when the full head averages, else the transfer head's
                average_from=FULL_AVERAGE_FROM
                if FULL_AVERAGE_FROM is not None
                else TRANSFER_AVERAGE_FROM,
            )
            assert averaged is not None
            for kind, (W, b) in (("last", last), ("averaged", averaged)):
                for lang, (dev_rows, gold) in dev.items():
                    pred = full_predict(W, b, dev_rows)
                    scores[kind][f"{lang} macro_f1"].append(macro_f1(pred, gold))
                    if lang == "en":
                        scores[kind]["en macro_recall"].append(macro_recall(pred, gold))
    shipped = "averaged" if FULL_AVERAGE_FROM is not None else "last"
    for kind in ("last", "averaged"):
        for m in metrics:
            v = np.asarray(scores[kind][m])
            print(
                f"full head ({kind:8s}{', shipped' if kind == shipped else ''}) {m:16s} "
                f"mean={v.mean():.4f} sd={v.std(ddof=1):.4f} min={v.min():.3f} "
                f"max={v.max():.3f} (first: seed {SEED}, all data: {v[0]:.3f}; {len(v)} runs)",
                file=sys.stderr,
            )
    for m in metrics:
        d = np.asarray(scores["averaged"][m]) - np.asarray(scores["last"][m])
        print(
            f"averaged - last  {m:16s} mean={d.mean():+.4f} sd={d.std(ddof=1):.4f} "
            f"(se {d.std(ddof=1) / np.sqrt(len(d)):.4f})",
            file=sys.stderr,
        )
    return scores


CV_FOLDS = 5
CV_SEED = 20261207  # fixes the folds of --cv-report
CV_LANGUAGES = FULL_REPORT_LANGUAGES


class FullSetting(NamedTuple):
    """One training setting of the full head, as ``--cv-report`` compares them."""

    epochs: int
    lr: float
    l2: float
    average: bool  # average the iterates of the last third of the epochs (Polyak)

    @property
    def average_from(self) -> int | None:
        return self.epochs - self.epochs // 3 if self.average else None

    def __str__(self) -> str:
        avg = f", avg from epoch {self.epochs - self.epochs // 3 + 1}" if self.average else ""
        return f"epochs {self.epochs}, lr {self.lr:g}, l2 {self.l2:g}{avg}"


CURRENT_FULL = FullSetting(FULL_EPOCHS, FULL_LR, FULL_L2, average=FULL_AVERAGE_FROM is not None)
assert CURRENT_FULL.average_from == FULL_AVERAGE_FROM


def one_factor_grid(base: FullSetting = CURRENT_FULL) -> list[FullSetting]:
    """``base`` first, then every candidate that changes one factor of it."""
    out = [base]
    out += [base._replace(l2=v) for v in (1e-6, 1e-5, 1e-4, 3e-4) if v != base.l2]
    out += [base._replace(epochs=v) for v in (6, 12, 20) if v != base.epochs]
    out += [base._replace(lr=v) for v in (0.1, 0.2, 0.4) if v != base.lr]
    out.append(base._replace(average=not base.average))
    return out


def parse_setting(spec: str, base: FullSetting = CURRENT_FULL) -> FullSetting:
    """``"epochs=20,lr=0.1,l2=1e-4,avg=1"``: ``base`` with the named factors changed."""
    setting = base
    for item in filter(None, spec.split(",")):
        key, _, value = item.partition("=")
        if key == "epochs":
            setting = setting._replace(epochs=int(value))
        elif key == "lr":
            setting = setting._replace(lr=float(value))
        elif key == "l2":
            setting = setting._replace(l2=float(value))
        elif key == "avg":
            setting = setting._replace(average=value not in ("0", "no", "off", "false"))
        else:
            raise ValueError(f"unknown factor {key!r} in {spec!r}")
    return setting


def cv_folds(
    langs: Sequence[str | None], labels: Sequence[int], k: int = CV_FOLDS, seed: int = CV_SEED
) -> np.ndarray:
    """Fold (0..k-1) of every en/fr/de post, -1 for the others (es/it/pt: always trained on).

    Stratified by language and label: each (language, label) group is shuffled with ``seed``
    and dealt round-robin, continuing where the last group stopped, so the folds hold the
    same share of each group and their sizes differ by at most one post."""
    groups: dict[tuple[str, int], list[int]] = {}
    for i, (lang, label) in enumerate(zip(langs, labels, strict=True)):
        if lang in CV_LANGUAGES:
            groups.setdefault((lang, label), []).append(i)
    folds = np.full(len(langs), -1, dtype=np.int64)
    rng = np.random.default_rng(seed)
    dealt = 0
    for key in sorted(groups):
        members = rng.permutation(np.asarray(groups[key], dtype=np.int64))
        folds[members] = (dealt + np.arange(len(members))) % k
        dealt += len(members)
    return folds


CV_METRICS = (*(f"{lang} macro_f1" for lang in CV_LANGUAGES), "en macro_recall")


def _mean_se(v: np.ndarray) -> str:
    return f"{v.mean():.4f} ± {v.std(ddof=1) / np.sqrt(len(v)):.4f}"


def _signed(v: np.ndarray) -> str:
    return f"{v.mean():+.4f} ± {v.std(ddof=1) / np.sqrt(len(v)):.4f}"


def cv_report(
    data: Path, settings: Sequence[FullSetting], fold_seed: int = CV_SEED
) -> dict[FullSetting, dict[str, np.ndarray]]:
    """Choose the full head's training setting on training data only, without the dev sets.

    The full head's epochs, learning rate, L2 and averaging were never chosen by
    cross-validation, and the dev sets (324 posts a language) are too small and too often
    looked at to choose them. So: ``CV_FOLDS`` stratified folds over the en/fr/de training
    posts (:func:`cv_folds`); in each, the full head is trained as the script does (all six
    languages' training data, seed ``SEED``) minus the fold's en/fr/de posts, and scored on
    them per language (macro F1, and macro recall for en; float16 weights as shipped).
    Prints, per setting, the mean ± standard error over folds and the paired difference
    against ``settings[0]`` (the folds are shared). Writes no model; reads no dev or Dutch
    file."""
    texts, langs, labels = load_training(data, with_dev=False)
    y = np.asarray(labels)
    rows = [S.featurize(t, lang) for t, lang in zip(texts, langs, strict=True)]
    folds = cv_folds(langs, labels, seed=fold_seed)
    lang_arr = np.asarray(langs, dtype=object)
    scores = {s: {m: np.zeros(CV_FOLDS) for m in CV_METRICS} for s in settings}
    runs: dict[tuple[int, float, float], list[FullSetting]] = {}
    for s in settings:  # one run gives the last and the averaged weights
        runs.setdefault((s.epochs, s.lr, s.l2), []).append(s)
    for f in range(CV_FOLDS):
        train_idx = np.flatnonzero(folds != f)
        held_out = folds == f
        test = {lang: np.flatnonzero(held_out & (lang_arr == lang)) for lang in CV_LANGUAGES}
        sub_rows = [rows[i] for i in train_idx]
        for (epochs, lr, l2), group in runs.items():
            averaging = [s.average_from for s in group if s.average]
            last, averaged = train_both(
                sub_rows,
                y[train_idx],
                S.N_FEATURES,
                epochs=epochs,
                lr=lr,
                l2=l2,
                average_from=averaging[0] if averaging else None,
            )
            for s in group:
                W, b = averaged if s.average and averaged is not None else last
                for lang, idx in test.items():
                    pred = full_predict(W, b, [rows[i] for i in idx])
                    scores[s][f"{lang} macro_f1"][f] = macro_f1(pred, y[idx])
                    if lang == "en":
                        scores[s]["en macro_recall"][f] = macro_recall(pred, y[idx])
        print(f"fold {f + 1}/{CV_FOLDS} done", file=sys.stderr)
    base = settings[0]
    f1s = [f"{lang} macro_f1" for lang in CV_LANGUAGES]
    header = f"| setting | {' | '.join(CV_METRICS)} | mean en/fr/de macro_f1 |"
    print(f"{CV_FOLDS}-fold CV (fold seed {fold_seed}), mean ± se over folds", file=sys.stderr)
    print(header, file=sys.stderr)
    for s in settings:
        cells = " | ".join(_mean_se(scores[s][m]) for m in CV_METRICS)
        mean3 = np.mean([scores[s][m] for m in f1s], axis=0)
        print(f"| {s} | {cells} | {_mean_se(mean3)} |", file=sys.stderr)
    print(f"paired difference against {base}, mean ± se over folds", file=sys.stderr)
    print(header, file=sys.stderr)
    for s in settings[1:]:
        diffs = {m: scores[s][m] - scores[base][m] for m in CV_METRICS}
        cells = " | ".join(_signed(d) for d in diffs.values())
        mean3 = np.mean([diffs[m] for m in f1s], axis=0)
        print(f"| {s} | {cells} | {_signed(mean3)} |", file=sys.stderr)
    return scores


def report(data: Path, with_nl: bool = True) -> None:
    sent = data / "sentiment"
    sets = [(f"xlmt-{lang}-val", lang) for lang in ("en", "fr", "de")]
    if with_nl:  # each look at the evaluation-only Dutch set is mild tuning: count them
        sets.append(("nl-political-dev", "nl"))
    for name, lang in sets:
        rows = read_tsv(sent / f"{name}.tsv")
        gold = np.array([S.LABELS.index(lab) for _, lab in rows])
        for head_lang in (lang, None):
            pred = np.array([S.LABELS.index(S.classify(t, head_lang).label) for t, _ in rows])
            f1s, recs = [], []
            for c in range(3):
                tp = float(((pred == c) & (gold == c)).sum())
                p = tp / max((pred == c).sum(), 1)
                r = tp / max((gold == c).sum(), 1)
                recs.append(r)
                f1s.append(2 * p * r / (p + r) if p + r else 0.0)
            head = S.classify("x", head_lang).head
            print(
                f"{name:18s} head={head:8s} macro_f1={np.mean(f1s):.3f} "
                f"macro_recall={np.mean(recs):.3f} acc={(pred == gold).mean():.3f}",
                file=sys.stderr,
            )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default_data_dir())
    ap.add_argument("--with-dev", action="store_true")
    ap.add_argument("--report", action="store_true")
    ap.add_argument(
        "--no-nl", action="store_true", help="report without nl-political-dev (development)"
    )
    ap.add_argument(
        "--transfer-report",
        action="store_true",
        help="spread of the transfer head over seeds and data subsets on en/fr/de dev; "
        "writes no model",
    )
    ap.add_argument(
        "--full-report",
        action="store_true",
        help="spread of the full head over seeds and data subsets on en/fr/de dev, last "
        "against averaged weights; writes no model",
    )
    ap.add_argument(
        "--cv-report",
        action="store_true",
        help=f"{CV_FOLDS}-fold cross-validation of full-head training settings on the en/fr/de "
        "training posts (no dev data); writes no model",
    )
    ap.add_argument(
        "--cv-setting",
        action="append",
        metavar="SPEC",
        help="with --cv-report: compare the current setting with this one instead of the "
        "one-factor grid, e.g. epochs=20,lr=0.1,l2=1e-4,avg=1 (repeatable)",
    )
    ap.add_argument("--cv-seed", type=int, default=CV_SEED, help="with --cv-report: fold seed")
    ap.add_argument("--out", type=Path, default=S._DATA / "sentiment.npz")
    args = ap.parse_args(argv)
    if not (args.data / "sentiment").is_dir():
        print(f"error: no sentiment/ folder in {args.data}", file=sys.stderr)
        return 2
    if args.transfer_report:
        transfer_report(args.data)
        return 0
    if args.full_report:
        full_report(args.data)
        return 0
    if args.cv_report:
        settings = (
            [CURRENT_FULL, *(parse_setting(spec) for spec in args.cv_setting)]
            if args.cv_setting
            else one_factor_grid()
        )
        cv_report(args.data, settings, fold_seed=args.cv_seed)
        return 0
    texts, langs, labels = load_training(args.data, args.with_dev)
    y = np.asarray(labels)
    rows = [S.featurize(t, lang) for t, lang in zip(texts, langs, strict=True)]
    print(f"training on {len(rows)} posts", file=sys.stderr)
    W, b = train(
        rows,
        y,
        S.N_FEATURES,
        average_from=FULL_AVERAGE_FROM,
        epochs=FULL_EPOCHS,
        lr=FULL_LR,
        l2=FULL_L2,
    )
    Wt, bt = train_transfer(rows, langs, y)
    np.savez_compressed(
        args.out,
        full=W.astype(np.float16),
        full_bias=b.astype(np.float32),
        transfer=Wt.astype(np.float32),
        transfer_bias=bt.astype(np.float32),
        trained_languages=np.array(TRAIN_LANGUAGES),
    )
    print(f"wrote {args.out.name}", file=sys.stderr)
    if args.report:
        S._weights = S._Weights(args.out)  # the model just written, wherever --out put it
        S.clear_caches()
        report(args.data, with_nl=not args.no_nl)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
