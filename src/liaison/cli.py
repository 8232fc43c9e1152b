"""The `liaison` command: a thin wrapper over Django's management commands.

`liaison serve`, `liaison seed`, `liaison audit-verify` and Django's own (`liaison migrate`, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["liaison", *argv])
    # Hyphenated names read better on the command line; Django's commands are module names.
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
