"""Small templates for the words people write: texts, e-mails and posts.

Everything people "say" is filled in from these templates with fictional places and
times, so no real message or post is ever reproduced. ``{place}`` is one of the
person's haunts, ``{time}`` a local clock time, ``{n}`` a small number.
"""

from __future__ import annotations

import random

SMS = (
    "Ben er over {n} min",
    "Kom je vanavond nog langs?",
    "Zie je straks bij {place}",
    "Bel je zo terug",
    "Running late, {n} min",
    "Heb je de sleutels nog?",
    "Thanks for today!",
    "Top, tot morgen",
    "Kun je even bellen?",
    "Sta bij {place}, waar ben je?",
)
REPLIES = ("Ok", "Prima", "Is goed", "Yes!", "Sure, see you", "Top", "Komt goed", "👍")
BEFORE_MEETING = (
    "Zelfde plek, {time}?",
    "Vandaag om {time}, zoals altijd",
    "Same spot at {time}",
    "Ben er rond {time}",
)
SUBJECTS = (
    "Planning volgende week",
    "Foto's van zaterdag",
    "Rooster",
    "Afspraak {day}",
    "Quick question",
    "Factuur",
    "Verjaardag",
    "Lunch {day}?",
)
BODIES = (
    "Hoi {name},\n\nKun je even kijken of {day} uitkomt? Anders schuiven we het op.\n\n"
    "Groet,\n{me}\n",
    "Hi {name},\n\nAttached are the notes from last time. Let me know what you think.\n\n{me}\n",
    "Hoi {name},\n\nZullen we afspreken bij {place}? Rond {time} kan ik.\n\n{me}\n",
    "Beste {name},\n\nDank voor je bericht. Ik kom er later op terug.\n\n"
    "Met vriendelijke groet,\n{me}\n",
)
REPLY_BODIES = (
    "Prima, {day} komt goed uit.\n\n{me}\n",
    "Thanks! Sounds good.\n\n{me}\n",
    "Is goed, tot dan.\n\n{me}\n",
)
POSTS_NL = (
    "Weer file op de {site}. Elke ochtend hetzelfde",
    "Koffie bij {place}, heerlijk rustig vandaag",
    "Eindelijk weekend",
    "Wie weet een goede garage in de buurt?",
    "Mooie avond voor een rondje langs de {site}",
    "Drukte bij {place} vanmiddag",
)
POSTS_EN = (
    "Long day at work, finally home",
    "Great coffee at {place} this morning",
    "Anyone else stuck on the {site} again?",
    "Sunset over the {site} tonight",
    "New week, new plans",
)
HASHTAGS = ("verkeer", "koffie", "weekend", "buurt", "sport", "commute", "avond", "markt")
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def fill(rng: random.Random, template: str, **values: str) -> str:
    """The template with ``{n}`` drawn here and every other slot from ``values``."""
    return template.format(n=str(rng.choice((5, 10, 15, 20))), **values)


def clock(minute: float) -> str:
    minute = int(minute) % 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"
