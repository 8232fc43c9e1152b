"""Assessment fixtures: a young person's episode (shared with the screening tests)."""

from tests.screening.conftest import youth_episode  # noqa: F401 - a fixture, used by name
