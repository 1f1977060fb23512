"""The rule language as comms people write it: what parses, what it means, what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.understanding.rules import RuleSyntaxError, format_error, parse
from samen.understanding.rules.nodes import And, Field, Near, Not, Or, Phrase, Prefix, Term


@pytest.mark.parametrize(
    ("rule", "understood"),
    [
        ("zorg wachtlijst", "zorg AND wachtlijst"),
        ("zorg AND wachtlijst", "zorg AND wachtlijst"),
        ("zorg OR wachtlijst", "zorg OR wachtlijst"),
        ("a b OR c", "(a AND b) OR c"),
        ("a (b OR c)", "a AND (b OR c)"),
        ("zorg NOT spam", "zorg AND NOT spam"),
        ("zorg -spam", "zorg AND NOT spam"),
        ('zorg -"gratis proefpakket"', 'zorg AND NOT "gratis proefpakket"'),
        ("zorg -(spam OR reclame)", "zorg AND NOT (spam OR reclame)"),
        ("NOT NOT zorg", "zorg"),
        ('"Lange Wachtlijst"', '"lange wachtlijst"'),
        ("zorg NEAR/3 wachtlijst", "zorg NEAR/3 wachtlijst"),
        ('(zorg OR hulp) NEAR/5 "te lang"', '(zorg OR hulp) NEAR/5 "te lang"'),
        ("zorg*", "zorg*"),
        ("Santé*", "sante*"),
        ("Crème brûlée", "creme AND brulee"),
        ("Straße", "strasse"),
        ("lang:NL", "lang:nl"),
        ("source:mastodon", "source:mastodon"),
        ("from:@Gemeente", "from:@gemeente"),
        ("from:gemeente@social.example", "from:@gemeente@social.example"),
        ("#GeefOmJeDarm", "hashtag:geefomjedarm"),
        ("hashtag:#geefomjedarm", "hashtag:geefomjedarm"),
        ("@stopdarmkanker", "mention:@stopdarmkanker"),
        (
            "sentiment:negative intent:question urgent:true",
            ("sentiment:negative AND intent:question AND urgent:true"),
        ),
        ("e-mail", '"e mail"'),
        ("aujourd'hui", '"aujourd hui"'),
        ('"and"', '"and"'),
        ("“wachtlijst zorg”", '"wachtlijst zorg"'),
        ("https://gemeente.example/zorg", '"https gemeente example zorg"'),
    ],
)
def test_rules_parse_to_what_a_reader_expects(rule: str, understood: str) -> None:
    assert str(parse(rule)) == understood


def test_tree_shapes() -> None:
    assert parse("zorg NEAR/2 wacht*") == Near(Term("zorg"), Prefix("wacht"), 2)
    assert parse("a OR b OR (c OR d)") == Or((Term("a"), Term("b"), Term("c"), Term("d")))
    assert parse("a AND (b AND c)") == And((Term("a"), Term("b"), Term("c")))
    assert parse('-"x y" z') == And((Not(Phrase(("x", "y"))), Term("z")))
    assert parse("lang:fr") == Field("lang", "fr")


def _error(rule: str) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        parse(rule)
    return info.value


@pytest.mark.parametrize(
    ("rule", "code", "column", "token", "expected"),
    [
        ("", "empty_rule", 1, "", ("term",)),
        ("   ", "empty_rule", 1, "", ("term",)),
        ("zorg AND", "missing_operand", 6, "AND", ("term",)),
        ("zorg OR", "missing_operand", 6, "OR", ("term",)),
        ("zorg NOT", "missing_operand", 6, "NOT", ("term",)),
        ("(zorg OR)", "missing_operand", 9, "OR", ("term",)),
        ("OR zorg", "unexpected", 1, "OR", ("term",)),
        ("zorg AND OR x", "unexpected", 10, "OR", ("term",)),
        ("(zorg OR hulp", "unclosed_paren", 1, "(", ("rparen",)),
        ("a (b (c)", "unclosed_paren", 3, "(", ("rparen",)),
        ("zorg) hulp", "unmatched_paren", 5, ")", ()),
        ("()", "unexpected", 2, ")", ("term",)),
        ('zorg "lange wachtlijst', "unclosed_quote", 6, '"lange wachtlijst', ("quote",)),
        ('zorg ""', "empty_phrase", 6, '""', ()),
        ("zorg !!!", "empty_term", 6, "!!!", ()),
        ("zorg and hulp", "lowercase_operator", 6, "and", ("operator",)),
        ("zorg Or hulp", "lowercase_operator", 6, "Or", ("operator",)),
        ("not zorg", "lowercase_operator", 1, "not", ("operator",)),
        ("zorg NEAR wachtlijst", "near_distance", 6, "NEAR", ("near_distance",)),
        ("zorg NEAR/0 wachtlijst", "near_distance", 6, "NEAR/0", ("near_distance",)),
        ("zorg NEAR/99 wachtlijst", "near_distance", 6, "NEAR/99", ("near_distance",)),
        ("lang:nl NEAR/3 zorg", "near_operand", 1, "lang:nl", ("near_operand",)),
        ("zorg NEAR/3 (a b)", "near_operand", 13, "(", ("near_operand",)),
        ("a NEAR/3 b NEAR/3 c", "near_operand", 12, "NEAR/3", ("near_operand",)),
        ("zorg NEAR/3", "missing_operand", 6, "NEAR/3", ("term",)),
        ("z*", "bad_wildcard", 1, "z*", ()),
        ("zo*rg", "bad_wildcard", 1, "zo*rg", ()),
        ("*zorg", "bad_wildcard", 1, "*zorg", ()),
        ("e-mail*", "bad_wildcard", 1, "e-mail*", ()),
        ("taal:nl", "unknown_field", 1, "taal:nl", ("field_name",)),
        ("sentiment:boos", "bad_field_value", 1, "sentiment:boos", ("field_value",)),
        ("intent:vraag", "bad_field_value", 1, "intent:vraag", ("field_value",)),
        ("urgent:yes", "bad_field_value", 1, "urgent:yes", ("field_value",)),
        ("lang:", "bad_field_value", 1, "lang:", ("field_value",)),
        ("hashtag:a.b", "bad_field_value", 1, "hashtag:a.b", ("field_value",)),
        ("NOT spam", "only_negative", 1, "", ("positive",)),
        ("-spam -reclame", "only_negative", 1, "", ("positive",)),
    ],
)
def test_bad_rules_say_where_and_what_was_expected(
    rule: str, code: str, column: int, token: str, expected: tuple[str, ...]
) -> None:
    err = _error(rule)
    assert (err.code, err.column, err.token, err.expected) == (code, column, token, expected)
    assert err.as_dict()["column"] == column


def test_too_long_rule_is_refused() -> None:
    err = _error("zorg " * 1000)
    assert err.code == "too_long"
    assert err.params["length"] == 5000


def test_messages_in_three_languages() -> None:
    err = _error("(zorg OR hulp")
    assert format_error(err, "en") == (
        'Column 1: this "(" is never closed: expected a closing parenthesis ")".'
    )
    assert format_error(err, "nl") == (
        'Kolom 1: dit "(" wordt nergens gesloten: verwacht werd een sluithaakje ")".'
    )
    assert format_error(err, "fr").startswith("Colonne 1 : cette « ( » n'est jamais fermée")
    assert format_error(err, "nl-BE") == format_error(err, "nl")
    assert format_error(err, "de") == format_error(err, "en")  # no German templates yet
    assert str(err) == format_error(err, "en")


def test_message_names_field_choices_and_end_of_rule() -> None:
    assert "negative, neutral, positive" in format_error(_error("sentiment:boos"), "nl")
    assert "het einde van de regel" in format_error(_error("zorg AND ("), "nl")
    assert "la fin de la règle" in format_error(_error("zorg AND ("), "fr")


def test_every_error_code_has_all_three_languages() -> None:
    from samen.understanding.rules.errors import EXPECTED, MESSAGES

    for table in (MESSAGES, EXPECTED):
        for code, texts in table.items():
            assert set(texts) == {"en", "nl", "fr"}, code


def test_format_error_accepts_a_gettext_function() -> None:
    seen: list[str] = []

    def fake_gettext(s: str) -> str:
        seen.append(s)
        s = s.replace("Column", "Kolom").replace("this", "dit")
        return s.replace("closes nothing", "sluit niets af")

    out = format_error(_error("zorg)"), fake_gettext)
    assert out == 'Kolom 5: dit ")" sluit niets af.'
    assert seen == ['Column {column}: this ")" closes nothing.']


_ALPHABET = st.sampled_from(
    [*'abcé ß()"“”„*:#@-/0123456789{', "AND", "OR", "NOT", "NEAR/2", "NEAR", "and", "lang:"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=25).map("".join))
def test_any_text_parses_or_gets_a_positioned_error(rule: str) -> None:
    """Whatever a person types, Samen answers with a rule or a clear error - never a crash."""
    try:
        node = parse(rule)
    except RuleSyntaxError as err:
        assert 1 <= err.column <= len(rule) + 1
        for lang in ("nl", "fr", "en"):
            message = format_error(err, lang).replace(err.token, "")
            assert "{" not in message, message  # every placeholder filled
        return
    assert str(parse(str(node))) == str(node)  # what Samen shows it understood is a rule
