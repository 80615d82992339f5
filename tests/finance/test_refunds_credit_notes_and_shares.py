"""Refunds that fail, credit notes for paid refunds of invoiced orders, and the
arithmetic behind refund caps: what each order line was paid, to the cent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finance import services as finance
from finance.models import Invoice, InvoiceKind, Refund, RefundStatus
from finance.money import split_by_weight, to_cent
from finance.selectors import order_line_paid_shares
from core.errors import DomainError, NotPermitted
from orders.models import OrderEvent, OrderEventType, OrderStatus
from orders.services import LineInput
from tests.flow import snapshot

S = OrderStatus


@pytest.fixture
def requested_refund(order_in_status):
    order = order_in_status(S.CANCELLED, cancelled_from=S.PAID)
    return Refund.objects.get(order=order)


def test_a_failed_refund_no_longer_counts_so_a_new_one_can_be_requested(requested_refund, finance_user):
    order = requested_refund.order
    assert finance.refundable_amount(order) == Decimal("0.00")

    finance.refund_fail(actor=finance_user, refund_id=requested_refund.pk, reason="Buyer account frozen")

    failed = Refund.objects.get(pk=requested_refund.pk)
    assert (failed.status, failed.failure_reason) == (RefundStatus.FAILED, "Buyer account frozen")
    assert finance.refundable_amount(order) == Decimal("19.80")
    event = OrderEvent.objects.get(order=order, type=OrderEventType.REFUND_FAILED)
    assert event.parameters["reason"] == "Buyer account frozen"


def test_a_refund_fails_only_with_a_reason_and_never_once_paid(requested_refund, finance_user):
    with pytest.raises(DomainError, match="Say why"):
        finance.refund_fail(actor=finance_user, refund_id=requested_refund.pk, reason="")
    finance.refund_approve(actor=finance_user, refund_id=requested_refund.pk)
    finance.refund_mark_paid(actor=finance_user, refund_id=requested_refund.pk)
    before = snapshot(requested_refund.order_id)

    with pytest.raises(DomainError, match="not possible now"):
        finance.refund_fail(actor=finance_user, refund_id=requested_refund.pk, reason="Too late")

    assert snapshot(requested_refund.order_id) == before


@pytest.mark.parametrize("role", ["Clerk", "Warehouse", "Customer service"])
def test_only_finance_fails_refunds(requested_refund, make_user, role):
    with pytest.raises(NotPermitted):
        finance.refund_fail(actor=make_user(role), refund_id=requested_refund.pk, reason="No")


def test_a_paid_refund_of_an_invoiced_order_gets_a_credit_note_numbered_in_its_own_series(
    order_in_status, finance_user, service_user
):
    from aftersales import services as aftersales
    from aftersales.models import ReturnReason, TicketKind

    orders = [order_in_status(S.DELIVERED) for _ in range(2)]
    for order in orders:
        finance.invoice_issue(actor=finance_user, order_id=order.pk)
    refunds = []
    for order in orders:
        ticket = aftersales.return_open(
            actor=service_user,
            order_id=order.pk,
            kind=TicketKind.REFUND_ONLY,
            reason=ReturnReason.OTHER,
            quantities={order.lines.get().pk: 1},
        )
        aftersales.return_approve(actor=service_user, ticket_id=ticket.pk)
        aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)
        refunds.append(Refund.objects.get(return_request=ticket))

    for refund in refunds:
        finance.refund_approve(actor=finance_user, refund_id=refund.pk)
        finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk)

    notes = list(Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).order_by("id"))
    year = notes[0].issued_at.year
    assert [(n.series, n.number, n.amount, n.refund) for n in notes] == [
        ("CN", f"{year}0000001", Decimal("9.90"), refunds[0]),
        ("CN", f"{year}0000002", Decimal("9.90"), refunds[1]),
    ]
    assert OrderEvent.objects.filter(type=OrderEventType.CREDIT_NOTE_ISSUED).count() == 2
    # An invoice with a valid credit note is not voided out from under it.
    with pytest.raises(DomainError, match="credit notes"):
        finance.invoice_void(actor=finance_user, invoice_id=notes[0].credits_id, reason="Wrong name")


def test_a_refund_paid_before_the_invoice_is_left_out_of_it(order_in_status, finance_user, service_user):
    from aftersales import services as aftersales
    from aftersales.models import ReturnReason, TicketKind

    order = order_in_status(S.SHIPPED)
    ticket = aftersales.return_open(
        actor=service_user, order_id=order.pk, kind=TicketKind.REFUND_ONLY, reason=ReturnReason.OTHER,
        quantities={order.lines.get().pk: 1},
    )
    aftersales.return_approve(actor=service_user, ticket_id=ticket.pk)
    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk)
    refund = Refund.objects.get(return_request=ticket)
    finance.refund_approve(actor=finance_user, refund_id=refund.pk)
    finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk)

    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk)

    assert invoice.amount == Decimal("9.90")
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


# --- what each line was paid --------------------------------------------------------------------------------------


def test_line_shares_take_off_line_discounts_and_share_the_order_discount_and_tax(order_in_status, skus):
    order = order_in_status(
        S.PAID,
        lines=[
            LineInput(title="A", quantity=3, unit_price=Decimal("9.90"), sku=skus[0]),
            LineInput(title="B", quantity=2, unit_price=Decimal("19.90"), discount_amount=Decimal("1.00"), sku=skus[1]),
            LineInput(title="Free sample", quantity=1, unit_price=Decimal("0.00"), sku=skus[2]),
        ],
        goods_amount=Decimal("68.50"),
        discount_amount=Decimal("5.00"),
        tax_amount=Decimal("3.43"),
        shipping_amount=Decimal("6.00"),
    )
    a, b, sample = order.lines.order_by("id")

    shares = order_line_paid_shares(order)

    # A: 29.70 − 2.17 discount + 1.49 tax; B: 38.80 − 2.83 + 1.94; the free sample paid nothing.
    assert shares == {a.pk: Decimal("29.02"), b.pk: Decimal("37.91"), sample.pk: Decimal("0.00")}
    assert sum(shares.values()) == Decimal("68.50") - Decimal("5.00") + Decimal("3.43")  # shipping is no line's


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=12).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_a_split_adds_up_to_the_cent_and_no_part_strays_a_cent_from_its_share(total, weights):
    parts = split_by_weight(total, weights)

    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / weight_sum
        assert abs(part - exact) < Decimal("0.01")
        assert part == part.quantize(Decimal("0.01"))
        if weight == 0:
            assert part == 0


def test_rounding_is_half_up_to_the_cent():
    assert [to_cent(Decimal(v)) for v in ("0.005", "0.015", "2.675", "-0.005", "17.985")] == [
        Decimal("0.01"),
        Decimal("0.02"),
        Decimal("2.68"),
        Decimal("-0.01"),
        Decimal("17.99"),
    ]
