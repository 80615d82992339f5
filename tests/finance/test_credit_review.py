"""B2B payment terms and credit limits: a customer on terms has its orders
approved before paying; an order that would take what it owes past its credit
limit is held for credit review, which Finance or a Supervisor decides —
the only order step Finance may take."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from finance import services as finance
from finance.models import Payment
from finance.selectors import customer_credit_exposure
from orders import services
from core.errors import DomainError, NotPermitted
from orders.models import ExceptionReason, Order, OrderEvent, OrderEventType, OrderStatus
from core.fsm import transition_options
from orders.selectors import order_timeline
from orders.services import LineInput
from tests.factories import CustomerFactory
from tests.flow import snapshot

S = OrderStatus


@pytest.fixture
def customer(db):
    return CustomerFactory(business=True, credit_limit=Decimal("1000.00"), payment_terms_days=30)


@pytest.fixture
def terms_order(order_in_status, customer, skus):
    """An unpaid order of the customer on terms, for ``amount`` (one line)."""

    def build(amount, *, for_customer=None):
        return order_in_status(
            S.PENDING_PAYMENT,
            customer=for_customer or customer,
            lines=[LineInput(title="Tea, wholesale carton", quantity=1, unit_price=Decimal(amount), sku=skus[0])],
        )

    return build


def status_of(order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def test_an_order_within_the_credit_limit_is_approved_before_it_is_paid(terms_order, clerk, customer):
    order = terms_order("600.00")

    services.order_approve_on_terms(actor=clerk, order_id=order.pk)

    approved = Order.objects.get(pk=order.pk)
    assert (approved.status, approved.paid_amount, approved.exception_reason) == (S.APPROVED, Decimal("0.00"), "")
    assert customer_credit_exposure(customer) == Decimal("600.00")
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.type, event.parameters) == (OrderEventType.APPROVED, {"from": "pending_payment", "to": "approved"})


def test_an_order_that_would_pass_the_limit_is_held_for_credit_review(terms_order, clerk):
    services.order_approve_on_terms(actor=clerk, order_id=terms_order("600.00").pk)
    order = terms_order("400.01")

    services.order_approve_on_terms(actor=clerk, order_id=order.pk)

    held = Order.objects.get(pk=order.pk)
    assert (held.status, held.exception_reason) == (S.ON_HOLD, ExceptionReason.CREDIT_REVIEW)
    assert "credit limit" in held.hold_reason and "600" not in held.hold_reason  # no amounts where every role looks
    event = OrderEvent.objects.get(order=order, type=OrderEventType.CREDIT_HELD)
    assert event.parameters == {
        "from": "pending_payment",
        "to": "on_hold",
        "amount": "400.01",
        "exposure": "600.00",
        "credit_limit": "1000.00",
    }


def test_exactly_at_the_limit_is_still_within_it(terms_order, clerk):
    services.order_approve_on_terms(actor=clerk, order_id=terms_order("600.00").pk)
    order = terms_order("400.00")

    services.order_approve_on_terms(actor=clerk, order_id=order.pk)

    assert status_of(order) == S.APPROVED


def test_payments_on_account_free_the_credit_again(terms_order, clerk, finance_user):
    first = terms_order("600.00")
    services.order_approve_on_terms(actor=clerk, order_id=first.pk)

    finance.payment_receive(actor=finance_user, order_id=first.pk, amount=Decimal("250.00"), reference="CMB 0601")
    second = terms_order("650.00")
    services.order_approve_on_terms(actor=clerk, order_id=second.pk)

    assert status_of(second) == S.APPROVED
    assert Order.objects.get(pk=first.pk).paid_amount == Decimal("250.00")
    assert Payment.objects.get(order=first).reference == "CMB 0601"


def test_a_payment_on_account_is_at_most_what_is_owed(terms_order, clerk, finance_user):
    order = terms_order("600.00")
    services.order_approve_on_terms(actor=clerk, order_id=order.pk)
    finance.payment_receive(actor=finance_user, order_id=order.pk, amount=Decimal("600.00"))
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="owes nothing"):
        finance.payment_receive(actor=finance_user, order_id=order.pk, amount=Decimal("0.01"))

    assert snapshot(order.pk) == before
    paid = Order.objects.get(pk=order.pk)
    assert paid.paid_amount == paid.total_amount and paid.paid_at is not None


@pytest.mark.parametrize("role", ["Clerk", "Warehouse", "Customer service"])
def test_only_finance_records_payments_on_account(terms_order, clerk, make_user, role):
    order = terms_order("600.00")
    services.order_approve_on_terms(actor=clerk, order_id=order.pk)

    with pytest.raises(NotPermitted):
        finance.payment_receive(actor=make_user(role), order_id=order.pk, amount=Decimal("1.00"))


@pytest.fixture
def held_order(terms_order, clerk):
    services.order_approve_on_terms(actor=clerk, order_id=terms_order("900.00").pk)
    order = terms_order("200.00")
    services.order_approve_on_terms(actor=clerk, order_id=order.pk)
    assert status_of(order) == S.ON_HOLD
    return Order.objects.get(pk=order.pk)


@pytest.mark.parametrize("role", ["Finance", "Supervisor"])
def test_finance_or_a_supervisor_approves_the_credit(held_order, make_user, role):
    decider = make_user(role)

    services.order_grant_credit(actor=decider, order_id=held_order.pk, note="Paid on time for two years")

    order = Order.objects.get(pk=held_order.pk)
    assert (order.status, order.exception_reason, order.hold_reason) == (S.APPROVED, "", "")
    granted = OrderEvent.objects.get(order=order, type=OrderEventType.CREDIT_GRANTED)
    assert (granted.actor, granted.parameters["note"], granted.parameters["exposure"]) == (
        decider,
        "Paid on time for two years",
        "900.00",
    )
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.EXCEPTION_RESOLVED).exists()


def test_refused_credit_sends_the_order_back_to_wait_for_payment(held_order, finance_user, clerk):
    services.order_refuse_credit(actor=finance_user, order_id=held_order.pk, reason="Two invoices overdue")

    assert status_of(held_order) == S.PENDING_PAYMENT
    # Paid in advance, it goes the ordinary way.
    services.order_mark_paid(actor=clerk, order_id=held_order.pk, reference="prepaid")
    services.order_approve(actor=clerk, order_id=held_order.pk)
    assert status_of(held_order) == S.APPROVED


def test_refusing_credit_needs_a_reason(held_order, finance_user):
    with pytest.raises(DomainError, match="reason is required"):
        services.order_refuse_credit(actor=finance_user, order_id=held_order.pk, reason=" ")
    assert status_of(held_order) == S.ON_HOLD


@pytest.mark.parametrize("role", ["Clerk", "Warehouse", "Customer service"])
def test_other_roles_cannot_decide_credit(held_order, make_user, role):
    user = make_user(role)
    before = snapshot(held_order.pk)

    with pytest.raises(NotPermitted):
        services.order_grant_credit(actor=user, order_id=held_order.pk)
    with pytest.raises(NotPermitted):
        services.order_refuse_credit(actor=user, order_id=held_order.pk, reason="No")

    assert snapshot(held_order.pk) == before


def test_a_credit_hold_is_not_released_like_an_ordinary_hold(held_order, clerk, service_user):
    before = snapshot(held_order.pk)

    for user in (clerk, service_user):
        with pytest.raises(DomainError, match="held for credit review"):
            services.order_release(actor=user, order_id=held_order.pk)

    assert snapshot(held_order.pk) == before


def test_finance_runs_no_ordinary_transition_and_is_offered_only_the_credit_decision(
    held_order, terms_order, finance_user, order_in_status
):
    with pytest.raises(NotPermitted):
        services.order_approve_on_terms(actor=finance_user, order_id=terms_order("1.00").pk)
    with pytest.raises(NotPermitted):
        services.order_release(actor=finance_user, order_id=held_order.pk)
    with pytest.raises(NotPermitted):
        services.order_cancel(actor=finance_user, order_id=held_order.pk, reason="No")

    offered = {option.name for option in transition_options(held_order, finance_user)}
    assert offered == {"grant_credit", "refuse_credit"}
    for status in (S.PENDING_PAYMENT, S.PAID, S.APPROVED, S.SHIPPED):
        assert transition_options(order_in_status(status), finance_user) == []


def test_approve_on_terms_is_not_offered_for_buyers_without_terms(order_in_status, terms_order, clerk, customer):
    retail = order_in_status(S.PENDING_PAYMENT)
    no_terms = order_in_status(S.PENDING_PAYMENT, customer=CustomerFactory(business=True, payment_terms_days=None))

    assert "approve_on_terms" not in {o.name for o in transition_options(retail, clerk)}
    assert "approve_on_terms" not in {o.name for o in transition_options(no_terms, clerk)}
    assert "approve_on_terms" in {o.name for o in transition_options(terms_order("5.00"), clerk)}
    with pytest.raises(DomainError, match="payment terms"):
        services.order_approve_on_terms(actor=clerk, order_id=retail.pk)


def test_a_customer_without_a_credit_limit_is_not_reviewed(terms_order, clerk):
    unlimited = CustomerFactory(business=True, credit_limit=None, payment_terms_days=60)

    order = terms_order("99999.00", for_customer=unlimited)
    services.order_approve_on_terms(actor=clerk, order_id=order.pk)

    assert status_of(order) == S.APPROVED


def test_warehouse_sees_the_credit_hold_but_not_its_amounts(held_order, warehouse_user):
    timeline = order_timeline(held_order, warehouse_user)

    held = next(row for row in timeline if row["type"] == OrderEventType.CREDIT_HELD)
    assert "900" not in held["details"] and "1000" not in held["details"] and "200" not in held["details"]


def test_a_b2b_invoice_on_terms_is_due_after_the_customers_payment_days(order_in_status, customer, finance_user):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    order = order_in_status(S.DELIVERED, customer=customer)
    issued = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

    invoice = finance.invoice_issue(actor=finance_user, order_id=order.pk, at=issued)

    assert invoice.due_on.isoformat() == "2026-07-30"


def test_the_credit_review_banner_and_forms_show_the_total_what_is_owed_and_the_limit(held_order, finance_user, warehouse_user):
    client = Client()
    client.force_login(finance_user)
    total = held_order.total_amount
    facts = (
        f"Order total {total} CNY; the customer owes 900.00 CNY on account besides it, "
        f"{total + Decimal('900.00')} CNY with it; credit limit 1000.00 CNY."
    )

    page = client.get(reverse("admin:orders_order_change", args=[held_order.pk])).content.decode()
    forms = [
        client.get(reverse("admin:orders_order_action", args=[held_order.pk, action])).content.decode()
        for action in ("grant_credit", "refuse_credit")
    ]
    warehouse_page = Client()
    warehouse_page.force_login(warehouse_user)
    hidden = warehouse_page.get(reverse("admin:orders_order_change", args=[held_order.pk])).content.decode()

    banner = page.split('class="errornote od-exception-flag">')[1].split("</p>")[0]
    assert banner == f"Held for credit review: this order would take what the customer owes past its credit limit. {facts}"
    assert all(facts in form for form in forms)
    assert "Held for credit review" in hidden and "900.00" not in hidden
