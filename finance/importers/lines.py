"""What every settlement parser yields: one ParsedLine per settlement line,
or a RowProblem for a line that cannot be used (reported with its number)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.utils.translation import gettext as _

from core.files import Row, normalise_header, parse_amount, parse_datetime
from core.limits import date_problem, model_problems, value_problem

from ..models import PLATFORM_FEE_PLACES, SettlementKind, SettlementLine
from ..money import CENT, ZERO

FEE_PLACES = Decimal(1).scaleb(-PLATFORM_FEE_PLACES)


@dataclass(slots=True)
class ParsedLine:
    line_number: int
    external_id: str  # the platform's id of the transaction: importing it twice is recognised
    occurred_at: datetime
    kind: str  # SettlementKind
    amount: Decimal  # what the line moves for the order: sales positive, refunds negative
    currency: str
    fee: Decimal = ZERO  # what the platform kept (negative) or gave back (positive), to FEE_PLACES
    order_reference: str = ""  # the platform's order id as the file gives it
    payment_reference: str = ""  # the payment's own id (Alipay trade number, WeChat transaction id)
    description: str = ""

    @property
    def net(self) -> Decimal:
        return self.amount + self.fee


@dataclass
class FileFacts:
    """What a parser learns about the file as a whole while reading it: where
    the file's own footer or summary disagrees with its rows (a file cut short,
    or edited by hand), which refuses the file."""

    disagreements: list[str] = field(default_factory=list)

    def compare(self, figure: str, declared, counted, unit: str = "") -> None:
        if declared != counted:
            self.disagreements.append(
                _("%(figure)s: the file's summary says %(declared)s, its lines add up to %(counted)s.")
                % {"figure": figure, "declared": f"{declared} {unit}".strip(), "counted": f"{counted} {unit}".strip()}
            )

    def summary_missing(self, summary: str) -> None:
        self.disagreements.append(
            _("The file ends without %(summary)s, which this format always has: it is cut short.")
            % {"summary": summary}
        )


@dataclass(slots=True)
class RowProblem:
    line_number: int
    message: str


class BadCell(ValueError):
    """A cell of a row cannot be read; the row becomes a RowProblem."""


@cache
def _key(name: str) -> str:
    return normalise_header(name)


def cell(row: Row, *names: str) -> str:
    """The first non-empty cell among the columns ``names``, as the file's header spells them."""
    cells = row.cells
    for name in names:
        value = cells.get(_key(name), "")
        if value:
            return value
    return ""


def amount(
    row: Row, *names: str, decimal_comma: bool = False, required: bool = True, places: Decimal = CENT
) -> Decimal:
    """Helpers below take column names as the platform writes them; errors quote them so.
    An amount is to the cent, a platform's fee to ``places=FEE_PLACES``."""
    text = cell(row, *names)
    try:
        value = parse_amount(text, decimal_comma=decimal_comma, blank=None)
    except ValueError as error:
        raise BadCell(_("%(column)s: %(error)s") % {"column": names[0], "error": error}) from None
    if value is None:
        if required:
            raise BadCell(_("%(column)s is empty.") % {"column": names[0]})
        return ZERO
    if problem := value_problem(SettlementLine._meta.get_field("amount"), value):
        raise BadCell(_("%(column)s: %(error)s") % {"column": names[0], "error": problem})
    return value.quantize(places, rounding=ROUND_HALF_UP)


def when(row: Row, *names: str) -> datetime:
    text = cell(row, *names)
    try:
        value = parse_datetime(text)
    except ValueError as error:
        raise BadCell(_("%(column)s: %(error)s") % {"column": names[0], "error": error}) from None
    if value is None:
        raise BadCell(_("%(column)s is empty.") % {"column": names[0]})
    if problem := date_problem(value):
        raise BadCell(_("%(column)s: %(error)s") % {"column": names[0], "error": problem})
    return value


def text(row: Row, *names: str, required: bool = False, limit: int = 255) -> str:
    value = cell(row, *names)
    if required and not value:
        raise BadCell(_("%(column)s is empty.") % {"column": names[0]})
    return value[:limit]


def checked(line: ParsedLine) -> ParsedLine | RowProblem:
    """The line, or a RowProblem when one of its values (a sum, the net) does not fit its column."""
    problems = model_problems(
        SettlementLine,
        {
            "external_id": line.external_id,
            "description": line.description,
            "order_reference": line.order_reference,
            "currency": line.currency,
            "amount": line.amount,
            "fee": line.fee,
            "net": line.net,
        },
    )
    return RowProblem(line.line_number, " ".join(problems)) if problems else line


def each_row(rows, build: Callable[[Row], ParsedLine | None]):
    """Apply ``build`` to every row: its ParsedLine, or a RowProblem naming the line."""
    for row in rows:
        try:
            parsed = build(row)
        except BadCell as error:
            yield RowProblem(row.line, str(error))
            continue
        if parsed is not None:
            yield checked(parsed)


class ColumnSums:
    """What the rows of a file add up to, column by column, exactly as the file
    writes them, and how many rows are not zero in each: to hold against the
    file's own footer. ``counted(rows)`` passes the rows on as it adds them."""

    def __init__(self, *columns: str):
        self.rows = 0
        self.sums = dict.fromkeys(columns, Decimal(0))
        self.not_zero = dict.fromkeys(columns, 0)

    def counted(self, rows):
        for row in rows:
            self.rows += 1
            for column in self.sums:
                try:
                    value = parse_amount(cell(row, column), blank=None)
                except ValueError:
                    continue  # the row is refused on its own, naming the cell
                if value:
                    self.sums[column] += value
                    self.not_zero[column] += 1
            yield row


def kind_from_words(words: str, *, refund: tuple, fee: tuple, other: tuple, default: str) -> str:
    """A line's kind from the platform's own description of it."""
    if any(word in words for word in refund):
        return SettlementKind.REFUND
    if any(word in words for word in fee):
        return SettlementKind.FEE
    if any(word in words for word in other):
        return SettlementKind.OTHER
    return default
