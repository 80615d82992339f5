"""Money records: payments when an order is paid, refunds worked by Finance
(never more than was paid), invoices after shipment, numbered without gaps."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from finance import services as finance
from finance.models import Invoice, Payment, Refund, RefundStatus
from orders.models import PaymentMethod
from orders import locks, services
from core.errors import DomainError, NotPermitted
from orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from orders.services import LineInput
from tests.factories import CustomerFactory, ship_to
from tests.flow import snapshot

S = OrderStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUED = datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)


def request_refund(order, *, amount, actor=None):
    """Queue a refund the way the order services do: under the order's lock."""
    with transaction.atomic():
        return finance.refund_request(
            order=locks.order_for_update(order.pk), actor=actor, amount=Decimal(amount), reason="Goodwill"
        )


# --- payments ---------------------------------------------------------------------------------------


def test_marking_an_order_paid_records_the_payment(order_in_status, clerk):
    order = order_in_status(S.PENDING_PAYMENT)
    paid_at = datetime(2026, 3, 2, 14, 0, tzinfo=SHANGHAI)

    services.order_mark_paid(
        actor=clerk, order_id=order.pk, method=PaymentMethod.BANK_TRANSFER, reference="CMB-0302-17", at=paid_at
    )

    payment = Payment.objects.get(order=order)
    assert (payment.amount, payment.currency, payment.method, payment.reference, payment.paid_at, payment.recorded_by) == (
        Decimal("19.80"),
        "CNY",
        PaymentMethod.BANK_TRANSFER,
        "CMB-0302-17",
        paid_at,
        clerk,
    )
    paid = Order.objects.get(pk=order.pk)
    assert (paid.status, paid.paid_amount, paid.paid_at) == (S.PAID, Decimal("19.80"), paid_at)


def test_order_paid_on_the_platform_has_its_payment_recorded_at_creation(clerk, channel, sku):
    paid_at = timezone.now()
    order = services.order_create(
        actor=clerk,
        channel=channel,
        lines=[LineInput(title="Tea", quantity=3, unit_price=Decimal("0.10"), sku=sku)],
        placed_at=paid_at - timedelta(minutes=3),
        paid_at=paid_at,
        **ship_to(),
    )

    assert list(Payment.objects.filter(order=order).values_list("amount", "method", "paid_at")) == [
        (Decimal("0.30"), PaymentMethod.PLATFORM, paid_at)
    ]


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00"])
def test_a_payment_must_be_more_than_zero(order_in_status, clerk, amount):
    order = order_in_status(S.PENDING_PAYMENT)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="more than zero"):
        services.order_mark_paid(actor=clerk, order_id=order.pk, amount=Decimal(amount))

    assert snapshot(order.pk) == before


def test_a_payment_in_fractions_of_a_cent_is_refused(order_in_status, clerk):
    # Otherwise the payment and the order say 20.00 while the timeline says 19.999.
    order = order_in_status(S.PENDING_PAYMENT)
    before = snapshot(order.pk)

    with pytest.raises(DomainError):
        services.order_mark_paid(actor=clerk, order_id=order.pk, amount=Decimal("19.999"))

    assert snapshot(order.pk) == before


# --- refunds ----------------------------------------------------------------------------------------------


@pytest.fixture
def requested_refund(order_in_status):
    """The refund of 19.80 requested by cancelling a paid order."""
    order = order_in_status(S.CANCELLED, cancelled_from=S.PAID)
    return Refund.objects.get(order=order)


def test_finance_approves_then_pays_a_refund(requested_refund, finance_user):
    approved_at, paid_at = datetime(2026, 6, 2, 9, 0, tzinfo=SHANGHAI), datetime(2026, 6, 3, 9, 0, tzinfo=SHANGHAI)

    finance.refund_approve(actor=finance_user, refund_id=requested_refund.pk, at=approved_at)
    finance.refund_mark_paid(actor=finance_user, refund_id=requested_refund.pk, at=paid_at)

    refund = Refund.objects.get(pk=requested_refund.pk)
    assert (refund.status, refund.approved_at, refund.paid_at) == (RefundStatus.PAID, approved_at, paid_at)
    events = OrderEvent.objects.filter(
        order=refund.order, type__in=[OrderEventType.REFUND_APPROVED, OrderEventType.REFUND_PAID]
    )
    assert [(e.type, e.actor, e.created_at, e.parameters) for e in events] == [
        ("refund_approved", finance_user, approved_at, {"refund": refund.pk, "amount": "19.80", "status": "approved"}),
        ("refund_paid", finance_user, paid_at, {"refund": refund.pk, "amount": "19.80", "status": "paid"}),
    ]


def test_clerk_cannot_approve_or_pay_a_refund(requested_refund, clerk, finance_user):
    before = snapshot(requested_refund.order_id)
    with pytest.raises(NotPermitted):
        finance.refund_approve(actor=clerk, refund_id=requested_refund.pk)
    assert snapshot(requested_refund.order_id) == before

    finance.refund_approve(actor=finance_user, refund_id=requested_refund.pk)
    before = snapshot(requested_refund.order_id)
    with pytest.raises(NotPermitted):
        finance.refund_mark_paid(actor=clerk, refund_id=requested_refund.pk)

    assert snapshot(requested_refund.order_id) == before
    assert Refund.objects.get(pk=requested_refund.pk).status == RefundStatus.APPROVED


def test_refund_is_paid_only_after_approval_and_only_once(requested_refund, finance_user):
    with pytest.raises(DomainError, match="not possible now"):
        finance.refund_mark_paid(actor=finance_user, refund_id=requested_refund.pk)
    finance.refund_approve(actor=finance_user, refund_id=requested_refund.pk)
    with pytest.raises(DomainError, match="not possible now"):
        finance.refund_approve(actor=finance_user, refund_id=requested_refund.pk)
    finance.refund_mark_paid(actor=finance_user, refund_id=requested_refund.pk)
    before = snapshot(requested_refund.order_id)

    with pytest.raises(DomainError, match="not possible now"):
        finance.refund_mark_paid(actor=finance_user, refund_id=requested_refund.pk)

    assert snapshot(requested_refund.order_id) == before


def test_refunds_never_add_up_to_more_than_was_paid(order_in_status):
    order = order_in_status(S.DELIVERED)  # paid 19.80

    request_refund(order, amount="10.00")
    with pytest.raises(DomainError, match=r"at most 9\.80"):
        request_refund(order, amount="9.81")
    request_refund(order, amount="9.80")
    with pytest.raises(DomainError, match=r"at most 0\.00"):
        request_refund(order, amount="0.01")

    assert sorted(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [
        Decimal("9.80"),
        Decimal("10.00"),
    ]


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_a_refund_must_be_more_than_zero(order_in_status, amount):
    order = order_in_status(S.DELIVERED)
    before = snapshot(order.pk)

    with pytest.raises(DomainError):
        request_refund(order, amount=amount)

    assert snapshot(order.pk) == before


def test_many_small_refunds_add_up_to_the_cent(order_in_status, sku):
    # Sums of cents that binary floating point gets wrong (0.1 + 0.2 ≠ 0.3).
    order = order_in_status(
        S.DELIVERED, lines=[LineInput(title="Tea sample", quantity=3, unit_price=Decimal("0.10"), sku=sku)]
    )
    request_refund(order, amount="0.10")
    request_refund(order, amount="0.20")

    with pytest.raises(DomainError, match=r"at most 0\.00"):
        request_refund(order, amount="0.01")

    assert finance.refundable_amount(order) == Decimal("0.00")


def test_nothing_more_is_refundable_once_a_cancelled_order_was_refunded(order_in_status):
    order = order_in_status(S.CANCELLED, cancelled_from=S.APPROVED)

    with pytest.raises(DomainError):
        request_refund(order, amount="0.01")

    assert list(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [Decimal("19.80")]


# --- invoices ------------------------------------------------------------------------------------------------


NOT_YET_SHIPPED = [S.PENDING_PAYMENT, S.PAID, S.ON_HOLD, S.APPROVED, S.ALLOCATED, S.PICKING, S.PACKED, S.CANCELLED]


@pytest.mark.parametrize("status", NOT_YET_SHIPPED)
def test_invoice_is_refused_before_the_order_ships(order_in_status, finance_user, status):
    order = order_in_status(status)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="once the order has shipped"):
        finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)

    assert snapshot(order.pk) == before


@pytest.mark.parametrize("status", [S.SHIPPED, S.DELIVERED, S.COMPLETED])
def test_invoice_is_issued_once_the_order_has_shipped(order_in_status, finance_user, status):
    order = order_in_status(status)

    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)

    assert (invoice.series, invoice.amount, invoice.currency, invoice.issued_at, invoice.issued_by) == (
        "INV",
        Decimal("19.80"),
        "CNY",
        ISSUED,
        finance_user,
    )
    issued = OrderEvent.objects.get(order=order, type=OrderEventType.INVOICE_ISSUED)
    assert (issued.actor, issued.created_at, issued.parameters) == (
        finance_user,
        ISSUED,
        {"invoice": f"INV-{invoice.number}", "amount": "19.80"},
    )


@pytest.mark.parametrize(("status", "allowed"), [(S.SHIPPED, False), (S.DELIVERED, True), (S.COMPLETED, True)])
def test_b2b_invoice_waits_for_confirmed_delivery(order_in_status, finance_user, status, allowed):
    order = order_in_status(status, customer=CustomerFactory(business=True))

    if allowed:
        finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)
    else:
        with pytest.raises(DomainError, match="B2B invoice is issued once delivery is confirmed"):
            finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)

    assert Invoice.objects.filter(order=order).count() == (1 if allowed else 0)


def test_invoices_are_numbered_without_gaps_in_their_series(order_in_status, finance_user):
    shipped = [order_in_status(S.SHIPPED) for _ in range(3)]
    packed = order_in_status(S.PACKED)

    numbers = [finance.invoice_issue(actor=finance_user, order_id=shipped[0].pk, at=ISSUED).number]
    with pytest.raises(DomainError):  # refused requests take no number
        finance.invoice_issue(actor=finance_user, order_id=packed.pk, at=ISSUED)
    with pytest.raises(DomainError):
        finance.invoice_issue(actor=finance_user, order_id=shipped[0].pk, at=ISSUED)
    numbers += [finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED).number for order in shipped[1:]]

    assert numbers == ["20260000001", "20260000002", "20260000003"]


def test_second_valid_invoice_is_refused_until_the_first_is_voided(order_in_status, finance_user):
    order = order_in_status(S.DELIVERED)
    first = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="already has a valid invoice"):
        finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)
    assert snapshot(order.pk) == before

    finance.invoice_void(actor=finance_user, invoice_id=first.pk, reason="Wrong company name", at=ISSUED + timedelta(hours=1))
    second = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED + timedelta(hours=2))

    assert (first.number, second.number) == ("20260000001", "20260000002")
    voided = Invoice.objects.get(pk=first.pk)
    assert (voided.is_void(), voided.void_reason) == (True, "Wrong company name")
    assert OrderEvent.objects.get(order=order, type=OrderEventType.INVOICE_VOIDED).parameters == {
        "invoice": "INV-20260000001",
        "amount": "19.80",
        "reason": "Wrong company name",
    }


@pytest.mark.parametrize("reason", ["", "   "])
def test_voiding_an_invoice_needs_a_reason(order_in_status, finance_user, reason):
    order = order_in_status(S.SHIPPED)
    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="only with a reason"):
        finance.invoice_void(actor=finance_user, invoice_id=invoice.pk, reason=reason)

    assert snapshot(order.pk) == before
    assert not Invoice.objects.get(pk=invoice.pk).is_void()


def test_a_void_invoice_cannot_be_voided_again(order_in_status, finance_user):
    order = order_in_status(S.SHIPPED)
    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)
    finance.invoice_void(actor=finance_user, invoice_id=invoice.pk, reason="Duplicate", at=ISSUED)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="void already"):
        finance.invoice_void(actor=finance_user, invoice_id=invoice.pk, reason="Again")

    assert snapshot(order.pk) == before


@pytest.mark.parametrize("role", ["Clerk", "Warehouse", "Customer service"])
def test_only_finance_issues_and_voids_invoices(order_in_status, finance_user, make_user, role):
    order = order_in_status(S.SHIPPED)
    user = make_user(role)
    with pytest.raises(NotPermitted):
        finance.invoice_issue(actor=user, order_id=order.pk, at=ISSUED)
    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=ISSUED)
    before = snapshot(order.pk)

    with pytest.raises(NotPermitted):
        finance.invoice_void(actor=user, invoice_id=invoice.pk, reason="Not mine to void")

    assert snapshot(order.pk) == before


def test_invoice_issued_on_new_years_morning_in_shanghai_is_numbered_in_the_new_year(order_in_status, finance_user):
    order = order_in_status(S.SHIPPED)
    # 00:30 on 1 January 2027 in Shanghai, as timezone.now() gives it (UTC).
    new_years_morning = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)

    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=new_years_morning)

    assert invoice.number == "20270000001"
