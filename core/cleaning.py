"""Text without the characters nobody means to see.

Control characters (NUL, vertical tab, …; tab, line feed and carriage return
are kept), the bidirectional overrides and isolates that make text display as
something else (``\\u202e`` shows a name or an order number reversed), and
XML's non-characters. PostgreSQL refuses NUL in text, XLSX (XML) cannot hold
any of the control characters, and none of them is ever part of a name, an
address or a message. Files are cleaned on the way in (core.files) and every
spreadsheet written on the way out (finance.xlsx, orders.exports), since rows
stored before the cleaning may still hold them.
"""

import re

INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def visible_text(text: str) -> str:
    """``text`` without INVISIBLE characters (the same object when it has none)."""
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text
