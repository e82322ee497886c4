"""Dates computed by the database: what the batch jobs read by the thousand."""

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class beijing_date(FunctionElement):  # noqa: N801 — an SQL function
    """The Beijing date (UTC+8, no daylight saving) of a stored naive-UTC moment, computed
    by the database: timeutil.local_date in SQL, so a month's rows reach Python as dates
    rather than as datetimes to convert one by one (issue 13)."""

    type = Date()
    inherit_cache = True
    name = "beijing_date"


@compiles(beijing_date)
def _beijing_date(element, compiler, **kw):
    inner = compiler.process(element.clauses, **kw)
    return f"CAST(({inner}) + INTERVAL '8 hours' AS DATE)"


@compiles(beijing_date, "sqlite")
def _beijing_date_sqlite(element, compiler, **kw):
    inner = compiler.process(element.clauses, **kw)
    return f"date({inner}, '+8 hours')"
