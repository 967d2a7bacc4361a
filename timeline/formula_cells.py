"""Spreadsheet cells that cannot run as formulas (OWASP's advice on CSV injection): a text
beginning with =, +, -, @, a tab or a carriage return is written with a leading apostrophe,
which spreadsheets read as "this is text", and read back without it."""

import re

# Apostrophes first too: a text that already begins with "'=" keeps it through a round trip.
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")


def neutralised(value):
    """``value`` as a CSV cell: a text that a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


def restored(value):
    """A cell as neutralised() wrote it, its apostrophe taken off again."""
    if isinstance(value, str) and value.startswith("'") and FORMULA_START.match(value[1:]):
        return value[1:]
    return value
