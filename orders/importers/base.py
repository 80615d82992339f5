"""What every format importer shares: the records it yields, reading cells as
values with errors that name the column, and grouping a file's rows by order.

A format reads its file(s) with ``files.read_rows`` and yields, in file order:

- ``Parsed``: one order (``orders.importers.records.PlatformOrder``) and the
  rows it came from;
- ``Rejected``: rows that cannot be used, with the reason a clerk can act on.

It never writes: the pipeline compares the orders with what is stored and
calls the services.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_UP, Decimal
from functools import cached_property, partial

from django.utils.translation import gettext as _

from ..models import ZERO, Order
from .cleaning import status_key
from .records import PlatformOrder
from core.files import FileProblem, Row, normalise_header, parse_amount, parse_datetime, parse_quantity, read_rows
from core.limits import value_problem

AMOUNT_FIELD = Order._meta.get_field("goods_amount")  # every amount of an order has its digits


@dataclass(frozen=True)
class SourceRow:
    file: str
    line: int
    cells: dict


@dataclass
class Parsed:
    """One order of the file. Its state and tracking number are read at once
    (enough to tell that a known order is unchanged); the rest of the order is
    built on first use of ``order``, which raises RowError for a bad cell.
    An unchanged re-import never pays for building what it does not need."""

    platform_order_id: str
    state: str  # a PlatformState
    tracking_number: str
    rows: list[SourceRow]
    build: Callable[[], PlatformOrder]
    # Shown when a new order has no lines (e.g. "no rows in the item report").
    no_lines_reason: str = ""

    @cached_property
    def order(self) -> PlatformOrder:
        return self.build()

    @property
    def paid_before_closing(self) -> bool:
        # plan_update asks this only of an order the platform closed and we hold
        # unpaid: rare enough to build the whole order for.
        return self.order.paid_before_closing


@dataclass
class Rejected:
    rows: list[SourceRow]
    reason: str
    platform_order_id: str = ""
    order_rejected: bool = True  # False: a duplicate row of an order that was used


class RowError(ValueError):
    """A row (or an order's rows) cannot be used; the message is for the clerk."""


@dataclass
class NamedFile:
    """An uploaded or stored file: its name for reports, and the binary to read."""

    name: str
    binary: object


class Col(str):
    """A column: the platform's own spelling (for messages), equal to its normalised form (for lookups)."""

    def __new__(cls, label: str):
        column = super().__new__(cls, normalise_header(label))
        column.label = label.strip()
        return column


def amount(row: Row, *columns: Col, default: Decimal | None = ZERO, decimal_comma: bool = False) -> Decimal | None:
    """The first non-empty of ``columns`` as a Decimal; ``default`` when all are empty."""
    for column in columns:
        value = row.cells.get(column, "")
        if value:
            try:
                parsed = parse_amount(value, decimal_comma=decimal_comma)
            except ValueError as error:
                raise RowError(f"{column.label}: {error}") from None
            # Bounded at once: 1e30 would make the shares and unit prices derived from it fail to round.
            if problem := value_problem(AMOUNT_FIELD, parsed):
                raise RowError(f"{column.label}: {problem}")
            return parsed
    return default


def moment(row: Row, *columns: Col, tz=None, required: bool = False):
    for column in columns:
        value = row.cells.get(column, "")
        if value:
            try:
                return parse_datetime(value, tz=tz)
            except ValueError as error:
                raise RowError(f"{column.label}: {error}") from None
    if required:
        raise RowError(_("%(column)s is empty.") % {"column": columns[0].label})
    return None


# No platform order line is a million units: a bigger quantity is an id or a
# barcode pasted into the quantity column (1e9 fits the column but is never an order).
MAX_LINE_QUANTITY = 1_000_000


def quantity(row: Row, column: Col) -> int:
    try:
        value = parse_quantity(row.cells.get(column, ""))
    except ValueError as error:
        raise RowError(f"{column.label}: {error}") from None
    if value > MAX_LINE_QUANTITY:
        raise RowError(
            _("%(column)s: %(value)s units on one line is more than %(limit)s; is this the right column?")
            % {"column": column.label, "value": value, "limit": MAX_LINE_QUANTITY}
        )
    return value


def required_text(row: Row, column: Col) -> str:
    value = row.cells.get(column, "")
    if not value:
        raise RowError(_("%(column)s is empty.") % {"column": column.label})
    return value


def source(file_name: str, row: Row) -> SourceRow:
    return SourceRow(file_name, row.line, row.cells)


def grouped(rows: Iterator[Row], key: Callable[[Row], str]) -> Iterator[tuple[str, list[Row]]]:
    """Consecutive rows with the same key, as (key, rows): the platforms write an
    order's line rows together (Shopify's continuation rows, JD's item rows)."""
    current_key, group = None, []
    for row in rows:
        row_key = key(row)
        if group and row_key != current_key:
            yield current_key, group
            group = []
        current_key = row_key
        group.append(row)
    if group:
        yield current_key, group


def split_duplicates(rows: list[Row]) -> tuple[list[Row], list[tuple[Row, int]]]:
    """Rows that repeat an earlier row cell for cell are duplicates: (kept rows, [(duplicate, line it repeats)])."""
    seen: dict[tuple, int] = {}
    kept, duplicates = [], []
    for row in rows:
        signature = tuple(row.cells.values())
        if signature in seen:
            duplicates.append((row, seen[signature]))
        else:
            seen[signature] = row.line
            kept.append(row)
    return kept, duplicates


def duplicate_reason(line: int) -> str:
    return _("Duplicate of line %(line)s: the same row twice; it was used once.") % {"line": line}


@dataclass(frozen=True)
class OrderFormat:
    """A platform's export format: ``read(files, *, channel, progress)`` yields
    Parsed and Rejected records in file order, and counts the rows of its main
    file in ``progress.rows``."""

    code: str
    label: str
    platforms: tuple[str, ...]  # channels on these platforms use this format unless told otherwise
    read: Callable
    max_files: int = 1
    # The columns each of its files must have (one tuple per kind of file): what tells its files apart.
    columns: tuple[tuple[str, ...], ...] = ()
    # Where the order's first row says when and by whom it was placed (the first non-empty column).
    placed_columns: tuple[Col, ...] = ()
    buyer_columns: tuple[Col, ...] = ()

    def placed(self, record: Parsed) -> tuple[datetime | None, str]:
        """(when, buyer) of the order, read from its first row without building
        it: a known order's file is compared by these even when nothing changed."""
        first = record.rows[0]
        buyer = next((first.cells[column] for column in self.buyer_columns if first.cells.get(column)), "")
        return moment(first, *self.placed_columns), buyer


def read_grouped(files, *, required: tuple[str, ...], key: Col, head: Callable, build: Callable, progress) -> Iterator:
    """The reader of a one-file format with one row per line item: rows are
    grouped by ``key`` (consecutive rows of one order) and exact duplicate rows
    are reported and used once. ``head(order_id, rows)`` gives the order's
    (state, tracking number) at once; ``build(order_id, rows, state)`` makes the
    whole order when it is needed. Either raises RowError, which rejects all
    the order's rows."""
    if len(files) != 1:
        raise FileProblem(_("This format is one file; %(count)s were given.") % {"count": len(files)})
    (named,) = files

    def counted():
        for row in read_rows(named.binary, required=required, on_header=progress.header_of(named.name)):
            progress.read(named.name, row)
            yield row

    for order_id, rows in grouped(counted(), lambda row: row.cells.get(key, "")):
        kept, duplicates = split_duplicates(rows)
        for duplicate, first_line in duplicates:
            yield Rejected([source(named.name, duplicate)], duplicate_reason(first_line), order_id, order_rejected=False)
        sources = [source(named.name, row) for row in kept]
        try:
            if not order_id:
                raise RowError(_("%(column)s is empty.") % {"column": key.label})
            state, tracking = head(order_id, kept)
        except RowError as error:
            yield Rejected(sources, str(error), order_id)
            continue
        yield Parsed(order_id, state, tracking, sources, partial(build, order_id, kept, state))


def per_line(rows: list[Row], make: Callable[[Row], object]) -> list:
    """``make(row)`` for each row of an order; an error names the row's line when there are several."""
    made = []
    for row in rows:
        try:
            made.append(make(row))
        except RowError as error:
            if len(rows) == 1:
                raise
            raise RowError(_("Line %(line)s: %(error)s") % {"line": row.line, "error": error}) from None
    return made


def state_of(row: Row, column: Col, statuses: dict) -> str:
    """The PlatformState for the row's status words, by ``cleaning.status_key``."""
    words = row.cells.get(column, "")
    state = statuses.get(status_key(words))
    if state is None:
        raise RowError(_("%(column)s: unknown status “%(status)s”.") % {"column": column.label, "status": words})
    return state


def unit_price_of(line_total: Decimal, quantity_: int) -> tuple[Decimal, Decimal]:
    """(unit price, line discount) for a platform that gives a line's total:
    the unit price is rounded up to the cent and the difference kept as the
    line's discount, so that unit × quantity − discount is the total exactly."""
    unit = (line_total / quantity_).quantize(Decimal("0.01"), rounding=ROUND_UP)
    return unit, unit * quantity_ - line_total
