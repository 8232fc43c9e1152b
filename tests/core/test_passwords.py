"""Password rules (NCSC and ASVS 2.1): at least 12 characters, long passphrases welcome, common
passwords refused, no composition rules. Argon2id in production is checked in test_deployment_settings.py
(the test run itself uses a fast hasher)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass1", "at least 12 characters"),  # 11 characters
        ("password1234", "too common"),
        ("qwerty123456", "too common"),
        ("1q2w3e4r5t6y", "too common"),
        ("Sam.Nightingale", "too similar"),  # the account's own username
    ],
)
def test_weak_passwords_are_refused(db, password, problem):
    user = UserFactory(username="sam.nightingale", display_name="Sam Nightingale")
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    assert any(problem in message for message in error.value.messages), error.value.messages


@pytest.mark.parametrize(
    "password",
    [
        "twelve chars",  # exactly 12, all lower case: no composition rules
        "otter lantern custody harbour",  # a passphrase
        "a" * 3 + " very long passphrase " * 20,  # long ones are allowed
        "ÉCLAIR café 1987 ñandú",  # any characters
    ],
)
def test_long_or_plain_passwords_are_accepted(db, password):
    user = UserFactory(username="sam.nightingale")
    validate_password(password, user)


def test_there_are_no_composition_rules(settings):
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == ["MinimumLengthValidator", "CommonPasswordValidator", "UserAttributeSimilarityValidator"]
