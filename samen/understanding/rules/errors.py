"""Errors of the listening-rule language, as data, plus their messages in nl, fr and en.

A bad rule raises :class:`RuleSyntaxError` carrying a *code* and *params* rather than a
finished sentence, so that each layer can say it in the reader's language: the pure core ships
message templates for nl, fr and en (below); the Django layer passes the active language (or a
gettext function) to :func:`format_error`. Columns are 1-based character positions in the rule
text, the way a person counts them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["EXPECTED", "MESSAGES", "RuleSyntaxError", "format_error"]


class RuleSyntaxError(ValueError):
    """A rule that cannot be understood.

    ``code`` names the problem (a key of :data:`MESSAGES`), ``column`` is where it is (1-based),
    ``token`` is the text found there ("" at the end of the rule), ``expected`` lists what would
    have been accepted (keys of :data:`EXPECTED`), and ``params`` holds any other values a
    message needs (a field name, a distance, ...).
    """

    def __init__(
        self,
        code: str,
        *,
        column: int,
        token: str = "",
        expected: tuple[str, ...] = (),
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.column = column
        self.token = token
        self.expected = tuple(expected)
        self.params = dict(params or {})
        super().__init__(format_error(self, "en"))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form for an API or a form error."""
        return {
            "code": self.code,
            "column": self.column,
            "token": self.token,
            "expected": list(self.expected),
            "params": dict(self.params),
        }


# What the parser can say it expected, in each language.
EXPECTED: dict[str, dict[str, str]] = {
    "term": {
        "en": 'a word, a "phrase", a field such as lang:nl, or "("',
        "nl": 'een woord, een "zinsdeel", een veld zoals lang:nl, of "("',
        "fr": 'un mot, une "expression", un champ comme lang:nl, ou « ( »',
    },
    "rparen": {
        "en": 'a closing parenthesis ")"',
        "nl": 'een sluithaakje ")"',
        "fr": "une parenthèse fermante « ) »",
    },
    "quote": {
        "en": 'a closing quote (")',
        "nl": 'een sluitend aanhalingsteken (")',
        "fr": 'un guillemet fermant (")',
    },
    "near_distance": {
        "en": "a distance written as NEAR/n, with n from 1 to {max_distance}",
        "nl": "een afstand geschreven als NEAR/n, met n van 1 tot {max_distance}",
        "fr": "une distance écrite NEAR/n, avec n de 1 à {max_distance}",
    },
    "near_operand": {
        "en": 'a word, a prefix*, a "phrase" or a (group OR of such words)',
        "nl": 'een woord, een begin*, een "zinsdeel" of een (groep OR van zulke woorden)',
        "fr": 'un mot, un début*, une "expression" ou un (groupe OR de tels mots)',
    },
    "field_value": {
        "en": "one of: {choices}",
        "nl": "een van: {choices}",
        "fr": "l'une des valeurs : {choices}",
    },
    "field_name": {
        "en": "one of the fields: {choices}",
        "nl": "een van de velden: {choices}",
        "fr": "l'un des champs : {choices}",
    },
    "operator": {
        "en": "AND, OR or NOT in capitals",
        "nl": "AND, OR of NOT in hoofdletters",
        "fr": "AND, OR ou NOT en majuscules",
    },
    "positive": {
        "en": "at least one word, phrase or field that must be present",
        "nl": "minstens één woord, zinsdeel of veld dat er wel in moet staan",
        "fr": "au moins un mot, une expression ou un champ qui doit être présent",
    },
}

# One template per error code and language. {column}, {token} and {expected} are always
# available; other names come from the error's params.
MESSAGES: dict[str, dict[str, str]] = {
    "empty_rule": {
        "en": "The rule is empty: write {expected}.",
        "nl": "De regel is leeg: schrijf {expected}.",
        "fr": "La règle est vide : écrivez {expected}.",
    },
    "too_long": {
        "en": "The rule is too long ({length} characters; at most {max_length}).",
        "nl": "De regel is te lang ({length} tekens; hoogstens {max_length}).",
        "fr": "La règle est trop longue ({length} caractères ; au plus {max_length}).",
    },
    "unexpected": {
        "en": "Column {column}: found {token}, but expected {expected}.",
        "nl": "Kolom {column}: {token} gevonden, maar verwacht werd {expected}.",
        "fr": "Colonne {column} : {token} trouvé, alors que l'on attendait {expected}.",
    },
    "missing_operand": {
        "en": "Column {column}: {token} needs something after it: expected {expected}.",
        "nl": "Kolom {column}: na {token} moet nog iets komen: verwacht werd {expected}.",
        "fr": "Colonne {column} : {token} doit être suivi de quelque chose : "
        "on attendait {expected}.",
    },
    "unclosed_paren": {
        "en": 'Column {column}: this "(" is never closed: expected {expected}.',
        "nl": 'Kolom {column}: dit "(" wordt nergens gesloten: verwacht werd {expected}.',
        "fr": "Colonne {column} : cette « ( » n'est jamais fermée : on attendait {expected}.",
    },
    "unmatched_paren": {
        "en": 'Column {column}: this ")" closes nothing.',
        "nl": 'Kolom {column}: dit ")" sluit niets af.',
        "fr": "Colonne {column} : cette « ) » ne ferme rien.",
    },
    "unclosed_quote": {
        "en": "Column {column}: the phrase that starts here is never closed: expected {expected}.",
        "nl": "Kolom {column}: het zinsdeel dat hier begint wordt nergens gesloten: "
        "verwacht werd {expected}.",
        "fr": "Colonne {column} : l'expression qui commence ici n'est jamais fermée : "
        "on attendait {expected}.",
    },
    "empty_phrase": {
        "en": "Column {column}: the phrase {token} contains no words.",
        "nl": "Kolom {column}: het zinsdeel {token} bevat geen woorden.",
        "fr": "Colonne {column} : l'expression {token} ne contient aucun mot.",
    },
    "empty_term": {
        "en": "Column {column}: {token} contains no letters or digits to search for.",
        "nl": "Kolom {column}: {token} bevat geen letters of cijfers om op te zoeken.",
        "fr": "Colonne {column} : {token} ne contient ni lettre ni chiffre à rechercher.",
    },
    "lowercase_operator": {
        "en": "Column {column}: {token} is ambiguous. Write {upper} in capitals to combine "
        'terms, or "{word}" in quotes to search for the word itself.',
        "nl": "Kolom {column}: {token} is dubbelzinnig. Schrijf {upper} in hoofdletters om "
        'termen te combineren, of "{word}" tussen aanhalingstekens om het woord zelf te zoeken.',
        "fr": "Colonne {column} : {token} est ambigu. Écrivez {upper} en majuscules pour "
        'combiner des termes, ou "{word}" entre guillemets pour chercher le mot lui-même.',
    },
    "near_distance": {
        "en": "Column {column}: {token} needs a distance: expected {expected}.",
        "nl": "Kolom {column}: {token} heeft een afstand nodig: verwacht werd {expected}.",
        "fr": "Colonne {column} : {token} a besoin d'une distance : on attendait {expected}.",
    },
    "near_operand": {
        "en": "Column {column}: NEAR can only join words and phrases; found {token}, "
        "expected {expected}.",
        "nl": "Kolom {column}: NEAR verbindt alleen woorden en zinsdelen; {token} gevonden, "
        "verwacht werd {expected}.",
        "fr": "Colonne {column} : NEAR ne relie que des mots et des expressions ; {token} "
        "trouvé, alors que l'on attendait {expected}.",
    },
    "bad_wildcard": {
        "en": "Column {column}: in {token} the * may only end a word of at least "
        "{min_prefix} letters, like zorg*.",
        "nl": "Kolom {column}: in {token} mag * alleen aan het eind staan van een woord van "
        "minstens {min_prefix} letters, zoals zorg*.",
        "fr": "Colonne {column} : dans {token}, * ne peut terminer qu'un mot d'au moins "
        "{min_prefix} lettres, comme santé*.",
    },
    "unknown_field": {
        "en": "Column {column}: {field}: is not a field we know; expected {expected}.",
        "nl": "Kolom {column}: {field}: is geen bekend veld; verwacht werd {expected}.",
        "fr": "Colonne {column} : {field}: n'est pas un champ connu ; on attendait {expected}.",
    },
    "bad_field_value": {
        "en": "Column {column}: {field}:{value} is not possible; expected {expected}.",
        "nl": "Kolom {column}: {field}:{value} kan niet; verwacht werd {expected}.",
        "fr": "Colonne {column} : {field}:{value} n'est pas possible ; on attendait {expected}.",
    },
    "only_negative": {
        "en": "This rule only says what must be absent, so it would match almost every post; "
        "add {expected}.",
        "nl": "Deze regel zegt alleen wat er niet in mag staan en zou dus bijna elk bericht "
        "vinden; voeg {expected} toe.",
        "fr": "Cette règle ne dit que ce qui doit être absent et retiendrait donc presque tous "
        "les messages ; ajoutez {expected}.",
    },
}

LANGUAGES = ("en", "nl", "fr")


_END_OF_RULE = {
    "en": "the end of the rule",
    "nl": "het einde van de regel",
    "fr": "la fin de la règle",
}


def _describe_token(token: str, lang: str) -> str:
    if token:
        return f"«{token}»" if lang == "fr" else f"'{token}'"
    return _END_OF_RULE[lang]


def format_error(
    err: RuleSyntaxError,
    translate: str | Callable[[str], str] = "en",
) -> str:
    """Say what is wrong with a rule in the reader's language.

    ``translate`` is a language code ("nl", "fr", "en"; anything else falls back to English,
    a regional variant such as "nl-be" uses its base language) or a gettext-like function that
    receives the English template and returns the translated one.
    """
    if callable(translate):
        lang = "en"
        tr: Callable[[str], str] = translate
    else:
        lang = (translate or "en").lower().replace("_", "-").split("-")[0]
        if lang not in LANGUAGES:
            lang = "en"
        tr = _identity
    params: dict[str, Any] = dict(err.params)
    expected_parts = []
    for key in err.expected:
        template = EXPECTED.get(key, {}).get(lang) or key
        expected_parts.append(tr(template).format_map(_Defaulting(params)))
    joiner = {"en": " or ", "nl": " of ", "fr": " ou "}[lang]
    params["expected"] = tr(joiner).join(expected_parts) if expected_parts else "?"
    params["column"] = err.column
    params["token"] = _describe_token(err.token, lang)
    template = MESSAGES.get(err.code, {}).get(lang) or err.code
    return tr(template).format_map(_Defaulting(params))


def _identity(s: str) -> str:
    return s


class _Defaulting(dict):  # type: ignore[type-arg]
    """format_map helper: a missing parameter shows as its name instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
