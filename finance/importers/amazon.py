"""Amazon settlement report, flat file V2 (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2).

Tab-separated. The first data row is the settlement's summary (id, dates,
total, currency, no transaction type); every other row is one amount of one
transaction: an order's principal, its shipping, its tax, the commission, the
FBA fee… Consecutive rows of the same transaction (settlement, type, order,
shipment or adjustment, posted date) become one line: its amount is what the
buyer paid or got back (ItemPrice and Promotion amounts), its fee everything
Amazon kept or withheld. EU marketplaces write amounts with a decimal comma
("95,00"), which is recognised from the summary's total. The summary's
total-amount is what the settlement pays out: the lines' net amounts must add
up to it.

The legacy V1 flat file (36 columns, amounts spread over price-, fee-,
promotion- and other- columns) is read the same way.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.files import FileProblem, read_rows

from ..models import SettlementKind
from ..money import ZERO
from .lines import BadCell, FileFacts, ParsedLine, RowProblem, amount, checked, when

REQUIRED = ("settlement-id", "transaction-type", "order-id")
V2_COLUMNS = ("amount-type", "amount")
# V1: (type column or a fixed type, amount column, V2 amount-type it stands for)
V1_AMOUNTS = (
    ("price-type", "price-amount", "ItemPrice"),
    ("promotion-type", "promotion-amount", "Promotion"),
    ("item-related-fee-type", "item-related-fee-amount", "ItemFees"),
    ("shipment-fee-type", "shipment-fee-amount", "ItemFees"),
    ("order-fee-type", "order-fee-amount", "ItemFees"),
    (None, "misc-fee-amount", "ItemFees"),
    ("other-fee-reason-description", "other-fee-amount", "ItemFees"),
    ("direct-payment-type", "direct-payment-amount", "Other"),
    (None, "other-amount", "Other"),
)
# Amount types that are what the buyer paid (or got back); all others Amazon kept.
BUYER_AMOUNT_TYPES = {"itemprice", "promotion"}
DECIMAL_COMMA = re.compile(r"^-?[\d.\s]*,\d{1,2}$")
KINDS = {"order": SettlementKind.SALE, "refund": SettlementKind.REFUND, "chargeback refund": SettlementKind.REFUND}


@dataclass
class Group:
    key: tuple
    line_number: int
    row_type: str
    order_id: str
    posted: object
    buyer: Decimal = ZERO
    kept: Decimal = ZERO
    descriptions: list = field(default_factory=list)


def _amounts(row, version: str, decimal_comma: bool):
    """(amount type, description, amount) of one row, V1 or V2."""
    if version == "v2":
        value = amount(row, "amount", decimal_comma=decimal_comma, required=False)
        yield row.get("amount-type"), row.get("amount-description"), value
        return
    for type_column, amount_column, amount_type in V1_AMOUNTS:
        value = amount(row, amount_column, decimal_comma=decimal_comma, required=False)
        if value:
            yield amount_type, row.get(type_column) if type_column else amount_column, value


def _line(group: Group, currency: str) -> ParsedLine:
    row_type = group.row_type.lower()
    kind = KINDS.get(row_type)
    if kind is None:
        is_fee = "fee" in row_type or any("fee" in d.lower() for d in group.descriptions)
        kind = SettlementKind.FEE if is_fee else SettlementKind.OTHER
        gross, fee = group.buyer + group.kept, ZERO
    else:
        gross, fee = group.buyer, group.kept
    settlement_id, _type, order_id, adjustment_or_shipment, posted_text = group.key
    return ParsedLine(
        line_number=group.line_number,
        external_id=":".join((settlement_id, group.row_type, order_id, adjustment_or_shipment, posted_text))[:128],
        occurred_at=group.posted,
        kind=kind,
        amount=gross,
        fee=fee,
        currency=currency,
        order_reference=order_id[:64],
        description=", ".join(dict.fromkeys(d for d in [group.row_type, *group.descriptions] if d))[:255],
    )


def parse(source, facts: FileFacts):
    rows = read_rows(source, required=REQUIRED, delimiter="\t")
    version = None
    summary = None
    declared_total = None
    lines_total = ZERO
    decimal_comma = False
    group: Group | None = None
    for row in rows:
        if version is None:
            if all(column in row.cells for column in V2_COLUMNS):
                version = "v2"
            elif "price-amount" in row.cells:
                version = "v1"
            else:
                raise FileProblem(
                    _("This is not an Amazon settlement flat file: it has neither amount-type/amount (V2) "
                      "nor price-amount (V1) columns.")
                )
        if not row.get("transaction-type") and row.get("total-amount"):
            total = row.get("total-amount")
            decimal_comma = bool(DECIMAL_COMMA.match(total))
            summary = row
            try:
                declared_total = amount(row, "total-amount", decimal_comma=decimal_comma)
            except BadCell as error:
                yield RowProblem(row.line, str(error))
            continue
        if summary is None:
            raise FileProblem(
                _("Line %(line)s: the settlement summary row (settlement id, total, currency) must come first.")
                % {"line": row.line}
            )
        currency = summary.get("currency").upper()[:3]
        try:
            posted_text = row.get("posted-date-time", "posted-date")
            key = (
                row.get("settlement-id"),
                row.get("transaction-type"),
                row.get("order-id"),
                row.get("adjustment-id", "shipment-id"),
                posted_text,
            )
            if group is None or group.key != key:
                if group is not None:
                    line = _line(group, currency)
                    lines_total += line.net
                    yield checked(line)
                group = Group(key, row.line, key[1], key[2], when(row, "posted-date-time", "posted-date"))
            for amount_type, description, value in _amounts(row, version, decimal_comma):
                if (amount_type or "").lower() in BUYER_AMOUNT_TYPES:
                    group.buyer += value
                else:
                    group.kept += value
                if description:
                    group.descriptions.append(description)
        except BadCell as error:
            group = None
            yield RowProblem(row.line, str(error))
    if summary is None:
        raise FileProblem(_("The file has no settlement rows."))
    currency = summary.get("currency").upper()[:3]
    if group is not None:
        line = _line(group, currency)
        lines_total += line.net
        yield checked(line)
    if declared_total is not None:
        facts.compare("total-amount", declared_total, lines_total, currency)
