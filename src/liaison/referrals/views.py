"""Pages for referrals to services and appointments: make a referral from a need, follow it through its
statuses, book appointments and record whether the person went; each worker's calendar and its feed.

Views stay thin: fetch through the access helpers (404 and an audit event for outsiders), check the
role once, parse with a form, call one service, then redirect or render.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.assessment.codes import codes
from liaison.assessment.services import current_assessment
from liaison.core.access import Access, get_episode_for_user
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can, roles_by_team
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.directory.models import Location, Service
from liaison.episodes.models import Episode, Stage
from liaison.episodes.queries import team_members
from liaison.referrals import feed, presenters, states
from liaison.referrals.forms import AppointmentForm, AttendanceForm, ConsentForm, MoveForm, ReferralForm
from liaison.referrals.models import Attendance, CalendarFeed, Kind, Referral, Status
from liaison.referrals.queries import (
    calendar_appointments,
    get_appointment_for_user,
    get_referral_for_user,
    load_referral,
    referral_rule_tasks,
)
from liaison.referrals.services import (
    appointment_attendance,
    appointment_book,
    calendar_feed_reset,
    eligibility_problems,
    feed_digest,
    referral_consent,
    referral_create,
    referral_move,
    share_decision,
)

NOT_A_REFERRER = "Your role cannot make referrals for this team."
NOT_AN_UPDATER = "Your role cannot update this team's referrals."
NOT_A_BOOKER = "Your role cannot book or record appointments for this team."
REFERRAL_CONFLICT = (
    "Someone else changed this referral after you opened it. Check where it is now, below, then make "
    "your change again if it is still needed. Nothing you entered has been saved."
)
APPOINTMENT_CONFLICT = (
    "Someone else recorded this appointment after you opened it. Check it below. Nothing you entered "
    "has been saved."
)


# --- a new referral ---------------------------------------------------------------------------------


def _need_choices(episode: Episode, wanted: str) -> list[tuple[str, str]]:
    """The current plan's needs (above no need), then the need asked for if it is not among them."""
    assessment = current_assessment(episode)
    keys = [n.key for n in assessment.needs.all() if n.level and n.level != "none"] if assessment else []
    if not keys:
        keys = list(codes().keys)
    if wanted in codes().keys and wanted not in keys:
        keys.append(wanted)
    return [(key, codes().label(key)) for key in keys]


def _service(service_id: str) -> Service | None:
    if not service_id or len(service_id) > 64:
        return None
    return (
        Service.objects.filter(pk=service_id)
        .select_related("organization")
        .prefetch_related("service_areas")
        .first()
    )


@require_http_methods(["GET", "POST"])
def referral_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="service_referral.new_view")
    if not can(request.user, "referrals.make", episode.team_id):
        return not_permitted(request, NOT_A_REFERRER)
    source = request.POST if request.method == "POST" else request.GET
    service = _service(str(source.get("service", "")))
    wanted = str(source.get("need_key", "") or request.GET.get("need", ""))
    needs = _need_choices(episode, wanted)
    if request.method == "POST":
        form = ReferralForm(request.POST, needs=needs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = referral_create(
                    actor=request.user,
                    episode=episode,
                    need_key=data["need_key"],
                    service=service,
                    kind=data["kind"],
                    consent=data["consent"],
                    consent_note=data["consent_note"],
                    reason=data["reason"],
                )
            except NotPermitted:
                return not_permitted(request, NOT_A_REFERRER)
            except ValidationError as exc:
                apply_service_errors(form, exc, aliases={"episode": "__all__"})
            else:
                messages.success(
                    request,
                    "Referral saved as a draft. Send it when it is ready."
                    if referral.kind == Kind.ACTIVE
                    else "Signposting saved as a draft. Mark it signposted once the person has the details.",
                )
                return redirect("referrals:referral_detail", pk=referral.pk)
    else:
        initial = {
            "service": service.pk if service else "",
            "need_key": wanted if any(key == wanted for key, _ in needs) else "",
            "kind": Kind.ACTIVE,
        }
        form = ReferralForm(initial=initial, needs=needs)
    context = {
        "episode": episode,
        "person": episode.person,
        "access": access,
        "service": service,
        "form": form,
        "need_label": codes().label(wanted) if wanted in codes().keys else "",
        "closed": episode.stage == Stage.CLOSED,
        # Shown before anything is saved, so the practitioner knows why the referral will be refused.
        "eligibility": eligibility_problems(service, episode.person) if service else [],
    }
    return render_page(request, "referrals/referral_new.html", context, forms=(form,))


# --- one referral -----------------------------------------------------------------------------------


def _referral_page(
    request: AuthenticatedRequest,
    referral: Referral,
    access: Access,
    *,
    move_form: MoveForm | None = None,
    consent_form: ConsentForm | None = None,
    attendance_forms: dict[int, AttendanceForm] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    load_referral(referral)
    user, team_id = request.user, referral.episode.team_id
    appointments = list(referral.appointments.all())
    may_update = can(user, "referrals.update", team_id) and states.is_open(referral.status)
    may_book = can(user, "referrals.appointments", team_id)
    moves = states.manual_moves(referral.kind, referral.status)
    if may_update and moves and move_form is None:
        move_form = MoveForm(
            kind=referral.kind, status=referral.status, initial={"version": referral.version}
        )
    if may_update and referral.status == Status.DRAFT and consent_form is None:
        consent_form = ConsentForm(
            initial={
                "version": referral.version,
                "consent": referral.consent,
                "consent_note": referral.consent_note,
            }
        )
    # Sending an active referral shares a summary of needs: liaison.consent decides (two queries).
    sending = referral.kind == Kind.ACTIVE and referral.status == Status.DRAFT
    share = share_decision(referral) if sending else None
    attendance_forms = dict(attendance_forms or {})
    rows = []
    for appointment in appointments:
        form = None
        if may_book and appointment.attendance == Attendance.UPCOMING:
            form = attendance_forms.get(appointment.pk) or AttendanceForm(
                prefix=f"attendance-{appointment.pk}", initial={"version": appointment.version}
            )
        rows.append({"appointment": appointment, "place": presenters.place(appointment), "form": form})
    can_book_now = (
        may_book
        and referral.kind == Kind.ACTIVE
        and referral.status != Status.APPOINTMENT_BOOKED
        and (
            referral.status in states.AWAITING_SERVICE
            or Status.APPOINTMENT_BOOKED in states.next_statuses(referral.kind, referral.status)
        )
    )
    context: dict[str, Any] = {
        "referral": referral,
        "episode": referral.episode,
        "person": referral.episode.person,
        "access": access,
        "need_label": presenters.need_label(referral.need_key),
        "status_tag": presenters.status_tag(referral.kind, referral.status),
        "history": [
            {"row": row, "tag": presenters.status_tag(referral.kind, row.status)}
            for row in referral.statuses.all()
        ],
        "appointments": rows,
        "tasks": referral_rule_tasks(referral, [a.pk for a in appointments]),
        "move_form": move_form if may_update and moves else None,
        "consent_form": consent_form if may_update and referral.status == Status.DRAFT else None,
        "can_book": can_book_now,
        "share_decision": share,
        "needs_consent": share is not None and not share.allowed,
        "problems": problems or [],
    }
    forms = (move_form, consent_form, *attendance_forms.values())
    return render_page(
        request,
        "referrals/referral.html",
        context,
        forms=forms,
        has_problems=bool(problems),
        status=status,
    )


@require_GET
def referral_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral, access = get_referral_for_user(request.user, pk)
    return _referral_page(request, referral, access)


@require_POST
def referral_move_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral, access = get_referral_for_user(request.user, pk)
    if not can(request.user, "referrals.update", referral.episode.team_id):
        return not_permitted(request, NOT_AN_UPDATER)
    form = MoveForm(request.POST, kind=referral.kind, status=referral.status)
    if request.POST.get("move-version", "") != str(referral.version):
        return _referral_page(
            request, referral, access, problems=[{"text": REFERRAL_CONFLICT, "href": "#move"}], status=409
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral_move(
                actor=request.user,
                referral=referral,
                version=data["version"],
                to_status=data["to_status"],
                note=data["note"],
                outcome=data["outcome"],
                outcome_note=data["outcome_note"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_AN_UPDATER)
        except StaleWrite:
            referral.refresh_from_db()
            return _referral_page(
                request, referral, access, problems=[{"text": REFERRAL_CONFLICT, "href": "#move"}], status=409
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"Referral updated: {states.status_label(referral.kind, referral.status)}."
            )
            return redirect("referrals:referral_detail", pk=referral.pk)
    return _referral_page(request, referral, access, move_form=form)


@require_POST
def referral_consent_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral, access = get_referral_for_user(request.user, pk)
    if not can(request.user, "referrals.update", referral.episode.team_id):
        return not_permitted(request, NOT_AN_UPDATER)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral_consent(
                actor=request.user,
                referral=referral,
                version=data["version"],
                consent=data["consent"],
                consent_note=data["consent_note"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_AN_UPDATER)
        except StaleWrite:
            referral.refresh_from_db()
            return _referral_page(
                request,
                referral,
                access,
                problems=[{"text": REFERRAL_CONFLICT, "href": "#consent"}],
                status=409,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("referrals:referral_detail", pk=referral.pk)
    return _referral_page(request, referral, access, consent_form=form)


# --- appointments -----------------------------------------------------------------------------------


def _locations(referral: Referral) -> list[tuple[str, str]]:
    rows = Location.objects.filter(service_at_locations__service_id=referral.service_id).distinct()
    return [(loc.pk, ", ".join(p for p in (loc.name, loc.address_1, loc.postal_code) if p)) for loc in rows]


@require_http_methods(["GET", "POST"])
def appointment_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral, access = get_referral_for_user(request.user, pk)
    episode = referral.episode
    if not can(request.user, "referrals.appointments", episode.team_id):
        return not_permitted(request, NOT_A_BOOKER)
    members = team_members(episode.team_id)
    locations = _locations(referral)
    form = AppointmentForm(
        request.POST or None,
        locations=locations,
        members=members,
        initial={"version": referral.version, "location": locations[0][0] if len(locations) == 1 else ""},
    )
    problems: list[dict[str, str]] = []
    status = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = appointment_book(
                actor=request.user,
                referral=referral,
                version=data["version"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location_id=data["location"] or None,
                place=data["place"],
                accompanied_by_id=data["accompanied_by"],
                travel_needs=data["travel_needs"],
                note=data["note"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_BOOKER)
        except StaleWrite:
            problems = [{"text": REFERRAL_CONFLICT, "href": "#appointment-form"}]
            status = 409
            referral.refresh_from_db()
            # Keep what they typed, with the version they have now seen: saving again is a decision.
            stale = request.POST.copy()
            stale["version"] = str(referral.version)
            form = AppointmentForm(stale, locations=locations, members=members)
            form.is_valid()
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"referral": "__all__"})
        else:
            messages.success(
                request,
                f"Appointment booked for {presenters.place(appointment)} on "
                f"{timezone.localtime(appointment.starts_at):%d %B %Y at %H:%M}.",
            )
            return redirect("referrals:referral_detail", pk=referral.pk)
    context = {
        "referral": referral,
        "episode": episode,
        "person": episode.person,
        "access": access,
        "form": form,
        "problems": problems,
        "need_label": presenters.need_label(referral.need_key),
    }
    return render_page(
        request,
        "referrals/appointment_new.html",
        context,
        forms=(form,),
        has_problems=bool(problems),
        status=status,
    )


@require_POST
def appointment_attendance_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appointment, _ = get_appointment_for_user(request.user, pk)
    if not can(request.user, "referrals.appointments", appointment.episode.team_id):
        return not_permitted(request, NOT_A_BOOKER)
    if appointment.referral_id is None:
        raise Http404("Not found")
    referral, access = get_referral_for_user(request.user, appointment.referral_id)
    form = AttendanceForm(request.POST, prefix=f"attendance-{appointment.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = appointment_attendance(
                actor=request.user,
                appointment=appointment,
                version=data["version"],
                attendance=data["attendance"],
                note=data["note"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_BOOKER)
        except StaleWrite:
            return _referral_page(
                request,
                referral,
                access,
                problems=[{"text": APPOINTMENT_CONFLICT, "href": "#appointments"}],
                status=409,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            said = {
                Attendance.ATTENDED: "Recorded: the person went.",
                Attendance.MISSED: "Recorded as missed. An outreach task has been added.",
                Attendance.CANCELLED: "Recorded as cancelled. You can book another appointment.",
            }
            messages.success(request, said.get(done.attendance, "Attendance recorded."))  # type: ignore[call-overload]
            return redirect("referrals:referral_detail", pk=referral.pk)
    return _referral_page(request, referral, access, attendance_forms={appointment.pk: form})


# --- the worker's calendar and its feed -----------------------------------------------------------------


def _has_calendar(request: AuthenticatedRequest) -> bool:
    return any(
        can(request.user, "referrals.appointments", team_id) for team_id in roles_by_team(request.user)
    )


def _calendar_page(request: AuthenticatedRequest, *, feed_url: str = "") -> HttpResponse:
    week = presenters.week_of(request.GET.get("week"))
    start, end = week.bounds
    page = Paginator(calendar_appointments(request.user, start, end), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"appointment": a, "place": presenters.place(a)} for a in page]
    if rows:
        audit(
            actor=request.user,
            action="calendar.view",
            detail={"week": week.start.isoformat(), "page": page.number},
            person_ids=[appointment.episode.person_id for appointment in page],
        )
    context = {
        "week": week,
        "page": page,
        "rows": rows,
        "today": timezone.localdate(),
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "feed_url": feed_url,
    }
    return render_page(request, "referrals/calendar.html", context)


@require_GET
def calendar(request: AuthenticatedRequest) -> HttpResponse:
    if not _has_calendar(request):
        return not_permitted(request, "Your role has no appointments calendar.")
    return _calendar_page(request)


@require_POST
def calendar_feed_new(request: AuthenticatedRequest) -> HttpResponse:
    if not _has_calendar(request):
        return not_permitted(request, "Your role has no appointments calendar.")
    token = calendar_feed_reset(actor=request.user)
    url = request.build_absolute_uri(reverse("referrals:calendar_feed", kwargs={"token": token}))
    # Shown once, on this page: never in a message cookie, a redirect or the address bar.
    return _calendar_page(request, feed_url=url)


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The worker's appointments as iCalendar, for a calendar app. Public by decision: the secret in the
    address is the key. It says as little as it can: the service, the place, the time and initials."""
    row = CalendarFeed.objects.filter(digest=feed_digest(token)).select_related("user").first()
    if row is None or not row.user.is_active:
        raise Http404("Not found")
    body, person_ids = feed.ics_for(row.user)
    CalendarFeed.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    audit(actor=row.user, action="calendar_feed.fetch", object_type="calendar_feed", person_ids=person_ids)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="liaison-appointments.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
