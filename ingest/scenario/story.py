"""One day of every non-camera source, derived from the same simulated day.

The camera simulation decides where people drove; this module turns that day into
tracks and location fixes, calls and texts (including the planted ones before
meetings), e-mail, posts and the day's flight manifests. Like the camera output, a day
is produced, written and dropped; only small cross-day state (each account's latest
post) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.scenario.cast import Cast
from ingest.scenario.comms import DayComms, day_comms
from ingest.scenario.fixes import Fix, sample_fixes
from ingest.scenario.mail import Mail, day_mails
from ingest.scenario.manifests import Flight, day_flights
from ingest.scenario.model import Leg
from ingest.scenario.posts import Post, PostState, day_posts
from ingest.scenario.rng import derive_rng
from ingest.scenario.simulate import DayResult
from ingest.scenario.whereabouts import Track, day_track
from ingest.scenario.world import World


@dataclass(frozen=True, slots=True)
class StoryDay:
    day: int
    tracks: dict[str, Track]  # people whose exports need their whereabouts
    fixes: dict[str, list[Fix]]  # location-history owners
    comms: DayComms
    mails: list[Mail]
    posts: list[Post]
    flights: list[Flight]


class Story:
    """Feeds every non-camera writer from the simulated days, in order."""

    def __init__(self, world: World, cast: Cast) -> None:
        self.world, self.cast = world, cast
        self.posts = PostState()
        tracked = {*cast.location, *cast.gpx, *(a.person for a in cast.accounts)}
        self.tracked = [p for p in world.people if p.id in tracked]

    def _tracks(self, result: DayResult) -> dict[str, Track]:
        legs: dict[str, list[Leg]] = {}
        for leg in result.legs:
            legs.setdefault(leg.person, []).append(leg)
        travel = self.cast.travel
        return {
            person.id: day_track(
                self.world,
                person,
                result.day,
                legs.get(person.id, []),
                travel.trip_of(person.id, result.day),
            )
            for person in self.tracked
        }

    def day(self, result: DayResult) -> StoryDay:
        world, cast, day = self.world, self.cast, result.day
        tracks = self._tracks(result)
        fixes = {
            person: sample_fixes(derive_rng(world.seed, "fixes", person, day), tracks[person])
            for person in cast.location
        }
        return StoryDay(
            day=day,
            tracks=tracks,
            fixes=fixes,
            comms=day_comms(world, cast, day, result.occurrences),
            mails=day_mails(world, cast, day),
            posts=day_posts(world, cast, day, tracks, self.posts),
            flights=day_flights(world, cast, day),
        )
