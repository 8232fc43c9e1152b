"""Pages for the person's rights: subject access requests (team leads), and the history, corrections
and disputes of a person's details."""
