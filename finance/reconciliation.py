"""The reconciliation sheet: one XLSX per source and period, for a finance clerk.

A summary sheet (gross sales, refunds, fees, other, net; lines and sums per
class; orders paid but not settled), then one sheet per class with every
line, then the orders not settled. Amounts are numbers (format 0.00), to the
cent, added up in Decimal as the rows are written, so every total ties out
with the rows above it. Written with openpyxl's write-only mode: rows stream
from the database to the file, whatever the number of lines.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from orders.models import Order

from .models import MatchClass, SettlementKind, SettlementLine, SettlementSource
from .money import ZERO, to_cent
from .services.settlement import SCOPES

MONEY = "0.00"
WHEN = "yyyy-mm-dd hh:mm"
ROWS_PER_QUERY = 5000
# Text a spreadsheet would run as a formula (GOTCHAS 3): shown as text instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CLASS_SHEETS = [
    (MatchClass.MATCHED, gettext_lazy("Matched")),
    (MatchClass.AMOUNT_DIFFERS, gettext_lazy("Amount differs")),
    (MatchClass.ORDER_UNKNOWN, gettext_lazy("Order unknown")),
    (MatchClass.DUPLICATE, gettext_lazy("Duplicates")),
    (MatchClass.FEE, gettext_lazy("Fees")),
    (MatchClass.OTHER, gettext_lazy("Other")),
]


@dataclass
class Sums:
    lines: int = 0
    amount: Decimal = ZERO
    fee: Decimal = ZERO
    net: Decimal = ZERO
    difference: Decimal = ZERO


@dataclass
class ReconciliationTotals:
    """What the summary sheet says, per currency (for the command's output and the tests)."""

    gross: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    refunds: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    fees: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    other: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    net: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    by_class: dict = field(default_factory=lambda: defaultdict(Sums))  # (class, currency) → Sums
    not_settled: dict = field(default_factory=lambda: defaultdict(Sums))  # currency → Sums (amount = paid)

    @property
    def currencies(self) -> list[str]:
        return sorted(set(self.net) | set(self.not_settled))


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The seller's days ``date_from`` to ``date_to``, both included, as aware datetimes [start, end)."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _text(value) -> str:
    text = str(value or "")
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class SheetWriter:
    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.bold = Font(bold=True)

    def sheet(self, title: str, headers: list[str], widths: list[int]):
        sheet = self.workbook.create_sheet(title=title[:31])
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([self.cell(sheet, header, bold=True) for header in headers])
        return sheet

    def cell(self, sheet, value, *, number_format=None, bold=False):
        cell = WriteOnlyCell(sheet, value=value)
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = self.bold
        return cell

    def money(self, sheet, value, *, bold=False):
        return self.cell(sheet, value, number_format=MONEY, bold=bold) if value is not None else None


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None)  # Excel has no time zones


# Each class sheet shows the columns that say something for its lines (every cell costs
# ~10 µs to write: the Matched sheet holds most lines, and its Expected equals its Amount).
COLUMNS = {
    "occurred_at": (gettext_lazy("Date"), 17),
    "external_id": (gettext_lazy("Platform transaction id"), 28),
    "kind": (gettext_lazy("Type"), 10),
    "description": (gettext_lazy("Description"), 30),
    "order_reference": (gettext_lazy("Platform order"), 22),
    "order__number": (gettext_lazy("Our order"), 16),
    "currency": (gettext_lazy("Currency"), 9),
    "amount": (gettext_lazy("Amount"), 12),
    "fee": (gettext_lazy("Fee"), 10),
    "net": (gettext_lazy("Net"), 12),
    "expected": (gettext_lazy("Expected"), 12),
    "difference": (gettext_lazy("Difference"), 12),
    "note": (gettext_lazy("Note"), 40),
}
BASE = ("occurred_at", "external_id", "kind", "order_reference", "order__number", "currency", "amount", "fee", "net")
SHEET_COLUMNS = {
    MatchClass.MATCHED: BASE,
    MatchClass.AMOUNT_DIFFERS: (*BASE, "expected", "difference", "note"),
    MatchClass.ORDER_UNKNOWN: (*BASE[:4], *BASE[5:], "description"),
    MatchClass.DUPLICATE: (*BASE, "difference", "note"),
    MatchClass.FEE: (*BASE, "description"),
    MatchClass.OTHER: (*BASE, "description"),
}
MONEY_COLUMNS = {"amount", "fee", "net", "expected", "difference"}
TEXT_COLUMNS = {"external_id", "description", "order_reference"}  # from the platform's file: made formula-safe


def _write_class_sheet(writer: SheetWriter, lines, match_class: str, label, totals: ReconciliationTotals) -> None:
    columns = SHEET_COLUMNS[match_class]
    sheet = writer.sheet(str(label), [str(COLUMNS[c][0]) for c in columns], [COLUMNS[c][1] for c in columns])
    # One styled cell per column, reused row after row: write-only rows are written as they are appended.
    styled = {
        column: WriteOnlyCell(sheet)
        for column in columns
        if column in MONEY_COLUMNS or column == "occurred_at"
    }
    for column, cell in styled.items():
        cell.number_format = WHEN if column == "occurred_at" else MONEY
    kinds = {value: str(label) for value, label in SettlementKind.choices}
    sums_by_currency: dict[str, Sums] = defaultdict(Sums)
    fields = list(dict.fromkeys((*columns, "kind", "currency", "amount", "fee", "net", "difference")))
    positions = {name: index for index, name in enumerate(fields)}
    kind_at, currency_at, amount_at, fee_at, net_at, difference_at = (
        positions[name] for name in ("kind", "currency", "amount", "fee", "net", "difference")
    )
    rows = lines.filter(match_class=match_class).order_by("occurred_at", "id").values_list(*fields)
    for values in rows.iterator(chunk_size=ROWS_PER_QUERY):
        out = []
        for name, value in zip(columns, values, strict=False):
            if value is None or value == "":
                out.append(None)
            elif name in styled:
                cell = styled[name]
                cell.value = _local(value) if name == "occurred_at" else value
                out.append(cell)
            elif name == "kind":
                out.append(kinds.get(value, value))
            elif name in TEXT_COLUMNS:
                out.append(_text(value))
            else:
                out.append(value)
        sheet.append(out)
        kind, currency, amount, fee, net = (
            values[kind_at], values[currency_at], values[amount_at], values[fee_at], values[net_at]
        )
        sums = sums_by_currency[currency]
        sums.lines += 1
        sums.amount += amount
        sums.fee += fee
        sums.net += net
        sums.difference += values[difference_at] or ZERO
        totals.net[currency] += net
        totals.fees[currency] += fee
        if kind == SettlementKind.SALE:
            totals.gross[currency] += amount
        elif kind == SettlementKind.REFUND:
            totals.refunds[currency] += amount
        elif kind == SettlementKind.FEE:
            totals.fees[currency] += amount
        else:
            totals.other[currency] += amount
    for currency, sums in sorted(sums_by_currency.items()):
        totals.by_class[match_class, currency] = sums
        figures = {"amount": sums.amount, "fee": sums.fee, "net": sums.net, "difference": sums.difference}
        total_row = [
            writer.cell(sheet, _("Total"), bold=True),
            writer.cell(sheet, _("%(count)s lines") % {"count": sums.lines}, bold=True),
        ]
        for name in columns[2:]:
            if name == "currency":
                total_row.append(currency)
            elif name in figures:
                total_row.append(writer.money(sheet, figures[name], bold=True))
            else:
                total_row.append(None)
        sheet.append(total_row)


def _write_not_settled(writer: SheetWriter, source: str, start: datetime, end: datetime, totals: ReconciliationTotals) -> None:
    """Orders paid in the period, on what this source settles, with no sale line dated in it."""
    sheet = writer.sheet(
        _("Not settled"),
        [_("Our order"), _("Platform order"), _("Channel"), _("Paid at"), _("Currency"), _("Paid amount"), _("Status")],
        [16, 24, 22, 17, 9, 12, 14],
    )
    settled = SettlementLine.objects.filter(
        source=source, kind=SettlementKind.SALE, occurred_at__gte=start, occurred_at__lt=end, order__isnull=False
    ).values("order_id")
    orders = (
        Order.objects.filter(SCOPES[source].orders(), paid_at__gte=start, paid_at__lt=end, paid_amount__gt=0)
        .exclude(status="cancelled")
        .exclude(pk__in=settled)
        .distinct()
        .order_by("paid_at", "pk")
        .values_list("number", "platform_order_id", "channel__name", "paid_at", "currency", "paid_amount", "status")
    )
    for number, platform_id, channel, paid_at, currency, paid, status in orders.iterator(chunk_size=ROWS_PER_QUERY):
        sheet.append(
            [
                number,
                _text(platform_id),
                _text(channel),
                writer.cell(sheet, _local(paid_at), number_format=WHEN),
                currency,
                writer.money(sheet, paid),
                status,
            ]
        )
        sums = totals.not_settled[currency]
        sums.lines += 1
        sums.amount += paid
    for currency, sums in sorted(totals.not_settled.items()):
        sheet.append(
            [
                writer.cell(sheet, _("Total"), bold=True),
                writer.cell(sheet, _("%(count)s orders") % {"count": sums.lines}, bold=True),
                None,
                None,
                currency,
                writer.money(sheet, sums.amount, bold=True),
            ]
        )


def _write_summary(writer: SheetWriter, sheet, *, source, date_from, date_to, totals: ReconciliationTotals) -> None:
    cell, money = writer.cell, writer.money
    title = _("Reconciliation: %(source)s") % {"source": dict(SettlementSource.choices)[source]}
    sheet.append([cell(sheet, title, bold=True)])
    sheet.append([_("Period"), f"{date_from:%Y-%m-%d} – {date_to:%Y-%m-%d}"])
    sheet.append([_("Generated"), cell(sheet, _local(timezone.now()), number_format=WHEN)])
    sheet.append([])
    sheet.append(
        [
            cell(sheet, header, bold=True)
            for header in (
                _("Currency"),
                _("Gross sales"),
                _("Refunds"),
                _("Fees and commissions"),
                _("Other (payouts, adjustments)"),
                _("Net settled"),
            )
        ]
    )
    for currency in totals.currencies:
        sheet.append(
            [
                currency,
                money(sheet, to_cent(totals.gross[currency])),
                money(sheet, to_cent(totals.refunds[currency])),
                money(sheet, to_cent(totals.fees[currency])),
                money(sheet, to_cent(totals.other[currency])),
                money(sheet, to_cent(totals.net[currency]), bold=True),
            ]
        )
    sheet.append([_("Net settled = gross sales + refunds + fees + other; refunds and fees are negative.")])
    sheet.append([])
    sheet.append(
        [
            cell(sheet, header, bold=True)
            for header in (_("Class"), _("Currency"), _("Lines"), _("Amount"), _("Fee"), _("Net"), _("Difference"))
        ]
    )
    for currency in totals.currencies:
        total = Sums()
        for match_class, label in CLASS_SHEETS:
            sums = totals.by_class.get((match_class, currency), Sums())
            sheet.append(
                [
                    str(label),
                    currency,
                    sums.lines,
                    money(sheet, sums.amount),
                    money(sheet, sums.fee),
                    money(sheet, sums.net),
                    money(sheet, sums.difference),
                ]
            )
            total.lines += sums.lines
            total.amount += sums.amount
            total.fee += sums.fee
            total.net += sums.net
            total.difference += sums.difference
        sheet.append(
            [
                cell(sheet, _("All lines"), bold=True),
                currency,
                cell(sheet, total.lines, bold=True),
                money(sheet, total.amount, bold=True),
                money(sheet, total.fee, bold=True),
                money(sheet, total.net, bold=True),
                money(sheet, total.difference, bold=True),
            ]
        )
    sheet.append([])
    sheet.append([cell(sheet, header, bold=True) for header in (_("Paid orders not settled"), _("Currency"), _("Orders"), _("Paid amount"))])
    for currency in totals.currencies:
        sums = totals.not_settled.get(currency, Sums())
        sheet.append(["", currency, sums.lines, money(sheet, sums.amount)])


def reconciliation_workbook(*, source: str, date_from: date, date_to: date, output) -> ReconciliationTotals:
    """Write the reconciliation sheet of ``source`` for the seller's days
    ``date_from``..``date_to`` (both included) to ``output`` (a path or a binary file)."""
    start, end = period_bounds(date_from, date_to)
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook)
    summary = workbook.create_sheet(title=_("Summary"))
    summary.column_dimensions["A"].width = 30
    for letter in "BCDEFG":
        summary.column_dimensions[letter].width = 20
    totals = ReconciliationTotals()
    lines = SettlementLine.objects.filter(source=source, occurred_at__gte=start, occurred_at__lt=end)
    for match_class, label in CLASS_SHEETS:
        _write_class_sheet(writer, lines, match_class, label, totals)
    _write_not_settled(writer, source, start, end, totals)
    _write_summary(writer, summary, source=source, date_from=date_from, date_to=date_to, totals=totals)
    workbook.save(output)
    return totals
