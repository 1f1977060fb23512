"""Texts of the demo: the organisation's social media guidelines in two versions, and hub
items. Written by the Samen developers for the demo city Samenburg."""

from __future__ import annotations

GUIDELINES_V1 = {
    "nl": """## Onze hoofdregel: gebruik je gezond verstand

Je mag over je werk praten op sociale media. Sterker nog: we zijn er trots op als je dat doet.
Niemand kan beter vertellen wat er bij de stad gebeurt dan de mensen die het doen.

### Wat we van je vragen

- **Spreek voor jezelf.** Schrijf "ik", niet "wij". Antwoorden namens de stad laat je aan het
  conversatieteam.
- **Wees vriendelijk en eerlijk**, ook als iemand dat niet is. Twijfel je, reageer dan niet
  en geef het door.
- **Wat vertrouwelijk is, blijft binnen.** Geen namen of gegevens van burgers, geen interne
  documenten, geen beslissingen die nog niet genomen zijn.
- **Foto's van collega's** deel je alleen als zij het goed vinden.

### Hulp nodig?

Zie je een vraag of klacht over de stad? Stuur ze door naar het conversatieteam via
[communicatie@stad.example](mailto:communicatie@stad.example). Zij antwoorden snel en met
mandaat.
""",
    "fr": """## Notre règle principale : faites preuve de bon sens

Vous pouvez parler de votre travail sur les réseaux sociaux. Mieux : nous sommes fiers quand
vous le faites. Personne ne raconte mieux ce qui se passe à la ville que celles et ceux qui
le font.

### Ce que nous vous demandons

- **Parlez en votre nom.** Écrivez « je », pas « nous ». Les réponses au nom de la ville
  reviennent à l'équipe de conversation.
- **Restez aimable et honnête**, même si l'autre ne l'est pas. En cas de doute, ne répondez
  pas et transmettez.
- **Ce qui est confidentiel reste à l'intérieur.** Pas de noms ni de données de citoyens, pas
  de documents internes, pas de décisions qui ne sont pas encore prises.
- **Les photos de collègues** ne se partagent qu'avec leur accord.

### Besoin d'aide ?

Vous voyez une question ou une plainte au sujet de la ville ? Transmettez-la à l'équipe de
conversation via [communicatie@stad.example](mailto:communicatie@stad.example). Elle répond
vite, avec mandat.
""",
    "en": """## Our main rule: use your common sense

You are welcome to talk about your work on social media. Better still: we are proud when you
do. Nobody can tell what happens at the city better than the people who do it.

### What we ask of you

- **Speak for yourself.** Write "I", not "we". Answers on behalf of the city are for the
  conversation team.
- **Be kind and honest**, even when others are not. When in doubt, do not reply: pass it on.
- **What is confidential stays inside.** No names or data of residents, no internal
  documents, no decisions that have not been taken yet.
- **Photos of colleagues** are shared only when they agree.

### Need help?

Do you see a question or a complaint about the city? Pass it on to the conversation team at
[communicatie@stad.example](mailto:communicatie@stad.example). They answer quickly, with a
mandate.
""",
}

_V2_EXTRA = {
    "nl": """
### Nieuw: beelden gemaakt met AI

Deel je een beeld dat met AI is gemaakt of bewerkt, zeg dat er dan bij. Zo blijft wat we
tonen geloofwaardig.

### Bij een crisis

Bij een noodsituatie spreekt alleen het conversatieteam namens de stad. Deel gerust hun
berichten; zo helpen ze het snelst.
""",
    "fr": """
### Nouveau : les images créées avec l'IA

Si vous partagez une image créée ou retouchée avec l'IA, dites-le. Ce que nous montrons reste
ainsi crédible.

### En cas de crise

En situation d'urgence, seule l'équipe de conversation parle au nom de la ville. Partagez
volontiers ses messages : c'est ainsi qu'ils aident le plus vite.
""",
    "en": """
### New: images made with AI

When you share an image made or edited with AI, say so. That keeps what we show credible.

### In a crisis

In an emergency only the conversation team speaks on behalf of the city. Do share their
posts: that is how they help fastest.
""",
}

GUIDELINES_V2 = {lang: GUIDELINES_V1[lang] + _V2_EXTRA[lang] for lang in ("nl", "fr", "en")}

# (title, url, nl, fr, en, department ("" = everyone), days until the end)
HUB_ITEMS = [
    ("Nieuwe fietsstraten in het centrum", "https://stad.example/nieuws/fietsstraten",
     "Vanaf maandag zijn vier straten in het centrum fietsstraat. Auto's zijn te gast, "
     "fietsers hebben voorrang. #Samenburg 🚲",
     "Dès lundi, quatre rues du centre deviennent des rues cyclables. Les voitures y sont "
     "invitées, les cyclistes ont la priorité. #Samenburg 🚲",
     "From Monday four streets in the centre become cycle streets: cars are guests, cyclists "
     "go first. #Samenburg 🚲", "", 21),
    ("We zoeken collega's voor de dienst Burgerzaken", "https://stad.example/vacatures/burgerzaken",
     "Werken met mensen, elke dag? Bij Burgerzaken zoeken we nieuwe collega's. Ik werk er "
     "zelf graag!",
     "Travailler avec les gens, chaque jour ? Le service Population recrute. J'y travaille "
     "avec plaisir !",
     "Working with people, every day? Civil Affairs is hiring. I enjoy working there myself!",
     "Burgerzaken", 30),
    ("Open Monumentendag: het stadhuis zet de deuren open",
     "https://stad.example/agenda/open-monumentendag",
     "Zondag kan je gratis binnen in het stadhuis, ook in de zolders. Rondleidingen om 10 en "
     "14 uur.",
     "Dimanche, l'hôtel de ville ouvre gratuitement ses portes, greniers compris. Visites à "
     "10 h et 14 h.",
     "On Sunday the town hall opens its doors for free, attics included. Tours at 10 am and "
     "2 pm.", "", 10),
    ("Afvalkalender 2027 staat online", "https://stad.example/afval/kalender-2027",
     "De afvalkalender voor 2027 staat online. Tip: zet hem in je agenda met één klik.",
     "Le calendrier des collectes 2027 est en ligne. Astuce : ajoutez-le à votre agenda en un "
     "clic.",
     "The 2027 waste collection calendar is online. Tip: add it to your calendar in one "
     "click.", "", 45),
    ("Bedankt, vrijwilligers van de winterhulp", "https://stad.example/nieuws/winterhulp",
     "Meer dan 200 vrijwilligers hielpen deze winter buren in nood. Dank je wel & chapeau! ❤️",
     "Plus de 200 bénévoles ont aidé des voisins en difficulté cet hiver. Merci & chapeau ! ❤️",
     "More than 200 volunteers helped neighbours in need this winter. Thank you & hats off! ❤️",
     "", 14),
    ("Oude campagne: zomerbar 2026", "https://stad.example/nieuws/zomerbar-2026",
     "De zomerbar op de Grote Markt is open!", "Le bar d'été de la Grand-Place est ouvert !",
     "The summer bar on the main square is open!", "", -60),
]
