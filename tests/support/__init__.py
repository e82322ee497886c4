"""Shared test helpers: `permission_matrix` (route × role runner), `clock` (put a test at
a given moment) and `csrf` (a client signed in on an app that checks CSRF tokens)."""
