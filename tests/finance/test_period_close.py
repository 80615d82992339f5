"""Period close: Finance closes a month that has ended; afterwards no payment,
refund, invoice or credit note dated in it can be written or changed — each
write path refuses with a message naming the closed period — and corrections
dated in an open month still go through."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from finance import services as finance
from finance.models import ClosedPeriod, Invoice, InvoiceKind, Refund, RefundStatus
from finance.services import PeriodClosed
from orders import services
from core.errors import DomainError, NotPermitted
from orders.models import OrderStatus
from tests.factories import CustomerFactory
from tests.flow import snapshot

S = OrderStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
IN_MAY = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)
LAST_MINUTE_OF_MAY = datetime(2026, 5, 31, 23, 59, tzinfo=SHANGHAI)  # 15:59 UTC: still May in Shanghai
IN_JUNE = datetime(2026, 6, 3, 10, 0, tzinfo=SHANGHAI)
CLOSED_MAY = "2026-05, which Finance has closed"


@pytest.fixture
def close_may(finance_user):
    def close():
        return finance.period_close(actor=finance_user, year=2026, month=5, at=IN_JUNE)

    return close


def test_finance_closes_a_month_that_has_ended(finance_user, close_may):
    period = close_may()

    assert (str(period), period.closed_by, period.closed_at) == ("2026-05", finance_user, IN_JUNE)


def test_a_month_is_closed_only_once_it_is_over_and_only_once(finance_user, close_may):
    with pytest.raises(DomainError, match="has not ended"):
        finance.period_close(actor=finance_user, year=2026, month=6, at=IN_JUNE)
    with pytest.raises(DomainError, match="has not ended"):
        finance.period_close(actor=finance_user, year=2026, month=7, at=IN_JUNE)
    close_may()
    with pytest.raises(DomainError, match="closed already"):
        close_may()
    with pytest.raises(DomainError, match="not a month"):
        finance.period_close(actor=finance_user, year=2026, month=13, at=IN_JUNE)

    assert list(ClosedPeriod.objects.values_list("month", flat=True)) == [datetime(2026, 5, 1).date()]


@pytest.mark.parametrize("role", ["Clerk", "Warehouse", "Customer service"])
def test_only_finance_and_supervisors_close_periods(make_user, role, supervisor):
    with pytest.raises(NotPermitted):
        finance.period_close(actor=make_user(role), year=2026, month=5, at=IN_JUNE)
    assert not ClosedPeriod.objects.exists()

    finance.period_close(actor=supervisor, year=2026, month=5, at=IN_JUNE)
    assert ClosedPeriod.objects.count() == 1


# --- each write path refuses what is dated in the closed month ---------------------------------------------


def test_a_payment_dated_in_a_closed_month_is_refused(order_in_status, clerk, close_may):
    order = order_in_status(S.PENDING_PAYMENT)
    close_may()
    before = snapshot(order.pk)

    with pytest.raises(PeriodClosed, match=CLOSED_MAY):
        services.order_mark_paid(actor=clerk, order_id=order.pk, at=LAST_MINUTE_OF_MAY)

    assert snapshot(order.pk) == before


def test_the_seller_month_decides_not_utc(order_in_status, clerk, close_may):
    order = order_in_status(S.PENDING_PAYMENT)
    close_may()

    # 1 June 00:30 in Shanghai is 31 May in UTC: June is open.
    services.order_mark_paid(actor=clerk, order_id=order.pk, at=datetime(2026, 6, 1, 0, 30, tzinfo=SHANGHAI))

    assert order.payments.count() == 1


def test_a_payment_on_account_dated_in_a_closed_month_is_refused(order_in_status, clerk, finance_user, close_may):
    customer = CustomerFactory(business=True, credit_limit=None, payment_terms_days=30)
    order = order_in_status(S.PENDING_PAYMENT, customer=customer)
    services.order_approve_on_terms(actor=clerk, order_id=order.pk)
    close_may()
    before = snapshot(order.pk)

    with pytest.raises(PeriodClosed, match=CLOSED_MAY):
        finance.payment_receive(actor=finance_user, order_id=order.pk, amount=Decimal("19.80"), at=IN_MAY)

    assert snapshot(order.pk) == before


def test_a_refund_requested_in_a_closed_month_is_refused(order_in_status, clerk, close_may):
    order = order_in_status(S.PAID)
    close_may()
    before = snapshot(order.pk)

    # Cancelling a paid order queues its refund, dated like the cancellation.
    with pytest.raises(PeriodClosed, match=CLOSED_MAY):
        services.order_cancel(actor=clerk, order_id=order.pk, reason="Buyer asked", at=IN_MAY)

    assert snapshot(order.pk) == before


@pytest.mark.parametrize("step", ["approve", "pay", "fail"])
def test_a_refund_cannot_be_approved_paid_or_failed_with_a_date_in_a_closed_month(
    order_in_status, clerk, finance_user, close_may, step
):
    order = order_in_status(S.CANCELLED, cancelled_from=S.PAID)
    refund = Refund.objects.get(order=order)
    if step == "pay":
        finance.refund_approve(actor=finance_user, refund_id=refund.pk)
    close_may()
    before = snapshot(order.pk)
    call = {
        "approve": lambda: finance.refund_approve(actor=finance_user, refund_id=refund.pk, at=IN_MAY),
        "pay": lambda: finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk, at=IN_MAY),
        "fail": lambda: finance.refund_fail(actor=finance_user, refund_id=refund.pk, reason="Bounced", at=IN_MAY),
    }[step]

    with pytest.raises(PeriodClosed, match=CLOSED_MAY):
        call()

    assert snapshot(order.pk) == before


def test_an_invoice_dated_in_a_closed_month_is_refused(order_in_status, finance_user, close_may):
    order = order_in_status(S.SHIPPED)
    close_may()
    before = snapshot(order.pk)

    with pytest.raises(PeriodClosed, match=CLOSED_MAY):
        finance.invoice_issue(actor=finance_user, order_id=order.pk, at=IN_MAY)

    assert snapshot(order.pk) == before
    assert not Invoice.objects.exists()


def test_an_invoice_of_a_closed_month_cannot_be_voided_and_is_corrected_by_a_credit_note_instead(
    order_in_status, finance_user, service_user, close_may
):
    from aftersales import services as aftersales
    from aftersales.models import ReturnReason, TicketKind

    order = order_in_status(S.DELIVERED)
    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=IN_MAY)
    close_may()
    before = snapshot(order.pk)

    with pytest.raises(PeriodClosed, match=rf"Invoice INV-{invoice.number} is dated 2026-05-20, in {CLOSED_MAY}"):
        finance.invoice_void(actor=finance_user, invoice_id=invoice.pk, reason="Wrong amount", at=IN_JUNE)
    assert snapshot(order.pk) == before

    # The correction, dated in June: a refund paid, and its credit note against the May invoice.
    ticket = aftersales.return_open(
        actor=service_user,
        order_id=order.pk,
        kind=TicketKind.REFUND_ONLY,
        reason=ReturnReason.OTHER,
        quantities={order.lines.get().pk: 1},
        at=IN_JUNE,
    )
    aftersales.return_approve(actor=service_user, ticket_id=ticket.pk, at=IN_JUNE)
    aftersales.return_refund(actor=service_user, ticket_id=ticket.pk, amount=Decimal("5.00"), at=IN_JUNE)
    refund = Refund.objects.get(return_request=ticket)
    finance.refund_approve(actor=finance_user, refund_id=refund.pk, at=IN_JUNE)
    finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk, at=IN_JUNE)

    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert (note.credits, note.amount, note.issued_at, note.refund) == (invoice, Decimal("5.00"), IN_JUNE, refund)
    assert not Invoice.objects.get(pk=invoice.pk).is_void()


def test_records_of_an_open_month_are_untouched_by_closing_another(order_in_status, finance_user, close_may):
    order = order_in_status(S.CANCELLED, cancelled_from=S.PAID)
    refund = Refund.objects.get(order=order)
    close_may()

    finance.refund_approve(actor=finance_user, refund_id=refund.pk, at=IN_JUNE)
    finance.refund_mark_paid(actor=finance_user, refund_id=refund.pk, at=IN_JUNE)

    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.PAID
