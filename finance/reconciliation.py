"""The reconciliation sheet: one XLSX per source and period, for a finance clerk.

A summary sheet (gross sales, refunds, fees, other, net; lines and sums per
class; orders paid but not settled), then one sheet per class with every
line, then the orders not settled. Amounts are numbers (format 0.00), to the
cent, and fees at the platform's precision (WeChat's 0.00020), added up in
Decimal as the rows are written, so every total ties out with the rows above
it; the summary's figures are those sums rounded once to the cent. Rows stream from the database to the file, whatever
the number of lines (finance/xlsx.py; openpyxl reads the files back in the tests).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from orders.models import Order, OrderStatus

from .models import MatchClass, SettlementKind, SettlementLine, SettlementSource
from .money import ZERO, to_cent
from .services.settlement import SCOPES
from .xlsx import Sheet, Workbook

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

    def settled(self, currency: str) -> dict[str, Decimal]:
        """The summary's figures of ``currency``, to the cent: added up at the platforms'
        precision first (fees to 0.00001), rounded once."""
        figures = (("gross", self.gross), ("refunds", self.refunds), ("fees", self.fees), ("other", self.other))
        return {name: to_cent(figure[currency]) for name, figure in (*figures, ("net", self.net))}


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The seller's days ``date_from`` to ``date_to``, both included, as aware datetimes [start, end)."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _text(value) -> str:
    text = str(value or "")
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _local(moment: datetime, zone=None) -> datetime:
    """``zone``: the seller's zone, read once for a sheet rather than once a row."""
    return timezone.localtime(moment, zone).replace(tzinfo=None)  # Excel has no time zones


# Each class sheet shows the columns that say something for its lines (every cell costs
# ~1 µs to write, 1.7 million of them in a busy month: the Matched sheet holds most lines, and its Expected equals its Amount).
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
    "expected": (pgettext_lazy("amount", "Expected"), 12),
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
TEXT_COLUMNS = {"external_id", "description", "order_reference"}  # from the platform's file: made formula-safe


def _write_class_sheet(sheet: Sheet, lines, match_class: str, columns, totals: ReconciliationTotals) -> None:
    kinds = {value: str(label) for value, label in SettlementKind.choices}
    sums_by_currency: dict[str, Sums] = defaultdict(Sums)
    fields = list(dict.fromkeys((*columns, "kind", "currency", "amount", "fee", "net", "difference")))
    positions = {name: index for index, name in enumerate(fields)}
    kind_at, currency_at, amount_at, fee_at, net_at, difference_at = (
        positions[name] for name in ("kind", "currency", "amount", "fee", "net", "difference")
    )
    local = partial(_local, zone=timezone.get_current_timezone())
    convert = [
        local if name == "occurred_at" else kinds.get if name == "kind" else _text if name in TEXT_COLUMNS else None
        for name in columns
    ]
    rows = lines.filter(match_class=match_class).order_by("occurred_at", "id").values_list(*fields)
    for values in rows.iterator(chunk_size=ROWS_PER_QUERY):
        sheet.append(
            [
                None if value is None or value == "" else (to(value) if to else value)
                for value, to in zip(values, convert, strict=False)
            ]
        )
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
        count = ngettext("%(count)s line in %(currency)s", "%(count)s lines in %(currency)s", sums.lines)
        total_row = [_("Total"), count % {"count": sums.lines, "currency": currency}]
        total_row += [currency if name == "currency" else figures.get(name) for name in columns[2:]]
        sheet.append(total_row, bold=True)


def _write_not_settled(book: Workbook, source: str, start: datetime, end: datetime, totals: ReconciliationTotals) -> None:
    """Orders paid in the period, on what this source settles, with no sale line dated in it."""
    sheet = book.sheet(
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
    local = partial(_local, zone=timezone.get_current_timezone())
    for number, platform_id, channel, paid_at, currency, paid, status in orders.iterator(chunk_size=ROWS_PER_QUERY):
        status_label = str(OrderStatus(status).label)  # the word the admin shows, not the stored code
        sheet.append([number, _text(platform_id), _text(channel), local(paid_at), currency, paid, status_label])
        sums = totals.not_settled[currency]
        sums.lines += 1
        sums.amount += paid
    for currency, sums in sorted(totals.not_settled.items()):
        count = ngettext("%(count)s order", "%(count)s orders", sums.lines) % {"count": sums.lines}
        sheet.append([_("Total"), count, None, None, currency, sums.amount], bold=True)


def _write_summary(sheet: Sheet, *, source, date_from, date_to, totals: ReconciliationTotals) -> None:
    title = _("Reconciliation: %(source)s") % {"source": dict(SettlementSource.choices)[source]}
    sheet.append([title], bold=True)
    sheet.append([_("Period"), f"{date_from:%Y-%m-%d} – {date_to:%Y-%m-%d}"])
    sheet.append([_("Generated"), _local(timezone.now())])
    sheet.append([])
    sheet.append(
        [
            _("Currency"),
            _("Gross sales"),
            _("Refunds"),
            _("Fees and commissions"),
            _("Other (payouts, adjustments)"),
            _("Net settled"),
        ],
        bold=True,
    )
    for currency in totals.currencies:
        sheet.append(
            [
                currency,
                *totals.settled(currency).values(),
            ]
        )
    sheet.append([_("Net settled = gross sales + refunds + fees + other; refunds and fees are negative.")])
    sheet.append([])
    sheet.append([_("Class"), _("Currency"), _("Lines"), _("Amount"), _("Fee"), _("Net"), _("Difference")], bold=True)
    for currency in totals.currencies:
        total = Sums()
        for match_class, label in CLASS_SHEETS:
            sums = totals.by_class.get((match_class, currency), Sums())
            sheet.append([str(label), currency, sums.lines, sums.amount, sums.fee, sums.net, sums.difference])
            total.lines += sums.lines
            total.amount += sums.amount
            total.fee += sums.fee
            total.net += sums.net
            total.difference += sums.difference
        sheet.append(
            [_("All lines"), currency, total.lines, total.amount, total.fee, total.net, total.difference], bold=True
        )
    sheet.append([])
    sheet.append([_("Paid orders not settled"), _("Currency"), _("Orders"), _("Paid amount")], bold=True)
    for currency in totals.currencies:
        sums = totals.not_settled.get(currency, Sums())
        sheet.append([None, currency, sums.lines, sums.amount])


def reconciliation_workbook(*, source: str, date_from: date, date_to: date, output) -> ReconciliationTotals:
    """Write the reconciliation sheet of ``source`` for the seller's days
    ``date_from``..``date_to`` (both included) to ``output`` (a path or a binary file)."""
    start, end = period_bounds(date_from, date_to)
    book = Workbook(output)
    summary = book.sheet(_("Summary"), widths=[30, 20, 20, 20, 24, 20, 20])
    totals = ReconciliationTotals()
    lines = SettlementLine.objects.filter(source=source, occurred_at__gte=start, occurred_at__lt=end)
    # One currency (the usual case): said once per total row instead of on every line.
    one_currency = lines.values("currency").distinct().count() <= 1
    for match_class, label in CLASS_SHEETS:
        columns = [c for c in SHEET_COLUMNS[match_class] if not (one_currency and c == "currency")]
        sheet = book.sheet(label, [COLUMNS[c][0] for c in columns], [COLUMNS[c][1] for c in columns])
        _write_class_sheet(sheet, lines, match_class, columns, totals)
    _write_not_settled(book, source, start, end, totals)
    _write_summary(summary, source=source, date_from=date_from, date_to=date_to, totals=totals)
    book.close()
    return totals
