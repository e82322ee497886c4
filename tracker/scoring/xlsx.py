"""Streaming .xlsx for the official downloads (台账, scorecard, bulletin), on XlsxWriter.

openpyxl builds a cell object per value even in write-only mode: a year's scorecard of
2,000 units (400,000 rows) took seconds of CPU there (issue 13). XlsxWriter, in its
`constant_memory` mode, writes each row to the sheet's XML as it comes and keeps no cells:
the header row bold on a grey fill and frozen, set column widths, numbers as numbers, dates as
dates (yyyy-mm-dd), every text written as text (text typed "=…" stays text, never a formula),
text longer than 20 characters wrapped, and optional cell fills (the ledger's lights). The
files read back with openpyxl like the workbooks it used to write (tests/scoring/
test_exports.py reads every cell). XlsxWriter is pure Python and loads no lxml, so a web
worker may import it (tests/test_worker_imports.py).
"""

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import xlsxwriter

WRAP_OVER = 20  # characters: longer text is wrapped
DAY_FORMAT = "yyyy-mm-dd"
PADDING = 5 / 7  # 5 pixels, in widths of a 7-pixel character
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0


class Workbook:
    """Sheets added one by one (`add_sheet`), each written as its rows come; `bytes()`
    finishes the file. `fills` are the fill colours cells may use (RRGGBB)."""

    def __init__(self, header_fill: str, fills=()):
        self.stream = BytesIO()
        self.book = xlsxwriter.Workbook(
            self.stream, {"constant_memory": True, "strings_to_formulas": False}
        )
        add = self.book.add_format
        self.header = add({"bold": True, "bg_color": f"#{header_fill}", "pattern": 1})
        self.day = add({"num_format": DAY_FORMAT})
        self.wrapped = add({"text_wrap": True, "valign": "top"})
        self.fill = {c: add({"bg_color": f"#{c}", "pattern": 1}) for c in fills}

    def add_sheet(self, title: str, columns: list[tuple[str, int]], rows, fills=None) -> None:
        """A sheet: the header row (the columns' names) then `rows` (iterables of values:
        None, str, int, float, Decimal, date, datetime). `fills`: {column (1-based):
        function(row) -> a colour of the workbook's fills or None}."""
        sheet = self.book.add_worksheet(title)
        for i, (name, width) in enumerate(columns):
            # XlsxWriter adds Excel's 5-pixel cell padding to the width it is given; take it
            # off so that the file stores the width asked for (as openpyxl wrote it).
            sheet.set_column(i, i, width - PADDING)
            sheet.write_string(0, i, name, self.header)
        sheet.freeze_panes(1, 0)
        fills = {i - 1: fn for i, fn in (fills or {}).items()}
        for r, row in enumerate(rows, start=1):
            row = tuple(row)
            for i, value in enumerate(row):
                style = None
                if i in fills and (color := fills[i](row)):
                    style = self.fill[color]
                if value is None or value == "":  # no cell, as openpyxl writes it
                    if style is not None:
                        sheet.write_blank(r, i, None, style)
                    continue
                if isinstance(value, str):
                    if style is None and len(value) > WRAP_OVER:
                        style = self.wrapped
                    sheet.write_string(r, i, _ILLEGAL.sub("", value), style)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, i, value, style)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(r, i, value, style)
                elif isinstance(value, datetime | date):
                    sheet.write_datetime(r, i, value, self.day)
                else:
                    raise TypeError(f"no cell for {type(value).__name__}")

    def bytes(self) -> bytes:
        """The finished file."""
        self.book.close()
        return self.stream.getvalue()
