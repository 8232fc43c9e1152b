"""Person matching: blocking keys for the real-time candidates, likely duplicate pairs for review,
and merges (with exactly what moved, so a merge can be undone)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from liaison.people.models import Person


class MatchKey(models.Model):
    """A name-based blocking key of a person, e.g. ("fy", "SM0|1990"): last-name sound and year of birth.

    Derived data, rebuilt from the person's names and date of birth by `match_keys_refresh`; the
    identifiers and the exact date of birth are matched on the person's own indexed columns instead.
    """

    # db_index=False on a foreign key: an index in Meta starts with its column and serves its look-ups
    # (tests/core/test_redundant_indexes.py); a second index would only cost every insert a write.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="match_keys", db_index=False)
    kind = models.CharField(max_length=4)
    value = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="matchkey_kind_value")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value"], name="matchkey_unique_per_person")
        ]


class TermFrequency(models.Model):
    """How many people share a value: a folded last name ("fn"), first name ("gn") or postcode ("pc"),
    so that intake weighs an agreement on a rare value above one on a common value as the duplicate
    batch does. Rebuilt whole by `liaison match-keys` and by every duplicate run (`term_frequencies_save`);
    the row of kind "*" holds how many people were counted. Between rebuilds a new value is simply not
    counted, and an agreement on it takes the model's average weight.
    """

    kind = models.CharField(max_length=4)
    value = models.CharField(max_length=80)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="termfrequency_unique")]


class PairStatus(models.TextChoices):
    OPEN = "open", "To review"
    CONFIRMED = "confirmed", "Confirmed as the same person"
    REJECTED = "rejected", "Not the same person"
    MERGED = "merged", "Merged"


class DuplicatePair(models.Model):
    """Two records the duplicate batch found likely to be the same person, for a team lead to review.

    `person_a` is always the lower id, so a pair is found once whichever way round it was scored.
    """

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    # [[comparison, level, weight], ...] in display order: what the probability rests on.
    evidence = models.JSONField(default=list)
    model_version = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicatepair_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="duplicatepair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="duplicatepair_queue")]


class DuplicatePairStatus(models.Model):
    """Every change of a pair's status, immutable: who decided what, when, and why."""

    pair = models.ForeignKey(DuplicatePair, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(max_length=10, choices=PairStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)


class MergeRecord(models.Model):
    """One merge of a duplicate record into the surviving one, and its undoing.

    `moved` lists every row whose reference to the duplicate was changed to the survivor, as
    {"model": "episodes.episode", "pk": 12, "field": "person", "old": <duplicate id>}; `kept` lists
    the one-to-one rows that stayed with the duplicate; `created` the rows the merge added (the
    duplicate's name as another name of the survivor). Unmerge reads these back. The duplicate is
    never deleted: while the merge stands (`unmerged_at` empty) it is "merged into" the survivor.
    """

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(
        DuplicatePair, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=list)
    kept = models.JSONField(default=list)
    created = models.JSONField(default=list)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmerge_reason = models.CharField(max_length=500, blank=True)
    # What unmerge could not put back, and why (a moved row deleted since, say).
    unmerge_report = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            # A record is merged into at most one other at a time.
            models.UniqueConstraint(
                fields=["duplicate"], condition=Q(unmerged_at__isnull=True), name="mergerecord_one_active"
            ),
            models.CheckConstraint(
                condition=~Q(survivor=models.F("duplicate")), name="mergerecord_two_people"
            ),
        ]
        indexes = [models.Index(fields=["survivor", "-merged_at"], name="mergerecord_survivor")]
