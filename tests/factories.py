"""Factories for synthetic test records. Every name and number here is made up."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from liaison.core.models import Membership, Role, Site, SiteKind, Team, User
from liaison.episodes.models import Episode, EpisodeStatus, PathwayPoint, ReferralSource, Stage
from liaison.people.models import Person

PASSWORD = "correct horse battery staple"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Test L&D Team {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Test Custody Suite {n}")
    kind = SiteKind.POLICE_CUSTODY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"Test User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create:
            obj.save()


def member(team: Team, role: str, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(user=user, team=team, role=role)
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Testgiven{n}")
    family_name = factory.Sequence(lambda n: f"Testfamily{n}")
    given_name_search = factory.LazyAttribute(lambda o: o.given_name.lower())
    family_name_search = factory.LazyAttribute(lambda o: o.family_name.lower())
    date_of_birth = dt.date(1990, 5, 17)


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    site = factory.SubFactory(SiteFactory)
    team = factory.LazyAttribute(lambda o: o.site.team)
    pathway_point = PathwayPoint.POLICE_CUSTODY
    referral_source = ReferralSource.PROACTIVE
    arrival_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=3))
    identified_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    stage = Stage.IDENTIFIED
    age_group = "adult"

    @factory.post_generation
    def first_status(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create:
            by = obj.allocated_worker or UserFactory()
            EpisodeStatus.objects.create(episode=obj, stage=obj.stage, at=obj.identified_at, by=by)


__all__ = ["PASSWORD", "Role", "member"]


# The grounds on which a user may or may not see a person (core.access), for tables of cases.
ACCESS_GROUNDS = [
    ("episode", True),
    ("recorded_by_the_team", True),
    ("glass_broken", True),
    ("glass_expired", False),
    ("glass_of_another_user", False),
    ("other_team_only", False),
]


def person_on_ground(ground: str, person: Person, *, user: User, own_site: Site, other_site: Site) -> None:
    """Relate `person` to `user`'s team (own_site's) on one of ACCESS_GROUNDS."""
    from liaison.core.models import BreakGlass

    if ground == "episode":
        EpisodeFactory(site=own_site, person=person)
        return
    if ground == "recorded_by_the_team":
        person.registered_by_team = own_site.team
        person.save()
        return
    EpisodeFactory(site=other_site, person=person)
    if ground.startswith("glass"):
        BreakGlass.objects.create(
            user=user if ground != "glass_of_another_user" else member(own_site.team, Role.PRACTITIONER),
            team=own_site.team,
            person=person,
            reason="Called by the custody sergeant",
            expires_at=timezone.now() + dt.timedelta(minutes=-1 if ground == "glass_expired" else 30),
        )
