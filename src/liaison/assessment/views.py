"""Pages for assessments and plans."""
