"""The second factor in tests: a confirmed authenticator for a user, and its current code.

`Client.force_login` (tests/conftest.py) also passes the second factor, as a real sign-in does;
`password_only_login` does not, for the tests of the control itself.
"""

from __future__ import annotations

import base64

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.demo.authenticators import current_code as demo_current_code


def authenticator(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The demo command's code (demo/authenticators.py), for the device as the database holds it now."""
    device.refresh_from_db()
    return demo_current_code(device)


def code_for_secret(secret: str) -> str:
    """The code now for a key as the set-up page shows it (base32, in groups of four), no code from it
    accepted yet (django-otp's defaults: 30-second steps, 6 digits)."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


def sign_in(client, user, password: str, *, csrf: bool = False):
    """Both steps through the real pages: the password, then the code. Returns the code page's answer."""
    import re

    data = {"username": user.username, "password": password}
    if csrf:
        from django.conf import settings

        data["csrfmiddlewaretoken"] = client.get("/sign-in").cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post("/sign-in", data)
    assert response.status_code == 302, response.content
    assert response["Location"].startswith("/sign-in/"), response["Location"]
    code = {"code": current_code(authenticator(user))}
    if csrf:
        page = client.get("/sign-in/code").content.decode()
        code["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post("/sign-in/code", code)
    assert response.status_code == 302, response.content
    return response


def browser_sign_in(page, base: str, username: str, password: str, *, go: bool = True) -> None:
    """Sign in through the real pages in Chromium: the password, then the code (set up first if needed)."""
    from liaison.core.models import User

    if go:
        page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/sign-in/**")
    if "/set-up-authenticator" in page.url:
        code = code_for_secret(page.locator(".liaison-secret").inner_text())
    else:
        code = current_code(authenticator(User.objects.get(username=username)))
    page.get_by_label("Code from your authenticator app").fill(code)
    page.locator("form[action^='/sign-in/'] button[type=submit]").click()
    page.wait_for_load_state()
