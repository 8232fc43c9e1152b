"""Named permissions: which roles, in a team, may do what. Checked once per view and per API route.

Person-level access (may this user see this person at all?) is the access policy in access.py;
these rules answer the second question: given access, may this role do this operation?
"""

from __future__ import annotations

import rules

from liaison.core.models import CLINICAL_ROLES, Membership, Role, Team, User

OPERATIONS: dict[str, frozenset[str]] = {
    "people.view": CLINICAL_ROLES,
    "people.edit": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "episodes.create": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "episodes.edit": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "episodes.change_stage": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "episodes.log_contact": CLINICAL_ROLES,
    "episodes.add_task": CLINICAL_ROLES,
    "episodes.complete_task": CLINICAL_ROLES,
    # Validated screening instruments are given by the clinical practitioners, not support staff.
    "screening.record": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    # The assessment is clinical work; support workers help carry out the plan's actions.
    "assessment.record": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "assessment.plan": CLINICAL_ROLES,
    "core.view_audit": frozenset({Role.TEAM_LEAD}),
    # Reviewing likely duplicate records, merging and unmerging them: the team lead's (issue 11).
    "people.merge": frozenset({Role.TEAM_LEAD}),
    # Information governance: subject access requests and exports, and privacy alerts, are the team
    # lead's (acting as the team's privacy officer); corrections to a record are clinical editors'.
    "rights.subject_access": frozenset({Role.TEAM_LEAD}),
    "rights.correct": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "monitoring.review_alerts": frozenset({Role.TEAM_LEAD}),
    # Retention: a team lead proposes destroying a record past its retention date; a second person
    # (another team lead, or the team's administrator) approves. Legal holds are the team lead's.
    "rights.retention_propose": frozenset({Role.TEAM_LEAD}),
    "rights.retention_approve": frozenset({Role.TEAM_LEAD, Role.ADMIN}),
    "core.break_glass": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "identification.view_arrivals": CLINICAL_ROLES,
    "identification.import_arrivals": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "identification.review_arrivals": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    # Ending a leaver's access: their team's lead or administrator (or a superuser, in services).
    "core.manage_accounts": frozenset({Role.TEAM_LEAD, Role.ADMIN}),
    # The service directory: every clinical role reads it and keeps the team's own notes on services;
    # team leads keep the directory itself (issue 5).
    "directory.view": CLINICAL_ROLES,
    "directory.edit": frozenset({Role.TEAM_LEAD}),
    "directory.local_knowledge": CLINICAL_ROLES,
    # Referring a person to a service, following it up, booking and recording appointments.
    "referrals.make": CLINICAL_ROLES,
    "referrals.update": CLINICAL_ROLES,
    "referrals.appointments": CLINICAL_ROLES,
    # Staying with people (issue 7): crisis plans are written with the person by any clinical member.
    "support.crisis_plan": CLINICAL_ROLES,
    # Drop-in sessions and their register: anyone in the team who runs them.
    "outreach.drop_in": CLINICAL_ROLES,
    # Housing and benefits advice: any clinical member allocates a need to the team's adviser the same
    # day; the advisers (and team leads) keep the advice records.
    "advice.allocate": CLINICAL_ROLES,
    "advice.record": frozenset({Role.ADVISER, Role.TEAM_LEAD}),
    # Working with justice partners (issue 6). Consent is recorded by anyone working with the person;
    # sharing without consent needs a recorded lawful basis, asked for by a clinician and approved by a
    # team lead. Reports are written by clinicians, signed off and shared under consent.
    "consent.record": CLINICAL_ROLES,
    "consent.request_basis": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "consent.approve_basis": frozenset({Role.TEAM_LEAD}),
    "reports.write": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "reports.sign_off": frozenset({Role.TEAM_LEAD}),
    "reports.share": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "reports.view_feedback": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    "training.record": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    # Outcomes (issue 8): team leads see their team's figures and the episodes behind them;
    # commissioners see aggregates only, small numbers suppressed, never a person.
    "outcomes.view": frozenset({Role.TEAM_LEAD, Role.COMMISSIONER}),
    "outcomes.drill_down": frozenset({Role.TEAM_LEAD}),
    "outcomes.export_dataset": frozenset({Role.TEAM_LEAD}),
    "outcomes.export_fhir": frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}),
    # Justice partners refer people to the team; they never see the team's records.
    "partners.refer": frozenset({Role.PARTNER}),
}


def role_in(user: User, team: Team | int | None) -> str | None:
    """The user's role in the team, or None. Memberships are cached on the user object per request."""
    if team is None or not user.is_authenticated or not user.is_active:
        return None
    team_id = team if isinstance(team, int) else team.pk
    return roles_by_team(user).get(team_id)


def roles_by_team(user: User) -> dict[int, str]:
    """The user's role in each of their teams, by team id (in the order of the teams' names)."""
    return _memberships(user)[1]


def member_teams(user: User) -> dict[int, Team]:
    """The user's teams, by id (in the order of their names)."""
    return _memberships(user)[2]


def memberships(user: User) -> list[Membership]:
    """The user's memberships, each with its team, in the order of the teams' names."""
    return _memberships(user)[0]


def _memberships(user: User) -> tuple[list[Membership], dict[int, str], dict[int, Team]]:
    """One query per user object, which is one per request: every permission check, the API's team
    and the page's current team read it."""
    cached = getattr(user, "_liaison_memberships", None)
    if cached is None:
        rows = list(Membership.objects.filter(user=user).select_related("team").order_by("team__name"))
        cached = (rows, {m.team_id: m.role for m in rows}, {m.team_id: m.team for m in rows})
        user._liaison_memberships = cached  # type: ignore[attr-defined]  # per-request cache
    return cached


def _role_predicate(roles: frozenset[str]) -> rules.Predicate:
    @rules.predicate
    def has_role(user: User, team: Team | int | None) -> bool:
        return role_in(user, team) in roles

    return has_role


for _name, _roles in OPERATIONS.items():
    # add_rule, not add_perm: Django's has_perm lets a superuser do anything, which must not
    # open person records. Everything asks `can()` instead.
    if not rules.rule_exists(_name):
        rules.add_rule(_name, _role_predicate(_roles))


def can(user: User, operation: str, team: Team | int | None) -> bool:
    if operation not in OPERATIONS:
        raise KeyError(f"unknown operation {operation!r}")
    return bool(rules.test_rule(operation, user, team))


def teams_for(user: User, operation: str) -> list[int]:
    """The teams in which the user may do `operation`."""
    allowed = OPERATIONS[operation]
    return [team_id for team_id, role in roles_by_team(user).items() if role in allowed]
