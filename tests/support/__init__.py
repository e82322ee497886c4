"""Shared test helpers: `permission_matrix` (route × role runner) and `clock` (put a test at
a given moment)."""
