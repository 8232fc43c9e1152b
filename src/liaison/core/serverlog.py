"""Gunicorn's access log, without the credentials gunicorn would otherwise hand to every log handler.

Gunicorn formats each access line from a dict of "atoms" that holds every request and response header
and the whole WSGI environment, and passes that dict to the logging call as its arguments. The default
line shows none of the secrets, but any handler that keeps a record's arguments (a JSON log shipper,
an error tracker) would store the bearer token, the session cookie and the CSRF token. This logger
drops those atoms before they reach logging. The log canary test (tests/core/test_log_canary.py) uses it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gunicorn.glogging import Logger

# Header and environment names (lower case) whose values are credentials.
SECRET_WORDS = ("authorization", "cookie", "csrf", "token", "api-key", "api_key")


def _secret(atom: str) -> bool:
    return atom.startswith("{") and any(word in atom for word in SECRET_WORDS)


class RedactingLogger(Logger):
    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: dt.timedelta
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        # "u" is the user name gunicorn decodes from HTTP Basic credentials; Liaison never uses them.
        atoms["u"] = "-"
        return {name: value for name, value in atoms.items() if not _secret(name.lower())}
