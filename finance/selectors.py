"""Reads about money for services and screens: what was paid for each order
line, what may still be refunded for it, and a customer's credit exposure."""

from decimal import Decimal

from django.db.models import F, Sum

from orders.models import Order

from .models import RefundLine
from .money import ZERO, split_by_weight, to_cent
from .services.payments import ON_ACCOUNT_STATUSES


def order_line_paid_shares(order, lines=None) -> dict[int, Decimal]:
    """What the buyer paid for each line of the order, to the cent.

    A line's share is its own total (unit price × quantity − line discount),
    less its share of the order-level discount, plus its share of the order's
    tax; both shares are split over the lines in proportion to their totals
    (largest remainder, so the shares add up to the order's figures exactly).
    Shipping belongs to no line: it is refunded, if at all, by an order refund.
    """
    lines = list(lines if lines is not None else order.lines.all())
    totals = [to_cent(line.line_total) for line in lines]
    weights = [max(total, ZERO) for total in totals]
    if sum(weights, ZERO) > 0:
        discounts = split_by_weight(order.discount_amount, weights)
        taxes = split_by_weight(order.tax_amount, weights)
    else:
        discounts = taxes = [ZERO] * len(lines)
    return {
        line.pk: max(total - discount + tax, ZERO)
        for line, total, discount, tax in zip(lines, totals, discounts, taxes, strict=True)
    }


def refunded_by_order_line(order) -> dict[int, tuple[int, Decimal]]:
    """Order line id → (units, amount) paid back or on the way by refunds not failed."""
    rows = (
        RefundLine.objects.filter(refund__order=order)
        .exclude(refund__status="failed")
        .values("order_line")
        .annotate(units=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    )
    return {row["order_line"]: (row["units"], to_cent(row["amount"])) for row in rows}


def line_refund_caps(order, quantities: dict[int, int]) -> dict[int, Decimal]:
    """The most that may be refunded for ``quantities`` (order line id → units) of the order.

    Units are refunded at their line's paid share per unit, rounded half up to
    the cent; the units that complete a line get whatever is left of its
    share, so that all the refunds of a line add up to exactly what was paid
    for it and never more.
    """
    lines = {line.pk: line for line in order.lines.all()}
    shares = order_line_paid_shares(order, lines.values())
    refunded = refunded_by_order_line(order)
    caps = {}
    for line_id, units in quantities.items():
        line, share = lines[line_id], shares[line_id]
        units_before, amount_before = refunded.get(line_id, (0, ZERO))
        remaining = max(share - amount_before, ZERO)
        if units + units_before >= line.quantity:
            caps[line_id] = remaining
        else:
            caps[line_id] = min(to_cent(share * units / line.quantity), remaining)
    return caps


def customer_credit_exposure(customer, *, excluding_order_id=None) -> Decimal:
    """What the customer owes on orders approved on account and not yet paid."""
    orders = Order.objects.filter(customer=customer, status__in=ON_ACCOUNT_STATUSES)
    if excluding_order_id is not None:
        orders = orders.exclude(pk=excluding_order_id)
    owed = orders.aggregate(
        total=Sum(F("goods_amount") + F("shipping_amount") + F("tax_amount") - F("discount_amount") - F("paid_amount"))
    )["total"]
    return to_cent(owed or ZERO)
