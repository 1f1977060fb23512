"""Demo data of peer learning: sessions held (with materials and feedback) and coming up (with
RSVPs), and a course library. Written by the Samen developers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from samen.core.demo import DemoContext, register
from samen.learning import actions
from samen.learning.models import Course, Rsvp, RsvpStatus, Session


def _at(days: int, hour: int = 12, minute: int = 15) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# (host, topic, description, level, days from today, place, video, capacity, attendees,
#  materials, feedback [(person, rating, comment)])
SESSIONS = [
    ("jonas", "Mastodon in 30 minuten",
     "Wat is de fediverse, hoe kies je een server en hoe volg je de stad? Breng je telefoon "
     "mee: we maken samen een account.", "beginner", -21, "Vergaderzaal De Schelde", "", 15,
     ["amina", "sofie", "camille"],
     [("Slides: Mastodon in 30 minuten", "https://stad.example/intranet/mastodon-slides"),
      ("Handleiding: je eerste toot", "https://stad.example/intranet/eerste-toot")],
     [("amina", 5, "Eindelijk snap ik hoe servers werken. Heel praktisch!"),
      ("sofie", 4, "Kort en duidelijk; graag een vervolg over lijsten.")]),
    ("camille", "LinkedIn : un profil qui vous ressemble",
     "Photo, titre, résumé : quelques gestes simples pour un profil professionnel honnête, "
     "et comment parler de notre travail sans parler au nom de la ville.", "beginner", -7,
     "", "https://meet.stad.example/linkedin-profil", 20, ["amina", "jonas"],
     [("Checklist profil LinkedIn", "https://stad.example/intranet/linkedin-checklist")],
     [("amina", 4, "Merci ! Les exemples étaient très concrets."),
      ("jonas", 5, "")]),
    ("amina", "Short videos with your phone",
     "Light, sound and a steady hand: make a 30-second video about your work that people "
     "actually watch. Bring your phone.", "intermediate", 6, "Stadhuis, zaal 2.14", "", 3,
     ["jonas", "camille", "lotte", "sofie"], [], []),
    ("jonas", "Bluesky en Mastodon naast elkaar",
     "Wat is het verschil, waar is onze stad te vinden en hoe deel je berichten van de stad "
     "op je eigen account?", "intermediate", 13, "",
     "https://meet.stad.example/bluesky-mastodon", 25, ["amina"], [], []),
]

# (title, url, provider, description, network, level, language, own material)
COURSES = [
    ("Mastodon: aan de slag", "https://stad.example/intranet/leren/mastodon", "Stad Samenburg",
     "Onze eigen korte gids om je eerste stappen op Mastodon te zetten.", "Mastodon",
     "beginner", "nl", True),
    ("Bluesky voor beginners", "https://stad.example/intranet/leren/bluesky", "Stad Samenburg",
     "Account maken, mensen vinden en je feed instellen.", "Bluesky", "beginner", "nl", True),
    ("Les réseaux sociaux au travail : nos règles expliquées",
     "https://stad.example/intranet/leren/regles", "Ville de Samenburg",
     "Les lignes directrices en 15 minutes, avec des exemples.", "", "beginner", "fr", True),
    ("LinkedIn Learning: Personal branding basics", "https://www.linkedin.com/learning/",
     "LinkedIn", "A short course on presenting your work honestly on LinkedIn.", "LinkedIn",
     "beginner", "en", False),
    ("Google Digitale Werkplaats: sociale media", "https://learndigital.withgoogle.com/",
     "Google", "Gratis online modules over online zichtbaarheid en sociale media.", "",
     "beginner", "nl", False),
    ("Meta Blueprint: free courses", "https://www.facebook.com/business/learn",
     "Meta", "Free self-paced courses on Facebook and Instagram.", "Facebook",
     "intermediate", "en", False),
    ("Video maken met je smartphone", "https://stad.example/intranet/leren/video",
     "Stad Samenburg", "Licht, geluid en montage op je telefoon, in vijf korte video's.",
     "TikTok", "intermediate", "nl", True),
]


@register(70, "learning.sessions")
def seed_sessions(ctx: DemoContext) -> None:
    if Session.objects.exists():
        return
    people = ctx.people
    for (host, topic, description, level, days, place, video, capacity, attendees, materials,
         feedback) in SESSIONS:
        # Sessions in the past are seeded directly: proposing one in the past is refused.
        session = Session.objects.create(
            host=people[host], topic=topic, description=description, level=level,
            starts_at=_at(days), ends_at=_at(days, 13, 0), place=place, video_url=video,
            capacity=capacity)
        for name in attendees:
            if days < 0:
                Rsvp.objects.create(session=session, person=people[name],
                                    status=RsvpStatus.GOING)
            else:
                actions.do_rsvp(person=people[name], session=session)
        for title, url in materials:
            actions.do_add_material(session=session, title=title, url=url, by=people[host])
        for name, rating, comment in feedback:
            actions.do_give_feedback(session=session, person=people[name], rating=rating,
                                     comment=comment)


@register(71, "learning.courses")
def seed_courses(ctx: DemoContext) -> None:
    if Course.objects.exists():
        return
    for title, url, provider, description, network, level, language, own in COURSES:
        actions.do_add_course(title=title, url=url, provider=provider, description=description,
                              network=network, level=level, language=language,
                              own_material=own, by=ctx.people["lotte"])
