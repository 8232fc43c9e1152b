"""A progress line for the matching commands: one self-overwriting line on a terminal, silence otherwise."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


class Progress:
    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.shown = False

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.tty:
            return
        text = f"  {label}: {done:,}" + (f"/{total:,}" if total else "")
        self.stream.write("\r" + text.ljust(60), ending="")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 60 + "\r", ending="")
            self.stream.flush()
            self.shown = False
