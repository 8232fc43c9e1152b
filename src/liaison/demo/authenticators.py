"""Demo logins' authenticator apps: a fixed key per demo username, so a demo can be signed in to.

The keys are derived from the username and a public string: they protect nothing but synthetic
data, and exist only where `liaison demo-logins` was run, which `make demo` does.
`liaison demo-code USERNAME` prints the code a phone would show now.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.core.models import User

DEMO_KEY_SALT = b"liaison-demo-authenticator-2026"


def demo_key(username: str) -> str:
    """40 hex digits (160 bits), as django-otp stores a TOTP key."""
    return hmac.new(DEMO_KEY_SALT, username.encode(), hashlib.sha1).hexdigest()


def ensure_demo_authenticator(user: User) -> TOTPDevice:
    key = demo_key(user.get_username())
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
    )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now, or, when that one has been used (a code works once), the next one,
    which is accepted from now on too (django-otp allows one step of clock drift)."""
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    if totp.t() <= device.last_t:
        totp.time = time.time() + device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"
