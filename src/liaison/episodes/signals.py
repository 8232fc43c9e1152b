"""Signals other apps listen to, so episodes need not import them."""

from django.dispatch import Signal

# Sent inside the transaction that marks a task done: sender=Task, task=..., actor=...
task_completed = Signal()
