"""Which format reads which channel's files."""

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.files import FileProblem, normalise_header, read_rows
from . import amazon, douyin, generic, jd, pdd, shopify, taobao
from .base import OrderFormat

FORMATS: dict[str, OrderFormat] = {
    fmt.code: fmt for fmt in (taobao.FORMAT, jd.FORMAT, pdd.FORMAT, douyin.FORMAT, shopify.FORMAT, amazon.FORMAT, generic.FORMAT)
}


def format_for(channel, code: str = "") -> OrderFormat:
    """The format named ``code``, or the one for the channel's platform (the template for the others)."""
    if code:
        try:
            return FORMATS[code]
        except KeyError:
            raise DomainError(
                _("Unknown file format “%(code)s”; known: %(known)s.") % {"code": code, "known": ", ".join(FORMATS)}
            ) from None
    for fmt in FORMATS.values():
        if channel.platform in fmt.platforms:
            return fmt
    return FORMATS["generic"]


def format_choices():
    return [(code, fmt.label) for code, fmt in FORMATS.items()]


def _missing(columns: tuple[str, ...], names: set[str]) -> list[str]:
    return [column for column in columns if normalise_header(column) not in names]


def _header_of(binary) -> list[str]:
    """The first row of a file, as read_rows finds it; [] if it cannot be read at all
    (empty, not a table: read_rows's own message says so better)."""
    cells: list[str] = []
    try:
        binary.seek(0)
        next(read_rows(binary, on_header=cells.extend), None)
    except FileProblem:
        return []
    finally:
        binary.seek(0)
    return cells


def unrecognised_files_problem(fmt: OrderFormat, files, found: dict) -> str:
    """For each file whose header ``fmt`` did not find (``found``: the headers it
    did, by file name): the columns it lacks and the known format it looks like."""
    explanations = []
    for named in files:
        if named.name in found:
            continue
        names = {normalise_header(cell) for cell in _header_of(named.binary)} - {""}
        if not names:
            continue
        missing = min((_missing(columns, names) for columns in fmt.columns), key=len, default=[])
        if not missing:
            continue  # one of the format's files (another file of the upload is the one it could not read)
        message = _("%(file)s lacks the columns %(columns)s of the format “%(format)s”.") % {
            "file": named.name,
            "columns": ", ".join(missing),
            "format": fmt.label,
        }
        alike = [
            other.label
            for other in FORMATS.values()
            if other is not fmt and any(not _missing(columns, names) for columns in other.columns)
        ]
        if alike:
            message += " " + _("It looks like “%(format)s”: import it with that format, or into a channel of that platform.") % {
                "format": alike[0]
            }
        else:
            message += " " + _("It looks like none of the formats we know.")
        explanations.append(message)
    return " ".join(explanations)
