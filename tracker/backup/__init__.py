"""Backup and restore: the database and the evidence files, consistent with each other.

`flask --app wsgi backup create FILE`, `backup verify FILE`, `backup restore FILE`,
`backup maintenance on|off|status`; see docs/security.md for the procedure.
"""
