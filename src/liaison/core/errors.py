"""Domain errors the services raise; the HTML views and the API each turn them into their own answer."""

from __future__ import annotations


class StaleWrite(Exception):
    """Someone else saved this record after the editor loaded it: their change must not be overwritten."""

    def __init__(self, *, object_type: str, object_id: object, expected: int, current: int | None) -> None:
        self.object_type = object_type
        self.object_id = object_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"This {object_type} was changed by someone else after you opened it "
            f"(you had version {expected}, it is now version {current}). "
            "Reload it and make your change again."
        )


class NotPermitted(Exception):
    """The user can see the record but their role may not do this to it."""
