"""excel_rules.column_letter names a column as a spreadsheet does (the importer's cell
references, e.g. "F7"), without loading openpyxl and its lxml (issue 13)."""

import pytest

from tracker.plans.excel_rules import column_letter


@pytest.mark.parametrize(
    ("index", "letters"),
    [
        (1, "A"),
        (2, "B"),
        (26, "Z"),
        (27, "AA"),
        (52, "AZ"),
        (53, "BA"),
        (702, "ZZ"),
        (703, "AAA"),
        (16384, "XFD"),  # the last column of an .xlsx sheet
    ],
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters
