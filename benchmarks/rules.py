"""How fast do 10,000 listening rules run against a stream? Prints posts/s on one core.

Posts: the CrisisLex tweets from ../shared/data/events (real English posts) when present, plus
generated Dutch, French and German posts; without ../shared only generated posts. Rules: a
realistic mix as comms teams write them (single words, OR-groups, phrases taken from the posts,
prefixes, NOT, NEAR, hashtags, from:, lang:, sentiment:), in nl/fr/en/de, drawn from words of
middling frequency (topic words, not "the" and not one-off typos).

    python benchmarks/rules.py [--rules 10000] [--posts 50000] [--seed 1]

Times are CPU time of this process (one core). Prints: rules compiled per second, view
building rate, matching rate alone (the number the issue's goal is about: >= 100,000 posts/s
with 10,000 rules; measured on views built afresh for each pass, as a stream's are, and also
on the same views a second time) with the compiled loop where it was built and with the Python
loop, both together, and how many rules a post matches on average.
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from samen.understanding.rules import RuleSet, view_from_text
from samen.understanding.rules._text import tokens

NL = [
    "zorg",
    "wachtlijst",
    "gemeente",
    "afval",
    "container",
    "ophalen",
    "parkeren",
    "vergunning",
    "paspoort",
    "rijbewijs",
    "afspraak",
    "loket",
    "belasting",
    "toeslag",
    "huurtoeslag",
    "jeugdzorg",
    "wijkteam",
    "buurt",
    "overlast",
    "geluid",
    "fiets",
    "fietspad",
    "stoep",
    "lantaarnpaal",
    "kapot",
    "storing",
    "water",
    "stroom",
    "verwarming",
    "subsidie",
    "woning",
    "huur",
    "sociale",
    "huurwoning",
    "energie",
    "rekening",
    "klacht",
    "vraag",
    "antwoord",
    "hulp",
    "dank",
    "brug",
    "weg",
    "afgesloten",
    "omleiding",
    "bus",
    "tram",
    "trein",
    "vertraging",
    "station",
    "school",
    "leraar",
    "kinderen",
    "ouderen",
    "mantelzorg",
    "thuiszorg",
    "huisarts",
    "ziekenhuis",
    "vaccinatie",
    "griep",
    "corona",
    "test",
    "uitslag",
    "vuurwerk",
    "politie",
    "brand",
    "brandweer",
    "ongeluk",
    "gevaar",
    "storm",
    "regen",
    "hitte",
    "droogte",
    "dijk",
    "overstroming",
]
FR = [
    "mairie",
    "commune",
    "déchets",
    "collecte",
    "stationnement",
    "permis",
    "passeport",
    "rendez-vous",
    "guichet",
    "impôt",
    "allocation",
    "logement",
    "loyer",
    "aide",
    "quartier",
    "bruit",
    "vélo",
    "trottoir",
    "panne",
    "eau",
    "électricité",
    "chauffage",
    "subvention",
    "plainte",
    "question",
    "réponse",
    "merci",
    "pont",
    "route",
    "fermée",
    "déviation",
    "bus",
    "tram",
    "train",
    "retard",
    "gare",
    "école",
    "enseignant",
    "enfants",
    "personnes",
    "âgées",
    "soins",
    "médecin",
    "hôpital",
    "vaccination",
    "grippe",
    "police",
    "incendie",
    "pompiers",
    "accident",
    "danger",
    "tempête",
    "pluie",
    "chaleur",
    "crue",
]
DE = [
    "gemeinde",
    "müll",
    "abholung",
    "parken",
    "genehmigung",
    "reisepass",
    "führerschein",
    "termin",
    "steuer",
    "zuschuss",
    "wohnung",
    "miete",
    "hilfe",
    "nachbarschaft",
    "lärm",
    "fahrrad",
    "gehweg",
    "störung",
    "wasser",
    "strom",
    "heizung",
    "beschwerde",
    "frage",
    "antwort",
    "danke",
    "brücke",
    "straße",
    "gesperrt",
    "umleitung",
    "bus",
    "straßenbahn",
    "zug",
    "verspätung",
    "bahnhof",
    "schule",
    "lehrer",
    "kinder",
    "pflege",
    "arzt",
    "krankenhaus",
    "impfung",
    "polizei",
    "feuer",
    "feuerwehr",
    "unfall",
    "gefahr",
    "sturm",
    "regen",
    "hitze",
    "hochwasser",
]
FILLER = {
    "nl": [
        "de",
        "het",
        "een",
        "en",
        "is",
        "van",
        "in",
        "op",
        "voor",
        "met",
        "niet",
        "dat",
        "er",
        "al",
        "nog",
        "weer",
        "wel",
        "ook",
        "maar",
        "dan",
    ],
    "fr": [
        "le",
        "la",
        "les",
        "un",
        "une",
        "et",
        "est",
        "de",
        "du",
        "des",
        "en",
        "pour",
        "avec",
        "pas",
        "que",
        "il",
        "elle",
        "on",
        "mais",
        "très",
    ],
    "de": [
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "und",
        "ist",
        "von",
        "in",
        "auf",
        "für",
        "mit",
        "nicht",
        "dass",
        "es",
        "schon",
        "noch",
        "aber",
    ],
}
TOPIC = {"nl": NL, "fr": FR, "de": DE}


def shared_dir() -> Path | None:
    env = os.environ.get("SAMEN_SHARED_DIR")
    here = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared"
    return here if (here / "data").is_dir() else None


SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "te",
    "sa",
    "lu",
    "ver",
    "be",
    "ge",
    "ont",
    "stra",
    "chi",
    "nou",
    "bri",
    "pla",
    "tor",
    "wen",
    "dal",
    "mar",
    "fe",
    "zo",
]


def zipf_vocabulary(lang: str, rng: random.Random) -> tuple[list[str], list[float]]:
    """The language's topic words plus 4,000 made-up words, with Zipf-like frequencies
    (a few words are everywhere, most are rare), as in real text."""
    made_up = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(4000)
    }
    words = [*TOPIC[lang], *sorted(made_up)]
    rng.shuffle(words)
    cum, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += rank**-1.05
        cum.append(total)
    return words, cum


def load_posts(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(text, lang) pairs: real English tweets when available, generated nl/fr/de posts."""
    real: list[tuple[str, str]] = []
    shared = shared_dir()
    if shared is not None:
        path = shared / "data" / "events" / "crisislex-t6.tsv"
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                real.append((row["text"], "en"))
    rng.shuffle(real)
    real = real[: n // 2]
    out = list(real)
    langs = ["nl", "fr", "de"]
    vocab = {lang: zipf_vocabulary(lang, rng) for lang in langs}
    while len(out) < n:
        lang = rng.choice(langs)
        k = rng.randint(8, 30)
        words_, weights = vocab[lang]
        content = rng.choices(words_, cum_weights=weights, k=k)
        words = [w if rng.random() < 0.5 else rng.choice(FILLER[lang]) for w in content]
        if rng.random() < 0.2:
            words.append("#" + rng.choice(TOPIC[lang]))
        out.append((" ".join(words), lang))
    rng.shuffle(out)
    return out


def make_rules(n: int, posts: list[tuple[str, str]], rng: random.Random) -> list[str]:
    counts: collections.Counter[str] = collections.Counter()
    bigrams: collections.Counter[tuple[str, str]] = collections.Counter()
    for text, _ in posts[:40000]:
        toks = tokens(text)
        counts.update(t for t in toks if t.isalpha() and len(t) > 2)
        bigrams.update(
            (a, b)
            for a, b in itertools.pairwise(toks)
            if a.isalpha() and b.isalpha() and len(a) > 2 and len(b) > 2
        )
    ranked = [w for w, _ in counts.most_common()]
    topic_words = [w for ws in TOPIC.values() for w in ws]
    frequent_pairs = [" ".join(b) for b, c in bigrams.most_common(3000)[300:] if c > 1]
    langs = ["nl", "fr", "en", "de"]

    def word() -> str:
        # Rules name specific things (places, services, campaigns): words drawn from rank
        # 300 of the posts' vocabulary to its end, plus a few from the public-service topic
        # lists; a rule on a top-300 word such as "people" or "now" would be noise.
        if rng.random() < 0.05:
            return rng.choice(topic_words)
        return ranked[rng.randrange(min(300, len(ranked) - 1), len(ranked))]

    def phrase() -> str:
        if frequent_pairs and rng.random() < 0.5:
            return rng.choice(frequent_pairs)
        return f"{word()} {word()}"

    phrases = [phrase() for _ in range(2000)]

    def group(k: int) -> str:
        return "(" + " OR ".join(word() for _ in range(k)) + ")"

    rules: list[str] = []
    while len(rules) < n:
        r = rng.random()
        if r < 0.12:
            rule = word()
        elif r < 0.30:
            rule = group(rng.randint(2, 6))
        elif r < 0.45:
            rule = f"{word()} {group(rng.randint(2, 4))}"
        elif r < 0.55:
            rule = f'"{rng.choice(phrases)}"' if phrases else word()
        elif r < 0.63:
            stem = word()[: rng.randint(4, 6)]
            rule = f"{stem}* {word()}" if len(stem) >= 4 else word()
        elif r < 0.71:
            rule = f'{group(rng.randint(2, 4))} -{word()} -"{rng.choice(phrases or ["a b"])}"'
        elif r < 0.79:
            rule = f"lang:{rng.choice(langs)} {group(rng.randint(2, 5))}"
        elif r < 0.85:
            rule = f"#{word()} OR {word()}"
        elif r < 0.90:
            rule = f"{word()} NEAR/{rng.randint(2, 6)} {word()}"
        elif r < 0.94:
            rule = f"from:@{word()} OR @{word()}"
        elif r < 0.97:
            rule = f"sentiment:negative ({word()} OR {word()}*)"
        else:
            rule = f"lang:{rng.choice(langs)} source:mastodon intent:question {word()}"
        rules.append(rule)
    return rules


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", type=int, default=10_000)
    ap.add_argument("--posts", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    posts = load_posts(args.posts, rng)
    rules = make_rules(args.rules, posts, rng)
    print(
        f"posts: {len(posts):,} ({'real en + generated nl/fr/de' if shared_dir() else 'generated'})"
    )

    t0 = time.process_time()
    rs = RuleSet(list(enumerate(rules)), skip_invalid=True)
    t1 = time.process_time()
    print(
        f"rules: {len(rs):,} compiled in {t1 - t0:.2f} s "
        f"({len(rs) / (t1 - t0):,.0f} rules/s); invalid {len(rs.errors)}; "
        f"checked on every post {rs.always_checked}"
    )

    sentiments = ["negative", "neutral", "positive"]

    def build_views() -> list:
        return [
            view_from_text(
                text,
                lang=lang,
                source="mastodon",
                sentiment=sentiments[i % 3],
                intent="question" if i % 7 == 0 else "other",
                author=f"@user{i % 500}@social.example",
            )
            for i, (text, lang) in enumerate(posts)
        ]

    t0 = time.process_time()
    views = build_views()
    t1 = time.process_time()
    print(f"view building: {len(views) / (t1 - t0):,.0f} posts/s")

    def rate(ruleset: RuleSet) -> tuple[list[float], list[float], int]:
        # warm the per-word cache on a first pass, as a long-running stream would be
        for v in views[:5000]:
            ruleset.match_indexes(v)
        # CPU time of this process (one core), so other work on a shared machine does not
        # count; three passes, best and slowest printed. Each pass gets views built afresh (not
        # timed), as a stream's posts are new: a view keeps what matching built on it
        # (PostView.spaced), so a second pass over the same views measures less work.
        rates, again = [], []
        total = 0
        for _ in range(3):
            fresh = build_views()
            t0 = time.process_time()
            total = 0
            for v in fresh:
                total += len(ruleset.match_indexes(v))
            rates.append(len(fresh) / (time.process_time() - t0))
            t0 = time.process_time()
            for v in fresh:
                ruleset.match_indexes(v)
            again.append(len(fresh) / (time.process_time() - t0))
        return rates, again, total

    loop = "compiled loop (ADR 0107)" if rs.compiled else "Python loop: compiled one not built"
    rates, again, total = rate(rs)
    print(f"matches per post: {total / len(views):.2f}")
    print(
        f"rule matching alone, {len(rs):,} rules, {loop}: {max(rates):,.0f} posts/s "
        f"(new views each pass, best of 3; slowest {min(rates):,.0f})"
    )
    print(f"  the same views a second time: {max(again):,.0f} posts/s (best of 3)")
    if rs.compiled:
        plain = RuleSet(list(enumerate(rules)), skip_invalid=True, compiled=False)
        rates, _, plain_total = rate(plain)
        assert plain_total == total, "the two loops disagree"
        print(
            f"  the Python loop (SAMEN_PURE_PYTHON=1, or no C compiler at install): "
            f"{max(rates):,.0f} posts/s (best of 3; slowest {min(rates):,.0f})"
        )

    t0 = time.process_time()
    for i, (text, lang) in enumerate(posts):
        rs.match_indexes(view_from_text(text, lang=lang, sentiment=sentiments[i % 3]))
    t1 = time.process_time()
    print(f"view + matching: {len(posts) / (t1 - t0):,.0f} posts/s")


if __name__ == "__main__":
    main()
