"""What a post wants (question, complaint, praise, request, other) and whether it is urgent.

Rule based, in nl, fr, en and de, with cue lists written by the Samen developers. Rules rather
than a trained model because there is no licensed training data for it, and because a
conversation team must be able to see *why* a post was put on top: every decision carries the
cues that fired ("question mark", "word: storing", ...).

Urgent means a person should look now: danger to people (fire, injured, flooding), threats,
self-harm, or a service outage. Urgency is deliberately eager: a false alarm costs a glance,
a missed one can cost far more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import compress

from samen.understanding.text import fold, word_runs

__all__ = ["INTENTS", "URGENCY_KINDS", "IntentResult", "classify"]

INTENTS = ("question", "complaint", "praise", "request", "other")
URGENCY_KINDS = ("danger", "threat", "self_harm", "outage")

# Cues per class. Single words are matched against folded tokens; entries with a space or a
# "*" (prefix) are matched as phrases on the folded text, at word boundaries.
_CUES: dict[str, str] = {
    "question": """
        wie wat waar wanneer waarom hoe welke welk hoeveel hoelang weet iemand
        "is er" "zijn er" "kan ik" "kun je" "kunt u" "mag ik" "moet ik" "heeft iemand"
        qui quoi ou quand pourquoi comment quel quelle quels quelles combien
        "est-ce que" "est ce que" "peut-on" "savez-vous" "quelqu'un sait"
        who what where when why how which "does anyone" "anyone know" "is there" "are there"
        "can i" "do i" "should i" "how much" "how long"
        wer "was ist" "was kann" "was soll" "was macht" "was tun" wo wann warum wieso
        weshalb welche welcher welches "wie viel" wieviel
        "gibt es" "kann ich" "weiss jemand" "weiß jemand"
    """,
    "request": """
        graag alstublieft alsjeblieft aub svp gelieve verzoek "kunt u" "kun je" "zou u"
        "zouden jullie" "wilt u" "willen jullie" "help me" "stuur" "neem contact"
        "laat weten" "laat me weten" "graag een reactie" dm
        "s'il vous plait" "s'il te plait" stp "merci de" "pourriez-vous" "pouvez-vous"
        "pourriez vous" "pouvez vous" "aidez-moi" "contactez" "je demande" "nous demandons"
        please pls plz "could you" "can you" "would you" "help me" "let me know"
        "contact me" "send me" "we ask" "i ask" "kindly"
        bitte "konnen sie" "konnten sie" "konnt ihr" "helft" "helfen sie" "schickt"
        "melden sie" "ich bitte" "wir fordern" "wij eisen" "we eisen"
    """,
    "complaint": """
        klacht klachten "nog steeds" "nog altijd" "al weken" "al dagen" "al maanden"
        "wacht al" "geen reactie" "geen antwoord" "werkt niet" "doet het niet" kapot
        schandalig belachelijk waardeloos slecht "te laat" vertraging "niet te bereiken"
        onbereikbaar "nooit meer" teleurgesteld teleurstellend onacceptabel boos storing
        "lukt niet" "ligt eruit" "ligt plat" panne outage "is down" storung ausfall
        "weer niet" alweer "opnieuw niet" "wederom niet" "in de wacht" "niet normaal"
        crasht "loopt vast" foutmelding "ne repond pas" "encore en panne" "plante encore"
        "crashes" "keeps crashing" "still broken" "schon wieder" "wieder nicht"
        "sturzt ab" "sturzt standig" fehlermeldung
        plainte "toujours pas" "depuis des semaines" "depuis des jours" "ne marche pas"
        "ne fonctionne pas" "pas de reponse" "aucune reponse" inadmissible scandaleux
        honteux "en retard" retard nul lamentable decu decue inacceptable
        complaint "still not" "still waiting" "for weeks" "for days" "no response"
        "no answer" "not working" "doesn't work" "does not work" broken worst terrible
        awful useless "never again" refund disappointed unacceptable ridiculous
        beschwerde "immer noch" "seit wochen" "seit tagen" "keine antwort"
        "funktioniert nicht" "geht nicht" kaputt frechheit unverschamt unmoglich
        verspatung enttauscht katastrophe "nie wieder" inakzeptabel
    """,
    "praise": """
        bedankt dankjewel dankuwel "dank je" "dank u" "dank voor" "dank aan" top topper
        toppers geweldig fantastisch super chapeau compliment complimenten "goed gedaan"
        "goed werk" "mooi werk" prachtig trots proficiat gefeliciteerd hulde
        merci bravo felicitations genial geniale formidable excellent "bon travail"
        "beau travail" magnifique chapeau super
        thanks "thank you" thx congrats congratulations "well done" "great job"
        "good job" amazing awesome brilliant excellent fantastic wonderful kudos
        danke "vielen dank" glückwunsch gluckwunsch gratuliere toll klasse "gut gemacht"
        grossartig wunderbar hervorragend prima
    """,
}

_URGENT_CUES: dict[str, str] = {
    "danger": """
        "er is brand" "grote brand" "uitslaande brand" "brand in" "brand bij" "het brandt"
        explosie ontploffing gaslek gewonde gewonden gewond ongeluk
        overstroming "onder water" noodgeval "bel 112" 112 reanimatie bewusteloos
        "in gevaar" levensgevaar instorting ingestort aanrijding vermist vermiste
        incendie "au feu" explosion "fuite de gaz" blesse blesses accident inondation
        "en danger" urgence "appelez le 112" disparu disparue effondrement
        fire explosion "gas leak" injured injuries casualties accident flood flooding
        emergency 911 "in danger" trapped unconscious collapsed missing evacuate evacuation
        feuer "es brennt" explosion gasleck verletzte verletzt unfall uberschwemmung
        hochwasser notfall "in gefahr" lebensgefahr vermisst eingesturzt evakuierung
        tornado hurricane orkaan ouragan gaslucht rookontwikkeling "omgevallen boom"
        "boom over de weg" "boom op de weg" "odeur de gaz" "sent le gaz" "arbre tombe"
        "smell gas" "smells of gas" "fallen tree" gasgeruch "riecht nach gas"
        "umgesturzter baum"
    """,
    "threat": """
        "ik maak je af" "ik vermoord" "maak je dood" "ik kom je halen" "bom leggen"
        bommelding "ga schieten" "ik schiet" "jullie gaan eraan" "wacht maar af"
        "je vais te tuer" "je vais vous tuer" "on va vous" "alerte a la bombe"
        "menace de mort" "menaces de mort"
        "i will kill" "i'll kill" "gonna kill" "kill you" "shoot you" "bomb threat"
        "death threat" "death threats" "you will pay" "you're dead"
        "ich bringe dich um" "ich bring dich um" "bringe euch um" "bombendrohung"
        morddrohung morddrohungen "ihr werdet bezahlen"
    """,
    "self_harm": """
        zelfmoord suicide suicidaal "wil dood" "niet meer leven" "mezelf iets aandoen"
        "zie het niet meer zitten" "het niet meer zien zitten" "wil er niet meer zijn"
        "er een eind aan maken" "er een einde aan maken" "mezelf van kant"
        "me suicider" suicidaire "en finir" "mettre fin a mes jours" "me tuer"
        "envie de mourir"
        suicidal "kill myself" "end my life" "want to die" "self harm" "self-harm"
        "hurt myself" "no reason to live"
        selbstmord suizid suizidal "mich umbringen" "nicht mehr leben" "will sterben"
        "mir etwas antun" "keinen sinn mehr"
    """,
    "outage": """
        storing storingen "ligt eruit" "ligt plat" "ligt er uit" "is down" "platgelegd"
        "geen stroom" "geen water" "geen internet" stroomstoring "site werkt niet"
        "app werkt niet" "website werkt niet" onbereikbaar
        panne pannes "hors service" "en panne" "site inaccessible" coupure "pas de courant"
        "plus d'electricite" "pas d'electricite"
        outage outages "is down" "are down" "went down" "power cut" "power outage"
        "no power" "without power" "no electricity" "site down" "website down"
        storung storungen ausfall stromausfall "geht nicht mehr" "nicht erreichbar"
        "kein strom" "kein internet" "kein wasser"
    """,
}


_TOKEN_RE = re.compile(r"\w+|[.!?\n]")
_WORD_ONLY = re.compile(r"\w+")
# The look-ahead lets the engine skip positions where no alternative can start.
_LINK_OR_MENTION = re.compile(r"(?=[hw@])(?:https?://\S+|www\.\S+|@\w[\w.@-]*)")
_KINDS = ("complaint", "request", "question", "praise")

# One table for intent and urgency cues, so a post is scanned once:
# first word -> [(following words, cue as written (folded), kind)].
_Cue = tuple[tuple[str, ...], str, str]


def _compile(*tables: dict[str, str]) -> dict[str, list[_Cue]]:
    index: dict[str, list[_Cue]] = {}
    for table in tables:
        for kind, spec in table.items():
            for m in re.finditer(r'"([^"]+)"|(\S+)', spec):
                cue = fold(m.group(1) or m.group(2))
                words = tuple(_WORD_ONLY.findall(cue))
                if words:
                    index.setdefault(words[0], []).append((words[1:], cue, kind))
    return index


_INDEX = _compile(_CUES, _URGENT_CUES)
_URGENT_KINDS = frozenset(_URGENT_CUES)


def _by_next_word(index: dict[str, list[_Cue]]) -> dict[str, dict[str | None, list[_Cue]]]:
    """first word -> next word -> the cues of ``index[first]`` that can match there, in
    their order: every single-word cue, and the phrases whose second word is that word.
    Key None: a next word that starts no phrase (or no next word), so only the single
    words. Most cue words start many phrases ("is er", "is there" ...), and most of those
    fail on the next word already."""
    out: dict[str, dict[str | None, list[_Cue]]] = {}
    for first, cues in index.items():
        table: dict[str | None, list[_Cue]] = {None: [c for c in cues if not c[0]]}
        for second in {c[0][0] for c in cues if c[0]}:
            table[second] = [c for c in cues if not c[0] or c[0][0] == second]
        out[first] = table
    return out


_BY_NEXT = _by_next_word(_INDEX)


@dataclass(slots=True)
class IntentResult:
    """The intent, whether the post is urgent, and the cues behind both (for the inbox)."""

    intent: str
    urgent: bool
    reasons: list[str] = field(default_factory=list)
    urgency_reasons: list[str] = field(default_factory=list)


def _sentence_starts(folded: str) -> set[int]:
    """Indices (in the word list) of the words that start a sentence."""
    starts = {0}
    n = 0
    for tok in _TOKEN_RE.findall(folded):
        if tok in ".!?\n":
            starts.add(n)
        else:
            n += 1
    return starts


def _hits(
    folded: str, words: list[str] | None = None
) -> tuple[list[tuple[str, str, bool, bool]], bool]:
    """(kind, cue, at sentence start, is a phrase) for every cue in ``folded``, and whether
    the text holds a question mark. "At sentence start" is only worked out for a lone
    interrogative word (the only cue it matters for); it is False for the others.
    ``words``: the words of ``folded`` (``\\w+``) when the caller has them."""
    question_mark = "?" in folded
    index = _INDEX
    if words is None:
        words = word_runs(folded)
    out: list[tuple[str, str, bool, bool]] = []
    if index.keys().isdisjoint(words):  # most posts hold no cue at all
        return out, question_mark
    # Most words are no cue: find the few that are at C speed, then look only at those.
    at = list(compress(range(len(words)), map(index.__contains__, words)))
    starts: set[int] | None = None
    by_next = _BY_NEXT
    last = len(words) - 1
    for i in at:
        table = by_next[words[i]]
        cues = table.get(words[i + 1]) if i < last else None
        for rest, cue, kind in table[None] if cues is None else cues:
            # The second word of a phrase here is the next word (see _by_next_word).
            if len(rest) > 1 and tuple(words[i + 2 : i + 1 + len(rest)]) != rest[1:]:
                continue
            at_start = False
            if not rest and kind == "question":  # only a lone interrogative needs it
                if starts is None:
                    starts = _sentence_starts(folded)
                at_start = i in starts
            out.append((kind, cue, at_start, bool(rest)))
    return out, question_mark


# A clearly negative post that asks nothing is a complaint: the team should answer it.
COMPLAINT_FROM_SENTIMENT = 0.7


def classify(
    text: str,
    *,
    sentiment: str | None = None,
    sentiment_confidence: float = 0.0,
    folded: str | None = None,
    words: list[str] | None = None,
) -> IntentResult:
    """Intent and urgency of ``text``. ``sentiment`` (if known) breaks complaint/praise ties,
    and a confident negative sentiment makes an otherwise plain post a complaint.
    ``folded`` is ``fold(text)`` when the caller already has it (saves a pass), and
    ``words`` the words of ``folded`` (``\\w+``) when the caller has those too."""
    if "/" in text or "@" in text or "www" in text:
        stripped = _LINK_OR_MENTION.sub(" ", text)  # a cue inside a link or a handle is no cue
        if stripped != text:
            text = stripped
            folded = words = None
    hits, question_mark = _hits(fold(text) if folded is None else folded, words)
    if not hits and not question_mark:  # most posts: what the rules below give for no cue
        if sentiment == "negative" and sentiment_confidence >= COMPLAINT_FROM_SENTIMENT:
            reason = f"complaint: negative sentiment ({sentiment_confidence:.2f})"
            return IntentResult("complaint", False, [reason], [])
        return IntentResult("other", False, [], [])
    scores = dict.fromkeys(_KINDS, 0.0)
    reasons: list[str] = []
    urgency_reasons: list[str] = []
    for kind, cue, at_start, phrase in hits:
        reason = f"{kind}: {cue}"
        if kind in _URGENT_KINDS:
            if reason not in urgency_reasons:
                urgency_reasons.append(reason)
            continue
        weight = 1.0
        if kind == "question" and not phrase:
            # A lone interrogative counts only where a sentence starts, and then weakly:
            # "wat mooi" and "when we met" are no questions.
            if not at_start:
                continue
            weight = 0.5
        scores[kind] += weight
        reasons.append(reason)
    if question_mark:  # links are already gone: "?" in a URL asks nothing
        scores["question"] += 1.5
        reasons.append("question: question mark")
    if sentiment == "negative" and scores["complaint"]:
        scores["complaint"] += 0.5
    elif sentiment == "positive" and scores["praise"]:
        scores["praise"] += 0.5
    # A complaint phrased as a question ("waarom werkt het nog steeds niet?") is a complaint,
    # a polite request phrased as one ("kunt u ... ?") is a request; a lone interrogative
    # word without "?" is too little for a question.
    if scores["complaint"] > 0 and scores["complaint"] >= scores["praise"]:
        intent = "complaint"
    elif scores["request"] > 0:
        intent = "request"
    elif scores["question"] >= 1.0:
        intent = "question"
    elif scores["praise"] > 0 and sentiment != "negative":
        intent = "praise"
    elif sentiment == "negative" and sentiment_confidence >= COMPLAINT_FROM_SENTIMENT:
        intent = "complaint"
        reasons.append(f"complaint: negative sentiment ({sentiment_confidence:.2f})")
    else:
        intent = "other"
    return IntentResult(intent, bool(urgency_reasons), reasons, urgency_reasons)
