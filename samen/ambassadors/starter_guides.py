"""The starting set of privacy-settings guides, written by the Samen developers in our own
words, in Dutch, French and English. Loaded by ``samen privacy_guides`` and by ``samen demo``;
after that the comms lead edits them in Samen.

Networks rename their menus often. Each guide says when it was last checked; the page warns
when that is more than six months ago. Step names follow the apps' English, Dutch and French
menus as they were when checked; where a menu differs between app and web, the step names the
place people most often find it.
"""

from __future__ import annotations

from datetime import date

CHECKED = date(2026, 11, 2)

# (network key, name, last checked, intro (nl, fr, en), steps [(nl, fr, en), ...])
GUIDES: list[tuple[str, str, date, tuple[str, str, str], list[tuple[str, str, str]]]] = [
    ("facebook", "Facebook", CHECKED, (
        "Facebook toont standaard veel aan vrienden van vrienden. Kies zelf wie wat ziet.",
        "Par défaut, Facebook montre beaucoup aux amis de vos amis. Choisissez qui voit quoi.",
        "By default Facebook shows a lot to friends of friends. Choose who sees what yourself.",
    ), [
        ("Open Instellingen en privacy > Privacycontrole en doorloop de stappen één keer "
         "helemaal.",
         "Ouvrez Paramètres et confidentialité > Assistance confidentialité et parcourez-la une "
         "fois en entier.",
         "Open Settings & privacy > Privacy Checkup and go through it once, all the way."),
        ("Bij 'Wie kan je toekomstige berichten zien?' kies je Vrienden (of een eigen lijst) in "
         "plaats van Openbaar.",
         "Pour « Qui peut voir vos futures publications ? », choisissez Amis (ou une liste) "
         "plutôt que Public.",
         "Under 'Who can see your future posts?' choose Friends (or a custom list) rather than "
         "Public."),
        ("Gebruik 'Publiek voor eerdere berichten beperken' als je oude openbare berichten "
         "alleen nog voor vrienden wilt tonen.",
         "Utilisez « Limiter l'audience des anciennes publications » pour réserver vos anciens "
         "messages publics à vos amis.",
         "Use 'Limit the audience for old posts' to make old public posts visible to friends "
         "only."),
        ("Zet bij Profiel en taggen 'Berichten controleren waarin je bent getagd' aan, zodat "
         "niets op je profiel komt zonder jouw akkoord.",
         "Dans Profil et identification, activez la vérification des publications où vous êtes "
         "identifié·e avant qu'elles apparaissent sur votre profil.",
         "In Profile and tagging, turn on reviewing posts you are tagged in before they appear "
         "on your profile."),
        ("Kijk bij je profielgegevens wie je werkgever en woonplaats ziet; 'Alleen ik' mag.",
         "Vérifiez qui voit votre employeur et votre ville dans les infos du profil ; « Moi "
         "uniquement » est permis.",
         "Check who sees your employer and home town in your profile details; 'Only me' is "
         "fine."),
        ("Zet tweestapsverificatie aan via Accountcentrum > Wachtwoord en beveiliging.",
         "Activez l'authentification à deux facteurs dans Espace comptes > Mot de passe et "
         "sécurité.",
         "Turn on two-factor authentication in Accounts Center > Password and security."),
    ]),
    ("instagram", "Instagram", CHECKED, (
        "Een openbaar account kan iedereen volgen. Dat is prima, als je het bewust kiest.",
        "Un compte public peut être suivi par tout le monde. C'est très bien, si vous le "
        "choisissez en connaissance de cause.",
        "Anyone can follow a public account. That is fine, as long as you choose it knowingly.",
    ), [
        ("Ga naar Instellingen en activiteit > Accountprivacy en beslis of je account privé "
         "wordt.",
         "Allez dans Paramètres et activité > Confidentialité du compte et décidez si votre "
         "compte devient privé.",
         "Go to Settings and activity > Account privacy and decide whether your account is "
         "private."),
        ("Maak een lijst Goede vrienden voor verhalen die niet voor iedereen zijn.",
         "Créez une liste Amis proches pour les stories qui ne sont pas pour tout le monde.",
         "Make a Close Friends list for stories that are not for everyone."),
        ("Kies bij Tags en vermeldingen wie je mag taggen, en keur tags handmatig goed.",
         "Dans Identifications et mentions, choisissez qui peut vous identifier et approuvez "
         "les identifications manuellement.",
         "Under Tags and mentions, choose who can tag you and approve tags manually."),
        ("Zet 'Activiteitsstatus tonen' uit als anderen niet hoeven te zien wanneer je online "
         "bent.",
         "Désactivez « Afficher le statut en ligne » si les autres n'ont pas à savoir quand "
         "vous êtes connecté·e.",
         "Turn off 'Show activity status' if others need not see when you are online."),
        ("Zet tweestapsverificatie aan via Accountcentrum > Wachtwoord en beveiliging.",
         "Activez l'authentification à deux facteurs dans Espace comptes > Mot de passe et "
         "sécurité.",
         "Turn on two-factor authentication in Accounts Center > Password and security."),
    ]),
    ("x", "X (Twitter)", CHECKED, (
        "Op X is bijna alles openbaar en doorzoekbaar, ook oude berichten.",
        "Sur X, presque tout est public et consultable, y compris les anciens messages.",
        "On X almost everything is public and searchable, old posts included.",
    ), [
        ("Open Instellingen en privacy > Privacy en veiligheid > Publiek, media en taggen.",
         "Ouvrez Paramètres et confidentialité > Confidentialité et sécurité > Audience, "
         "médias et identification.",
         "Open Settings and privacy > Privacy and safety > Audience, media and tagging."),
        ("Beslis of je 'Je berichten beschermen' aanzet: dan zien alleen je volgers ze.",
         "Décidez si vous activez « Protéger vos posts » : seuls vos abonnés les verront.",
         "Decide whether to turn on 'Protect your posts': then only your followers see them."),
        ("Beperk wie je mag taggen in foto's, of zet het uit.",
         "Limitez qui peut vous identifier sur les photos, ou désactivez-le.",
         "Limit who can tag you in photos, or turn it off."),
        ("Zet bij Vindbaarheid en contacten uit dat anderen je vinden via je e-mailadres of "
         "telefoonnummer.",
         "Dans Découvrabilité et contacts, empêchez qu'on vous trouve par votre adresse e-mail "
         "ou votre numéro de téléphone.",
         "In Discoverability and contacts, stop people finding you by your e-mail address or "
         "phone number."),
        ("Kijk bij Gegevens delen en personalisatie welke gegevens X mag gebruiken, ook voor "
         "het trainen van AI, en zet uit wat je niet wilt.",
         "Dans Partage de données et personnalisation, voyez quelles données X peut utiliser, "
         "y compris pour entraîner l'IA, et désactivez ce que vous refusez.",
         "In Data sharing and personalisation, see what data X may use, AI training included, "
         "and turn off what you do not want."),
        ("Zet tweestapsverificatie aan via Beveiliging en accounttoegang > Beveiliging.",
         "Activez l'authentification à deux facteurs dans Sécurité et accès au compte > "
         "Sécurité.",
         "Turn on two-factor authentication in Security and account access > Security."),
    ]),
    ("linkedin", "LinkedIn", CHECKED, (
        "Op LinkedIn ben je zichtbaar als medewerker. Kies wat je netwerk te zien krijgt.",
        "Sur LinkedIn, vous êtes visible en tant que collaborateur·rice. Choisissez ce que "
        "votre réseau voit.",
        "On LinkedIn you are visible as an employee. Choose what your network gets to see.",
    ), [
        ("Klik op Ik > Instellingen en privacy > Zichtbaarheid.",
         "Cliquez sur Vous > Préférences et confidentialité > Visibilité.",
         "Click Me > Settings & Privacy > Visibility."),
        ("Bekijk 'Uw openbare profiel bewerken' en kies wat mensen zonder LinkedIn-account "
         "zien.",
         "Regardez « Modifier votre profil public » et choisissez ce que voient les personnes "
         "sans compte LinkedIn.",
         "Look at 'Edit your public profile' and choose what people without a LinkedIn account "
         "see."),
        ("Kies wie je e-mailadres en je connecties mag zien.",
         "Choisissez qui peut voir votre adresse e-mail et vos relations.",
         "Choose who may see your e-mail address and your connections."),
        ("Zet 'Profielupdates met uw netwerk delen' uit als je je profiel wilt bijwerken "
         "zonder dat iedereen een melding krijgt.",
         "Désactivez le partage des mises à jour du profil avec votre réseau si vous voulez "
         "modifier votre profil sans prévenir tout le monde.",
         "Turn off sharing profile updates with your network if you want to edit your profile "
         "without notifying everyone."),
        ("Kijk bij Gegevensprivacy naar 'Gegevens voor verbetering van generatieve AI'.",
         "Dans Confidentialité des données, regardez « Données pour l'amélioration de l'IA "
         "générative ».",
         "Under Data privacy, look at 'Data for Generative AI Improvement'."),
        ("Zet verificatie in twee stappen aan via Aanmelden en beveiliging.",
         "Activez la vérification en deux étapes dans Connexion et sécurité.",
         "Turn on two-step verification in Sign in & security."),
    ]),
    ("mastodon", "Mastodon", CHECKED, (
        "Mastodon is een netwerk van servers. Je server en je instellingen bepalen wie je "
        "berichten ziet.",
        "Mastodon est un réseau de serveurs. Votre serveur et vos réglages déterminent qui voit "
        "vos messages.",
        "Mastodon is a network of servers. Your server and your settings decide who sees your "
        "posts.",
    ), [
        ("Kies bij Voorkeuren > Overig de standaardzichtbaarheid van je berichten: openbaar, "
         "minder openbaar of alleen volgers.",
         "Dans Préférences > Autres, choisissez la visibilité par défaut de vos messages : "
         "public, public discret ou abonné·e·s uniquement.",
         "In Preferences > Other, choose your posts' default visibility: public, quiet public "
         "or followers only."),
        ("Beslis in je profiel of nieuwe volgers eerst jouw goedkeuring nodig hebben.",
         "Décidez dans votre profil si les nouveaux abonnements doivent d'abord être approuvés.",
         "Decide in your profile whether new followers need your approval first."),
        ("Kies onder Privacy en bereik of je profiel in aanbevelingen en zoekresultaten mag "
         "verschijnen.",
         "Sous Confidentialité et portée, choisissez si votre profil peut apparaître dans les "
         "suggestions et les résultats de recherche.",
         "Under Privacy and reach, choose whether your profile may appear in suggestions and "
         "search results."),
        ("Verberg desgewenst wie je volgt en wie jou volgt.",
         "Masquez si vous le souhaitez vos abonnements et vos abonné·e·s.",
         "Hide who you follow and who follows you, if you prefer."),
        ("Zet tweestapsverificatie aan bij Account > Tweestapsverificatie.",
         "Activez l'authentification à deux facteurs dans Compte > Authentification à deux "
         "facteurs.",
         "Turn on two-factor authentication under Account > Two-factor auth."),
    ]),
    ("bluesky", "Bluesky", CHECKED, (
        "Alles wat je op Bluesky plaatst is openbaar, ook je likes en wie je volgt. Je kunt "
        "wel kiezen wie reageert.",
        "Tout ce que vous publiez sur Bluesky est public, y compris vos j'aime et vos "
        "abonnements. Vous pouvez choisir qui répond.",
        "Everything you post on Bluesky is public, your likes and follows included. You can "
        "choose who replies.",
    ), [
        ("Ga naar Instellingen > Privacy en beveiliging en kies of apps je account aan "
         "niet-ingelogde bezoekers mogen tonen.",
         "Allez dans Paramètres > Confidentialité et sécurité et choisissez si les applications "
         "peuvent montrer votre compte aux visiteurs non connectés.",
         "Go to Settings > Privacy and security and choose whether apps may show your account "
         "to logged-out visitors."),
        ("Stel in wie je privéberichten mag sturen (iedereen, wie je volgt, of niemand).",
         "Réglez qui peut vous envoyer des messages privés (tout le monde, vos abonnements ou "
         "personne).",
         "Set who may send you direct messages (everyone, people you follow, or no one)."),
        ("Gebruik bij een bericht de interactie-instellingen om te kiezen wie mag antwoorden "
         "en citeren.",
         "Utilisez les paramètres d'interaction d'un post pour choisir qui peut répondre et "
         "citer.",
         "Use a post's interaction settings to choose who may reply and quote."),
        ("Voeg bij Moderatie gedempte woorden en tags toe voor onderwerpen die je niet wilt "
         "zien.",
         "Dans Modération, ajoutez des mots et tags masqués pour les sujets que vous ne voulez "
         "pas voir.",
         "Under Moderation, add muted words and tags for topics you do not want to see."),
        ("Zet tweestapsverificatie per e-mail aan en gebruik app-wachtwoorden voor andere "
         "apps.",
         "Activez l'authentification à deux facteurs par e-mail et utilisez des mots de passe "
         "d'application pour les autres apps.",
         "Turn on two-factor authentication by e-mail and use app passwords for other apps."),
    ]),
    ("viva-engage", "Viva Engage (Yammer)", date(2026, 3, 16), (
        "Viva Engage is intern, maar wat je in een openbare community plaatst, ziet de hele "
        "organisatie.",
        "Viva Engage est interne, mais ce que vous publiez dans une communauté publique est vu "
        "par toute l'organisation.",
        "Viva Engage is internal, but what you post in a public community is seen by the whole "
        "organisation.",
    ), [
        ("Controleer je profiel: vul alleen in wat collega's nodig hebben om je te vinden.",
         "Vérifiez votre profil : ne remplissez que ce dont vos collègues ont besoin pour vous "
         "trouver.",
         "Check your profile: fill in only what colleagues need to find you."),
        ("Weet dat berichten in je Storyline voor iedereen in de organisatie zichtbaar zijn.",
         "Sachez que les messages de votre Storyline sont visibles par toute l'organisation.",
         "Know that posts in your Storyline are visible to everyone in the organisation."),
        ("Gebruik een privécommunity voor werk dat nog niet voor iedereen bedoeld is.",
         "Utilisez une communauté privée pour le travail qui n'est pas encore destiné à tous.",
         "Use a private community for work that is not meant for everyone yet."),
        ("Stel je meldingen in zodat je niet van alles een e-mail krijgt.",
         "Réglez vos notifications pour ne pas recevoir un e-mail pour tout.",
         "Set your notifications so you do not get an e-mail about everything."),
    ]),
    ("tiktok", "TikTok", CHECKED, (
        "TikTok toont je video's aan onbekenden via de Voor jou-feed, tenzij je het anders "
        "instelt.",
        "TikTok montre vos vidéos à des inconnus via le fil Pour toi, sauf si vous le réglez "
        "autrement.",
        "TikTok shows your videos to strangers through the For You feed unless you set it "
        "otherwise.",
    ), [
        ("Ga naar Profiel > menu > Instellingen en privacy > Privacy en beslis of je account "
         "privé wordt.",
         "Allez dans Profil > menu > Paramètres et confidentialité > Confidentialité et décidez "
         "si votre compte devient privé.",
         "Go to Profile > menu > Settings and privacy > Privacy and decide whether your account "
         "is private."),
        ("Zet 'Je account voorstellen aan anderen' uit voor contacten en Facebook-vrienden als "
         "je dat niet wilt.",
         "Désactivez « Suggérer votre compte à d'autres » pour vos contacts et amis Facebook si "
         "vous ne le souhaitez pas.",
         "Turn off 'Suggest your account to others' for contacts and Facebook friends if you "
         "do not want it."),
        ("Kies wie mag reageren, je mag vermelden en je video's mag gebruiken voor Duet en "
         "Stitch.",
         "Choisissez qui peut commenter, vous mentionner et utiliser vos vidéos pour Duo et "
         "Collage.",
         "Choose who may comment, mention you and use your videos for Duet and Stitch."),
        ("Beslis of anderen je video's mogen downloaden.",
         "Décidez si d'autres peuvent télécharger vos vidéos.",
         "Decide whether others may download your videos."),
        ("Zet verificatie in twee stappen aan via Beveiliging en machtigingen.",
         "Activez la vérification en deux étapes dans Sécurité et autorisations.",
         "Turn on 2-step verification in Security and permissions."),
    ]),
]
