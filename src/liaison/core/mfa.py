"""The second factor: a time-based one-time code (TOTP, RFC 6238) from an authenticator app.

A password alone signs a session in but reaches nothing except these pages: SecondFactorMiddleware
sends every other page here, and the API refuses a session that has not passed the second factor.

- A staff member with a confirmed authenticator enters its 6-digit code (`mfa_verify`).
- One without sets it up first (`mfa_setup`): a new secret is shown as a QR code and as text, and is
  confirmed only by a correct code from the app.
- Breaking the glass asks for a fresh code again (`step_up`): re-authentication before the most
  sensitive actions. A code is accepted once only (django-otp refuses a replay), and failures are
  throttled by the device (each failure doubles the wait) and audited.
"""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.core.audit import audit
from liaison.core.models import User
from liaison.core.signin import session_cycle

logger = logging.getLogger("liaison.security")

ISSUER = "Liaison"
DEVICE_NAME = "Authenticator app"
# URL names a signed-in session may reach before its second factor.
BEFORE_SECOND_FACTOR = frozenset({"mfa_verify", "mfa_setup", "logout", "session", "healthz", "login"})


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_second_factor(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_verified())


def second_factor_url(request: HttpRequest, next_url: str = "") -> str:
    """Where a password-only session goes: the code page, or the set-up page if it has no app yet."""
    name = "mfa_verify" if confirmed_device(_signed_in(request)) else "mfa_setup"
    target = reverse(name)
    return f"{target}?next={next_url}" if next_url and _safe(request, next_url) else target


def _safe(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _next(request: HttpRequest) -> str:
    candidate = str(request.POST.get("next") or request.GET.get("next") or "")
    return candidate if candidate and _safe(request, candidate) else reverse("worklist")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows for Liaison. It changes every 30 seconds.",
        max_length=12,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args: Any, device: TOTPDevice | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError("Enter the 6 digits the app shows, with no letters")
        device = self.device
        if device is None:
            raise ValidationError("Set up your authenticator app first")
        allowed, data = device.verify_is_allowed()
        if not allowed:
            wait = (data or {}).get("locked_until")
            raise ValidationError(
                "Too many wrong codes. Wait a minute, then enter the newest code from the app"
                + (f" (try again after {wait:%H:%M:%S})" if wait else "")
            )
        if not device.verify_token(code):
            raise ValidationError(
                "That code is not right, or has been used. Enter the newest code from the app"
            )
        return code


def _signed_in(request: HttpRequest) -> User:
    """The user of a session past the password step (LoginRequiredMiddleware sees to that)."""
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - the middleware stops anonymous requests first
        raise PermissionDenied("Sign in first")
    return user


def _audit_failure(request: HttpRequest, action: str) -> None:
    user = _signed_in(request)
    audit(actor=user, action=action, object_type="user", object_id=user.pk)
    logger.warning("second factor failed", extra={"user_id": user.pk, "action": action})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The code page after the password. A session that already passed goes straight on."""
    if has_second_factor(request):
        return redirect(_next(request))
    user = _signed_in(request)
    device = confirmed_device(user)
    if device is None:
        return redirect(second_factor_url(request, _next(request)))
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            session_cycle(request, user)  # a new session id once fully signed in
            otp_login(request, device)
            audit(
                actor=user,
                action="signin.second_factor",
                object_type="user",
                object_id=user.pk,
            )
            return redirect(_next(request))
        _audit_failure(request, "signin.second_factor_failed")
    return render(
        request,
        "core/mfa_verify.html",
        {"form": form, "next": _next(request)},
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


def qr_svg(url: str) -> SafeString:
    """The otpauth address as an inline SVG QR code, drawn here: no image service, no script."""
    svg = segno.make(url, error="m").svg_inline(scale=5, dark="#212b32", light="#ffffff", title="QR code")
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)
    return mark_safe(labelled)  # noqa: S308 - segno's own SVG of our own address, no user input


def _group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: a fresh secret, confirmed only by a correct code."""
    user = _signed_in(request)
    if confirmed_device(user) is not None:
        # Replacing a lost phone is done by an administrator (the account's devices are removed),
        # never by a session that has only a password.
        return redirect(second_factor_url(request, _next(request)))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            session_cycle(request, user)
            otp_login(request, device)
            audit(actor=user, action="signin.second_factor_enrolled", object_type="user", object_id=user.pk)
            messages.success(
                request,
                "Your authenticator app is set up. You will need a code from it each time you sign in.",
            )
            return redirect(_next(request))
        _audit_failure(request, "signin.second_factor_failed")
    secret = device_secret(device)
    return render(
        request,
        "core/mfa_setup.html",
        {
            "form": form,
            "next": _next(request),
            "secret": _group(secret),
            "qr": qr_svg(config_url(device, user)),
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


def device_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def config_url(device: TOTPDevice, user: User) -> str:
    label = quote(f"{ISSUER}:{user.get_username()}")
    query = urlencode(
        {"secret": device_secret(device), "issuer": ISSUER, "digits": device.digits, "period": device.step}
    )
    return f"otpauth://totp/{label}?{query}"


def step_up_form(request: HttpRequest, data: Any = None) -> CodeForm:
    """A fresh code, asked for again before breaking the glass."""
    form = CodeForm(data, device=confirmed_device(_signed_in(request)))
    form.fields["code"].label = "Enter a new code from your authenticator app to confirm it is you"
    return form
