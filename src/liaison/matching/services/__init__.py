"""Writes for person matching: blocking keys, the duplicate batch and its review, merge and unmerge."""

from liaison.matching.services.duplicates import DuplicateRun, duplicate_pair_review, duplicates_find
from liaison.matching.services.keys import match_keys_rebuild, match_keys_refresh
from liaison.matching.services.merge import MergeRefused, person_merge, person_relations, person_unmerge

__all__ = [
    "DuplicateRun",
    "MergeRefused",
    "duplicate_pair_review",
    "duplicates_find",
    "match_keys_rebuild",
    "match_keys_refresh",
    "person_merge",
    "person_relations",
    "person_unmerge",
]
