"""Shopify Payments transactions export (Payouts → Transactions → Export).

16 columns: Transaction Date, Type, Order, Card Brand, Card Source, Payout
Status, Payout Date, Available On, Amount, Fee, Net, Checkout, Payment Method
Name, Presentment Amount, Presentment Currency, Currency. ``Fee`` is what
Shopify kept (positive in the file); refunds have a negative Amount. The file
has no transaction id: a line is known by its type, order, time and amounts.
"""

from core.files import read_rows

from ..models import SettlementKind
from .lines import ParsedLine, amount, cell, each_row, text, when

REQUIRED = ("Transaction Date", "Type", "Order", "Amount", "Fee", "Net", "Currency")
KINDS = {"charge": SettlementKind.SALE, "refund": SettlementKind.REFUND, "chargeback": SettlementKind.REFUND}


def _line(row) -> ParsedLine:
    kind_text = text(row, "Type", required=True)
    gross = amount(row, "Amount")
    fee = -amount(row, "Fee", required=False)
    order = text(row, "Order", limit=64)
    occurred = when(row, "Transaction Date")
    words = kind_text.lower()
    kind = KINDS.get(words, SettlementKind.FEE if "fee" in words or "billing" in words else SettlementKind.OTHER)
    key = "|".join((words, order, cell(row, "Transaction Date"), str(gross), str(fee), cell(row, "Checkout")))
    return ParsedLine(
        line_number=row.line,
        external_id=key[:128],
        occurred_at=occurred,
        kind=kind,
        amount=gross,
        fee=fee,
        currency=text(row, "Currency", required=True)[:3].upper(),
        order_reference=order,
        description=" ".join(part for part in (kind_text, text(row, "Payment Method Name")) if part)[:255],
    )


def parse(source, facts=None):
    return each_row(read_rows(source, required=REQUIRED), _line)
