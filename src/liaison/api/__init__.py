"""The JSON API at /api/v1/: Django Ninja, problem+json errors, cursor pages, idempotent POSTs."""
