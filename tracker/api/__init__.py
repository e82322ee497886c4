"""The REST API (/api/v1), its tokens and the admin's event endpoints (docs/api.md)."""
