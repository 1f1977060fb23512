"""Matching: what a rule finds in real-looking posts; the fast path agrees with the plain one.

Every RuleSet test runs twice: with the Python loop and with the compiled one (ADR 0107),
which must give the same answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samen.sources.types import Author, Media, NormalizedPost
from samen.understanding import compiled
from samen.understanding.rules import (
    PostView,
    RuleSet,
    RuleSyntaxError,
    evaluate,
    matches,
    parse,
    view_from_post,
    view_from_text,
)
from samen.understanding.rules import match as match_module
from samen.understanding.rules.nodes import And, Field, Near, Node, Not, Or, Phrase, Prefix, Term

LOOPS = pytest.mark.parametrize(
    "compiled",
    [
        pytest.param(False, id="python"),
        pytest.param(
            True,
            id="compiled",
            marks=[
                pytest.mark.speedups,
                pytest.mark.skipif(
                    match_module._Matcher is None,
                    reason="the compiled matcher was not built (no C compiler at install)",
                ),
            ],
        ),
    ],
)

POST = (
    "De wachtlijst voor jeugdzorg in Utrecht is echt te lang. Wanneer komt er hulp? "
    "#GeefOmJeDarm @Gemeente_Utrecht"
)


@LOOPS
@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("wachtlijst", True),
        ("WACHTLIJST", True),
        ("wachtlijsten", False),
        ("jeugdzorg", True),
        ("zorg", False),  # a word is a whole word
        ("jeugd*", True),
        ("zorg*", False),
        ('"te lang"', True),
        ('"lang te"', False),
        ("wachtlijst NEAR/3 jeugdzorg", True),  # "wachtlijst voor jeugdzorg": 2 apart
        ("wachtlijst NEAR/1 jeugdzorg", False),
        ("jeugdzorg NEAR/2 wachtlijst", True),  # either order
        ('(hulp OR steun) NEAR/4 "te lang"', True),
        ("wachtlijst -spam", True),
        ("wachtlijst NOT utrecht", False),
        ("wachtlijst OR spam", True),
        ("spam OR reclame", False),
        ("#geefomjedarm", True),
        ("hashtag:GeefOmJeDarm", True),
        ("geefomjedarm", True),  # the hashtag's word is a word of the post
        ("@gemeente_utrecht", True),
        ("from:@anna", True),
        ("from:@anna@zorg.social", True),
        ("from:@anna@elders.social", False),
        ("lang:nl", True),
        ("lang:fr", False),
        ("source:mastodon", True),
        ("sentiment:negative", True),
        ("intent:question", True),
        ("intent:complaint", False),
        ("urgent:false", True),
        ("urgent:true", False),
        ("lang:nl (wachtlijst OR wachttijd) -(spam OR reclame)", True),
    ],
)
def test_rule_against_a_dutch_post(compiled: bool, rule: str, expected: bool) -> None:
    view = view_from_text(
        POST,
        author="@anna@zorg.social",
        lang="nl-NL",
        source="mastodon",
        sentiment="negative",
        intent="question",
    )
    assert matches(rule, view) is expected
    assert (RuleSet({"r": rule}, compiled=compiled).match(view) == ["r"]) is expected


def test_diacritics_and_case_are_folded_both_ways() -> None:
    view = view_from_text("L'hôpital de SAINT-ÉTIENNE est fermé; Straße gesperrt")
    assert matches("hopital", view)
    assert matches("Hôpital", view)
    assert matches('"saint etienne"', view)
    assert matches("saint-étienne", view)
    assert matches("ferme", view)
    assert matches("strasse", view)
    assert matches("straße", view)


def test_view_from_normalized_post_uses_its_fields() -> None:
    post = NormalizedPost(
        source="bluesky",
        external_id="at://x/1",
        text="Geen water meer in de Dorpsstraat",
        created_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
        author=Author(handle="buurman.bsky.social"),
        lang="nl",
        hashtags=["storing"],
        mentions=["@waterbedrijf.bsky.social"],
        media=[Media(url="https://img.example/1.jpg", alt_text="Lege kraan")],
    )
    view = view_from_post(post, sentiment="negative", urgent=True)
    for rule in (
        "source:bluesky",
        "from:buurman.bsky.social",
        "#storing",
        "mention:@waterbedrijf.bsky.social",
        "lang:nl",
        "urgent:true",
        "sentiment:negative",
        "kraan",  # alt text is part of what a post says
        '"geen water"',
    ):
        assert matches(rule, view), rule
    assert matches("lang:fr", view_from_post(post, lang="fr"))  # detection wins over the tag


@LOOPS
def test_ruleset_returns_ids_in_given_order_and_reports_bad_rules(compiled: bool) -> None:
    rules = {"b": "water", "a": "geen", "bad": "water AND", "c": "spam"}
    with pytest.raises(RuleSyntaxError) as info:
        RuleSet(rules, compiled=compiled)
    assert info.value.rule_id == "bad"  # type: ignore[attr-defined]
    rs = RuleSet(rules, skip_invalid=True, compiled=compiled)
    assert list(rs.errors) == ["bad"]
    assert len(rs) == 3
    assert rs.match(view_from_text("Geen water")) == ["b", "a"]


@LOOPS
def test_rules_without_anchor_are_still_checked(compiled: bool) -> None:
    rs = RuleSet({1: "water OR NOT lang:nl", 2: "lang:nl -water"}, compiled=compiled)
    assert rs.always_checked == 1
    assert rs.match(view_from_text("hallo", lang="fr")) == [1]
    assert rs.match(view_from_text("hallo", lang="nl")) == [2]
    assert rs.match(view_from_text("water", lang="nl")) == [1]


@LOOPS
def test_prefix_rules_share_the_word_cache_correctly(compiled: bool) -> None:
    rs = RuleSet({1: "zorg*", 2: "zorgverzekering", 3: "zo*", 4: "zorgen*"}, compiled=compiled)
    view = view_from_text("zorgverzekering")
    assert rs.match(view) == [1, 2, 3]
    assert rs.match(view) == [1, 2, 3]  # second time from the cache
    assert rs.match(view_from_text("zorgen")) == [1, 3, 4]


# --- property: the indexed, compiled matcher agrees with the plain reading of the tree ---------

VOCAB = ["zorg", "zorgen", "wacht", "wachtlijst", "lang", "te", "hulp", "cafe", "a", "ab", "abc"]
words = st.sampled_from(VOCAB)
fields = st.sampled_from(
    [
        Field("lang", "nl"),
        Field("lang", "fr"),
        Field("hashtag", "zorg"),
        Field("from", "anna"),
        Field("sentiment", "negative"),
        Field("urgent", "true"),
        Field("urgent", "false"),
    ]
)
positional = st.recursive(
    st.one_of(
        words.map(Term),
        st.sampled_from(["zo", "wa", "ab", "zorg", "wacht"]).map(Prefix),
        st.lists(words, min_size=2, max_size=3).map(lambda ws: Phrase(tuple(ws))),
    ),
    lambda inner: st.lists(inner, min_size=2, max_size=3).map(lambda cs: Or(tuple(cs))),
    max_leaves=4,
)
leaf = st.one_of(
    positional,
    fields,
    st.builds(Near, positional, positional, st.integers(min_value=1, max_value=4)),
)
trees: st.SearchStrategy[Node] = st.recursive(
    leaf,
    lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: And(tuple(cs))),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: Or(tuple(cs))),
    ),
    max_leaves=8,
)
posts = st.builds(
    lambda ws, tags, lang, author, sentiment, urgent: view_from_text(
        " ".join(ws) + "".join(f" #{t}" for t in tags),
        lang=lang,
        author=author,
        sentiment=sentiment,
        urgent=urgent,
    ),
    st.lists(words, max_size=12),
    st.lists(st.sampled_from(["zorg", "hulp"]), max_size=2),
    st.sampled_from(["nl", "fr", None]),
    st.sampled_from(["@anna@x.social", "bob", ""]),
    st.sampled_from(["negative", "positive", None]),
    st.booleans(),
)


def _reference(rule_trees: list[Node], view: PostView) -> list[int]:
    """The indexes of the rules that the plain reading of each tree says the post matches."""
    return [i for i, t in enumerate(rule_trees) if evaluate(t, view)]


def _assert_agrees(rule_trees: list[Node], views: list[PostView], *, compiled: bool) -> None:
    """A RuleSet of the trees (with the chosen loop) matches each view as the reference does."""
    rs = RuleSet(list(enumerate(rule_trees)), compiled=compiled)
    for view in views:
        expected = _reference(rule_trees, view)
        assert rs.match(view) == expected


@LOOPS
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(trees, min_size=1, max_size=8), st.lists(posts, min_size=1, max_size=5))
def test_compiled_matcher_agrees_with_reference(
    compiled: bool, rule_trees: list[Node], views: list
) -> None:
    _assert_agrees(rule_trees, views, compiled=compiled)


@LOOPS
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(trees, min_size=1, max_size=8), st.lists(posts, min_size=1, max_size=8))
def test_word_cache_emptied_mid_stream_loses_no_match(
    compiled: bool, rule_trees: list[Node], views: list
) -> None:
    """When the learned-word cache is full it is emptied before a post's words are learned:
    a word learned by an earlier post must not be forgotten for the post at hand."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(match_module, "_CACHE_LIMIT", 3)
        rs = RuleSet(list(enumerate(rule_trees)), compiled=compiled)
        for view in views:
            expected = _reference(rule_trees, view)
            assert rs.match(view) == expected
            assert rs.match(view) == expected


@settings(max_examples=200, deadline=None)
@given(trees)
def test_written_form_parses_back_to_the_same_meaning(tree: Node) -> None:
    """What the UI shows as "Samen understood" is itself a valid rule with the same meaning."""
    try:
        reparsed = parse(str(tree))
    except RuleSyntaxError as err:
        assert err.code == "only_negative"  # generated trees may lack a positive term
        return
    view = view_from_text("zorg wacht te lang hulp a ab #zorg", lang="nl", author="anna")
    assert evaluate(reparsed, view) == evaluate(tree, view)


# --- the shapes the matcher takes short cuts for: required fields, NOTs as vetoes ------------

anchored = st.one_of(
    words.map(Term),
    st.sampled_from(["zo", "wa", "ab"]).map(Prefix),
    st.lists(words, min_size=2, max_size=2).map(lambda ws: Phrase(tuple(ws))),
    st.lists(words, min_size=2, max_size=3).map(lambda ws: Or(tuple(Term(w) for w in ws))),
)
vetoes = st.one_of(
    words.map(lambda w: Not(Term(w))),
    st.lists(words, min_size=2, max_size=3).map(lambda ws: Not(Phrase(tuple(ws)))),
    st.lists(words, min_size=2, max_size=3).map(lambda ws: Not(Or(tuple(Term(w) for w in ws)))),
    fields.map(Not),
)
vetoed_rules = st.builds(
    lambda a, fs, ns: And((a, *fs, *ns)),
    anchored,
    st.lists(fields, max_size=2),
    st.lists(vetoes, min_size=0, max_size=3),
).filter(lambda n: len(n.children) >= 2)


@LOOPS
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(vetoed_rules, min_size=1, max_size=8), st.lists(posts, min_size=1, max_size=5))
def test_rules_with_required_fields_and_vetoes_agree_with_reference(
    compiled: bool, rule_trees: list[Node], views: list
) -> None:
    """``lang:nl (a OR b) -c -"d e"``: fields checked before any call, NOTs as vetoes."""
    _assert_agrees(rule_trees, views, compiled=compiled)


odd_words = st.sampled_from(["a", "b", "a b", "b a", "", "zorg", "zo rg", "a\x00b"])


@LOOPS
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            trees,
            st.lists(odd_words, min_size=2, max_size=3).map(lambda ws: Phrase(tuple(ws))),
            st.builds(
                lambda a, b: And((Phrase((a, b)), Not(Phrase((b, a))))), odd_words, odd_words
            ),
            st.sampled_from(["a", "zo", "a b", "zo r"]).map(Prefix),
            # predicates that search the joined words (not only anchors)
            st.builds(
                lambda a, p: And((Term(a), Not(Prefix(p)))),
                odd_words,
                st.sampled_from(["a", "b", "zo", "a b"]),
            ),
            st.builds(
                lambda a, ws: And((Term(a), Phrase(tuple(ws)))),
                odd_words,
                st.lists(odd_words, min_size=3, max_size=3),
            ),
        ),
        min_size=1,
        max_size=6,
    ),
    st.lists(
        st.builds(
            lambda ws, lang: PostView(tuple(ws), frozenset({("lang", lang)})),
            st.lists(odd_words, max_size=8),
            st.sampled_from(["nl", "fr"]),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_hand_made_words_with_spaces_agree_with_reference(
    compiled: bool, rule_trees: list[Node], views: list[PostView]
) -> None:
    """Phrases, pairs and prefixes are searched in the words joined by spaces; a word that
    itself holds a space (only a hand-made view or rule has one) must not fool that."""
    _assert_agrees(rule_trees, views, compiled=compiled)


@LOOPS
def test_a_word_holding_a_space_is_one_word(compiled: bool) -> None:
    """In a hand-made view, "b a" is one word: it does not start with "a", and "b", "a" are
    not two of its words, though the words joined by spaces read " b a c "."""
    view = PostView(("b a", "c"), frozenset())
    rules: dict[int, Node] = {
        1: And((Term("c"), Not(Prefix("a")))),
        2: And((Term("c"), Phrase(("b", "a", "c")))),
        3: And((Term("c"), Not(Phrase(("a", "c"))))),
        4: Phrase(("b a", "c")),
    }
    assert [i for i, r in rules.items() if evaluate(r, view)] == [1, 3, 4]
    assert RuleSet(rules, compiled=compiled).match(view) == [1, 3, 4]


# --- which loop runs ---------------------------------------------------------------------------


def _compiled_in_fresh_process(env: dict[str, str]) -> str:
    import os
    import subprocess
    import sys

    code = (
        "from samen.understanding.rules import RuleSet, match; "
        "print(match.COMPILED, RuleSet({1: 'a'}).compiled)"
    )
    clean = {k: v for k, v in os.environ.items() if k != "SAMEN_PURE_PYTHON"}
    done = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.speedups
@pytest.mark.skipif(match_module._Matcher is None, reason="the compiled matcher was not built")
def test_the_compiled_loop_is_used_where_built_unless_turned_off() -> None:
    assert _compiled_in_fresh_process({}) == "True True"
    assert _compiled_in_fresh_process({"SAMEN_PURE_PYTHON": "1"}) == "False False"
    assert _compiled_in_fresh_process({"SAMEN_PURE_PYTHON": "0"}) == "True True"  # as settings
    assert _compiled_in_fresh_process({"SAMEN_PURE_PYTHON": "false"}) == "True True"


def test_asking_for_the_compiled_loop_where_it_is_missing_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(match_module, "_Matcher", None)
    monkeypatch.setattr(match_module, "_NOT_BUILT", "it was not built (no C compiler)")
    assert RuleSet({1: "a"}, compiled=False).match(view_from_text("a")) == [1]
    with pytest.raises(RuntimeError, match="not there: it was not built"):
        RuleSet({1: "a"}, compiled=True)
    assert match_module.python_loop_reason().endswith("it was not built (no C compiler)")


@pytest.mark.speedups
@pytest.mark.skipif(match_module._Matcher is None, reason="the compiled matcher was not built")
def test_an_error_in_a_predicate_reaches_the_caller_from_the_compiled_loop() -> None:
    """A broken predicate must raise, not be taken as "no match" (which would lose matches
    silently)."""
    rs = RuleSet({1: "water zorg"}, compiled=True)

    def broken(view: PostView) -> bool:
        raise ValueError("broken predicate")

    rs._predicates[0] = broken
    with pytest.raises(ValueError, match="broken predicate"):
        rs.match(view_from_text("water en zorg"))


@LOOPS
def test_a_dropped_ruleset_is_freed(compiled: bool) -> None:
    """A worker builds a new RuleSet whenever a rule changes: the old one, with its thousands
    of compiled rules, must be freed (the compiled loop and the RuleSet refer to each other)."""
    import gc
    import weakref

    rs = RuleSet({1: "a b", 2: "c", 3: '"d e" -f'}, compiled=compiled)
    assert rs.match(view_from_text("a b c d e")) == [1, 2, 3]
    gone = weakref.ref(rs)
    del rs
    gc.collect()
    assert gone() is None


@pytest.mark.speedups
@pytest.mark.skipif(match_module._Matcher is None, reason="the compiled matcher was not built")
def test_a_compiled_loop_built_from_other_source_is_not_used(tmp_path: Path) -> None:
    """After a ``git pull`` without ``pip install -e .``, the old compiled loop would run
    against newer Python code: the Python loop runs instead, and the reason says what to do."""
    real = compiled.SOURCE
    assert match_module._load_compiled(real) == (match_module._Matcher, "")
    assert match_module._load_compiled(tmp_path / "absent.c")[0] is match_module._Matcher
    changed = tmp_path / "_speedups.c"
    changed.write_bytes(real.read_bytes() + b"\n/* changed */\n")
    loaded, why = match_module._load_compiled(changed)
    assert loaded is None
    assert "run pip install -e . again" in why


@pytest.mark.speedups
@pytest.mark.skipif(match_module._Matcher is None, reason="the compiled matcher was not built")
def test_the_compiled_loop_refuses_a_second_set_up_and_keyword_arguments() -> None:
    """Setting a Matcher up again would free what a running call reads: refused."""
    rs = RuleSet({1: "a", 2: "b c"}, compiled=True)
    fast = rs._fast
    assert fast is not None
    with pytest.raises(TypeError, match="set up once"):
        fast.__init__({}, rs._learn_known, {}, frozenset(), {}, {}, {}, [], [], ())  # type: ignore[misc]
    view = view_from_text("a b c")
    with pytest.raises(TypeError, match="view only"):
        fast(view, extra=1)  # type: ignore[call-arg]
    assert rs.match(view) == [1, 2]
