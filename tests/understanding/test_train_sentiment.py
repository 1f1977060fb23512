"""scripts/train_sentiment.py: deterministic training, iterate averaging for the transfer head,
the transfer report's scoring agrees with the shipped classifier, and --cv-report's folds."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from samen.understanding import sentiment as S

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_sentiment.py"


@pytest.fixture(scope="module")
def T() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_sentiment", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _noisy_toy(
    seed: int = 0, n: int = 600
) -> tuple[list[tuple[list[int], list[float]]], np.ndarray]:
    """Three classes over 12 features, each post showing 3 of them, with 30% label noise."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for _ in range(n):
        c = int(rng.integers(3))
        feats = sorted({int(4 * c + rng.integers(4)), int(rng.integers(12)), int(rng.integers(12))})
        rows.append((feats, [1.0] * len(feats)))
        labels.append(c if rng.random() > 0.3 else int(rng.integers(3)))
    return rows, np.array(labels)


def test_training_is_deterministic_with_and_without_averaging(T: ModuleType) -> None:
    rows, y = _noisy_toy()
    for average_from in (None, T.TRANSFER_AVERAGE_FROM):
        a = T.train(rows, y, 12, average_from=average_from)
        b = T.train(rows, y, 12, average_from=average_from)
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
    last, _ = T.train(rows, y, 12)
    averaged, _ = T.train(rows, y, 12, average_from=T.TRANSFER_AVERAGE_FROM)
    assert not np.array_equal(last, averaged)


def test_averaging_is_the_mean_of_the_iterates(
    T: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One batch per epoch, so every step ends an epoch; a run of fewer epochs is the start of
    # a longer one (same shuffles), so the averaged weights are the mean of shorter runs.
    rows, y = _noisy_toy(n=T.BATCH)
    W_avg, b_avg = T.train(rows, y, 12, average_from=T.TRANSFER_AVERAGE_FROM)
    epochs = T.EPOCHS
    runs = []
    for e in range(T.TRANSFER_AVERAGE_FROM + 1, epochs + 1):
        monkeypatch.setattr(T, "EPOCHS", e)
        runs.append(T.train(rows, y, 12))
    np.testing.assert_allclose(W_avg, np.mean([W for W, _ in runs], axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b_avg, np.mean([b for _, b in runs], axis=0), rtol=1e-12, atol=1e-15)


def test_averaged_weights_still_fit(T: ModuleType) -> None:
    rows, y = _noisy_toy()
    truth = np.array([i // 4 for i in range(12)])
    W, _ = T.train(rows, y, 12, average_from=T.TRANSFER_AVERAGE_FROM)
    assert (W.argmax(axis=1) == truth).all()


@pytest.mark.parametrize("average_from", [-1, 12, 99])
def test_average_from_must_name_a_training_epoch(T: ModuleType, average_from: int) -> None:
    rows, y = _noisy_toy(n=30)
    with pytest.raises(ValueError, match="average_from"):
        T.train(rows, y, 12, average_from=average_from)


def test_transfer_report_scores_like_the_shipped_transfer_head(T: ModuleType) -> None:
    texts = [
        "Wat een geweldige hulp, heel erg bedankt! 😍",
        "Schandalig, al drie weken geen reactie 😡",
        "Morgen om 10 uur debat over de begroting https://example.org",
        "C'est une honte, service nul.",
        "Vielen Dank, das war toll!",
    ]
    with np.load(S._DATA / "sentiment.npz") as data:
        W, b = data["transfer"], data["transfer_bias"]
    rows = T.transfer_rows([S.featurize(t, None) for t in texts])
    got = [S.LABELS[i] for i in T.transfer_predict(W, b, rows)]
    assert got == [S.classify(t, None).label for t in texts]
    assert {S.classify(t, None).head for t in texts} == {"transfer"}


def test_one_run_gives_the_last_and_the_averaged_weights(T: ModuleType) -> None:
    # Averaging only watches the steps: --full-report compares both from one run.
    rows, y = _noisy_toy()
    (W_last, b_last), averaged = T.train_both(rows, y, 12, average_from=T.TRANSFER_AVERAGE_FROM)
    assert averaged is not None
    W_plain, b_plain = T.train(rows, y, 12)
    W_avg, b_avg = T.train(rows, y, 12, average_from=T.TRANSFER_AVERAGE_FROM)
    assert W_last.tobytes() == W_plain.tobytes() and b_last.tobytes() == b_plain.tobytes()
    assert averaged[0].tobytes() == W_avg.tobytes() and averaged[1].tobytes() == b_avg.tobytes()
    assert T.train_both(rows, y, 12)[1] is None


def test_full_head_keeps_its_last_weights(T: ModuleType) -> None:
    # Averaging the full head was measured (--full-report) and not adopted: see the model card.
    assert T.FULL_AVERAGE_FROM is None


def test_full_report_scores_like_the_shipped_full_head(T: ModuleType) -> None:
    posts = [
        ("What a great help, thank you so much! 😍", "en"),
        ("Three weeks and still no answer. Disgraceful.", "en"),
        ("Debate on the budget tomorrow at 10 https://example.org", "en"),
        ("C'est une honte, service nul.", "fr"),
        ("Merci beaucoup, c'était super !", "fr"),
        ("Vielen Dank, das war toll!", "de"),
        ("Schon wieder Verspätung, einfach schlecht.", "de"),
    ]
    with np.load(S._DATA / "sentiment.npz") as data:
        W, b = data["full"], data["full_bias"]
    rows = [S.featurize(t, lang) for t, lang in posts]
    got = [S.LABELS[i] for i in T.full_predict(W, b, rows)]
    assert got == [S.classify(t, lang).label for t, lang in posts]
    assert {S.classify(t, lang).head for t, lang in posts} == {"full"}


def test_cv_folds_are_stratified_disjoint_and_cover_every_post(T: ModuleType) -> None:
    # --cv-report: every en/fr/de post is held out in exactly one fold, each fold has the same
    # share of every (language, label) group, other languages are always trained on.
    rng = np.random.default_rng(0)
    langs = [str(x) for x in rng.choice(["en", "fr", "de", "es", "it", "pt"], size=997)]
    labels = [int(x) for x in rng.integers(3, size=997)]
    folds = T.cv_folds(langs, labels, k=5, seed=1)
    counted = [i for i, lang in enumerate(langs) if lang in ("en", "fr", "de")]
    assert set(folds[counted].tolist()) == set(range(5))  # held out once, in a fold 0..4
    assert all(folds[i] == -1 for i, lang in enumerate(langs) if lang not in ("en", "fr", "de"))
    held_out = [set(np.flatnonzero(folds == f).tolist()) for f in range(5)]
    assert sum(len(h) for h in held_out) == len(counted)  # disjoint ...
    assert set().union(*held_out) == set(counted)  # ... and covering every en/fr/de post
    sizes = [len(h) for h in held_out]
    assert max(sizes) - min(sizes) <= 1
    for lang in ("en", "fr", "de"):
        for label in range(3):
            group = [i for i in counted if langs[i] == lang and labels[i] == label]
            per_fold = np.bincount(folds[group], minlength=5)
            assert per_fold.max() - per_fold.min() <= 1, (lang, label, per_fold)
    assert T.cv_folds(langs, labels, k=5, seed=1).tobytes() == folds.tobytes()
    assert T.cv_folds(langs, labels, k=5, seed=2).tobytes() != folds.tobytes()


def test_cv_settings(T: ModuleType) -> None:
    current = T.CURRENT_FULL  # what main() trains the full head with
    assert tuple(current[:3]) == (T.FULL_EPOCHS, T.FULL_LR, T.FULL_L2)
    assert current.average_from == T.FULL_AVERAGE_FROM
    grid = T.one_factor_grid()
    assert grid[0] == current and len(set(grid)) == len(grid) >= 9
    assert all(sum(a != b for a, b in zip(s, current, strict=True)) == 1 for s in grid[1:])
    s = T.parse_setting("epochs=20,l2=1e-4,avg=1")
    assert s == T.FullSetting(20, current.lr, 1e-4, average=True) and s.average_from == 14
    with pytest.raises(ValueError, match="unknown factor"):
        T.parse_setting("batch=64")


def test_the_transfer_heads_setting_is_not_the_full_heads(T: ModuleType) -> None:
    # The full head's lr and L2 were chosen by --cv-report; the transfer head (Dutch) keeps its
    # own, and train()'s defaults are the transfer head's.
    assert (T.EPOCHS, T.LR, T.L2, T.TRANSFER_AVERAGE_FROM) == (12, 0.2, 1e-5, 8)
    assert (T.FULL_EPOCHS, T.FULL_LR, T.FULL_L2, T.FULL_AVERAGE_FROM) == (12, 0.1, 3e-4, None)
