"""Text helpers every feature may use (the lowest layer)."""

from sqlalchemy import or_


def like_pattern(term: str) -> str:
    """'%term%' with LIKE's wildcards escaped (escape character "\\")."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(q: str, *columns):
    """A WHERE clause: any of `columns` contains `q` (case-insensitive, wildcards escaped)."""
    pattern = like_pattern(q)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
