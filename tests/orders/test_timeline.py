"""The order timeline: every change writes exactly one event row, with who did
it, when (the ``at`` passed to the service), the status it moved between, and
its details; amounts are stored as exact strings."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales import services as aftersales
from finance.models import PaymentMethod, Refund
from orders import services, tasks
from core.errors import DomainError
from orders.models import ExceptionNotification, ExceptionReason, Order, OrderEvent, OrderStatus
from orders.selectors import order_timeline
from orders.services import LineInput
from tests.factories import SKUAliasFactory, ship_to
from tests.flow import snapshot

S = OrderStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
PLACED = datetime(2026, 3, 2, 9, 15, tzinfo=SHANGHAI)


def at(minutes: int) -> datetime:
    return PLACED + timedelta(minutes=minutes)


def timeline(order) -> list[tuple]:
    """(type, actor's username, time, parameters) for each event, oldest first."""
    return [
        (event.type, event.actor.username if event.actor else None, event.created_at, event.parameters)
        for event in OrderEvent.objects.filter(order=order).select_related("actor")
    ]


def _reload(order) -> Order:
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def new_order(clerk, channel, sku):
    """An unpaid order placed at PLACED: 2 × TEA-1 at 9.90 = 19.80."""
    return services.order_create(
        actor=clerk,
        channel=channel,
        lines=[LineInput(title="Tea gift box", quantity=2, unit_price=Decimal("9.90"), sku=sku)],
        placed_at=PLACED,
        platform_order_id="TM-1001",
        **ship_to(),
    )


def test_order_walked_from_payment_to_completion_has_one_event_per_step(
    new_order, clerk, warehouse_user, service_user
):
    order = new_order

    services.order_mark_paid(actor=clerk, order_id=order.pk, reference="ALIPAY-88", at=at(5))
    services.order_approve(actor=clerk, order_id=order.pk, at=at(10))
    services.order_allocate(actor=warehouse_user, order_id=order.pk, at=at(20))
    services.order_start_picking(actor=warehouse_user, order_id=order.pk, at=at(30))
    services.order_pack(actor=warehouse_user, order_id=order.pk, at=at(40))
    services.order_ship(
        actor=warehouse_user, order_id=order.pk, carrier="SF Express", tracking_number="SF1234567890", at=at(50)
    )
    services.order_confirm_delivery(actor=service_user, order_id=order.pk, at=at(2 * 24 * 60))
    services.order_complete(actor=clerk, order_id=order.pk, at=at(9 * 24 * 60))

    assert timeline(order) == [
        ("created", "clerk", PLACED, {"source": "manual", "status": "pending_payment"}),
        (
            "paid",
            "clerk",
            at(5),
            {"from": "pending_payment", "to": "paid", "amount": "19.80", "method": "bank_transfer"},
        ),
        ("approved", "clerk", at(10), {"from": "paid", "to": "approved"}),
        (
            "allocated",
            "warehouse",
            at(20),
            {"from": "approved", "to": "allocated", "warehouse": "sh", "quantities": {"TEA-1": 2}},
        ),
        ("picking_started", "warehouse", at(30), {"from": "allocated", "to": "picking"}),
        ("packed", "warehouse", at(40), {"from": "picking", "to": "packed"}),
        (
            "shipped",
            "warehouse",
            at(50),
            {"from": "packed", "to": "shipped", "carrier": "SF Express", "tracking_number": "SF1234567890"},
        ),
        ("delivered", "service", at(2 * 24 * 60), {"from": "shipped", "to": "delivered"}),
        ("completed", "clerk", at(9 * 24 * 60), {"from": "delivered", "to": "completed"}),
    ]
    completed = _reload(order)
    assert (
        completed.paid_at,
        completed.approved_at,
        completed.allocated_at,
        completed.picking_at,
        completed.packed_at,
        completed.shipped_at,
        completed.delivered_at,
        completed.completed_at,
    ) == (at(5), at(10), at(20), at(30), at(40), at(50), at(2 * 24 * 60), at(9 * 24 * 60))


def test_order_paid_on_the_platform_records_creation_and_payment_at_the_platform_times(clerk, channel, sku):
    order = services.order_create(
        actor=clerk,
        channel=channel,
        lines=[LineInput(title="Tea gift box", quantity=3, unit_price=Decimal("33.30"), sku=sku)],
        placed_at=PLACED,
        paid_at=at(1),
        shipping_amount=Decimal("6.00"),
        discount_amount=Decimal("5.90"),
        source="import",
        **ship_to(),
    )

    assert timeline(order) == [
        ("created", "clerk", PLACED, {"source": "import", "status": "pending_payment"}),
        ("paid", "clerk", at(1), {"from": "pending_payment", "to": "paid", "amount": "100.00", "method": "platform"}),
    ]


def test_hold_release_and_cancel_are_on_the_timeline_with_reasons_and_the_refund(new_order, clerk, service_user):
    order = new_order
    services.order_mark_paid(actor=clerk, order_id=order.pk, at=at(5))

    services.order_hold(actor=service_user, order_id=order.pk, reason="Buyer asked to wait", at=at(6))
    services.order_release(actor=service_user, order_id=order.pk, at=at(7))
    services.order_approve(actor=clerk, order_id=order.pk, at=at(8))
    services.order_hold(actor=clerk, order_id=order.pk, reason="Address check", at=at(9))
    services.order_release(actor=clerk, order_id=order.pk, at=at(10))
    services.order_cancel(actor=clerk, order_id=order.pk, reason="Buyer cancelled", at=at(11))

    refund = Refund.objects.get(order=order)
    assert timeline(order)[2:] == [
        ("held", "service", at(6), {"from": "paid", "to": "on_hold", "reason": "Buyer asked to wait"}),
        ("released", "service", at(7), {"from": "on_hold", "to": "paid"}),
        ("approved", "clerk", at(8), {"from": "paid", "to": "approved"}),
        ("held", "clerk", at(9), {"from": "approved", "to": "on_hold", "reason": "Address check"}),
        ("released", "clerk", at(10), {"from": "on_hold", "to": "approved"}),
        ("cancelled", "clerk", at(11), {"from": "approved", "to": "cancelled", "reason": "Buyer cancelled"}),
        ("refund_requested", "clerk", at(11), {"refund": refund.pk, "amount": "19.80", "status": "requested"}),
    ]


def test_cancelling_after_allocation_records_the_stock_released_and_the_refund(new_order, clerk, warehouse_user, supervisor):
    order = new_order
    services.order_mark_paid(actor=clerk, order_id=order.pk, at=at(5))
    services.order_approve(actor=clerk, order_id=order.pk, at=at(6))
    services.order_allocate(actor=warehouse_user, order_id=order.pk, at=at(7))

    services.order_cancel(actor=supervisor, order_id=order.pk, reason="Fraud suspected", at=at(8))

    refund = Refund.objects.get(order=order)
    assert timeline(order)[4:] == [
        ("cancelled", "supervisor", at(8), {"from": "allocated", "to": "cancelled", "reason": "Fraud suspected"}),
        ("stock_released", "supervisor", at(8), {"quantities": {"TEA-1": 2}}),
        ("refund_requested", "supervisor", at(8), {"refund": refund.pk, "amount": "19.80", "status": "requested"}),
    ]
    assert _reload(order).cancelled_at == at(8)


def test_paid_event_states_a_whole_amount_to_the_cent_like_the_payment_record(new_order, clerk):
    services.order_mark_paid(actor=clerk, order_id=new_order.pk, amount=Decimal("20"), at=at(5))

    paid = OrderEvent.objects.get(order=new_order, type="paid")
    payment = new_order.payments.get()
    assert paid.parameters["amount"] == str(payment.amount) == "20.00"


# --- exceptions ------------------------------------------------------------------------------


def test_flagging_and_resolving_an_exception_are_on_the_timeline(new_order, clerk, warehouse_user, service_user):
    order = new_order

    services.order_flag_exception(
        actor=clerk,
        order_id=order.pk,
        reason=ExceptionReason.ADDRESS_INCOMPLETE,
        note="  No building number  ",
        owner=service_user,
        at=at(3),
    )
    flagged = _reload(order)
    services.order_resolve_exception(actor=service_user, order_id=order.pk, resolution="Buyer confirmed by phone", at=at(4))

    assert timeline(order)[1:] == [
        (
            "exception_flagged",
            "clerk",
            at(3),
            {"reason": "address_incomplete", "note": "No building number", "owner": "service"},
        ),
        (
            "exception_resolved",
            "service",
            at(4),
            {"reason": "address_incomplete", "resolution": "Buyer confirmed by phone"},
        ),
    ]
    assert (flagged.exception_reason, flagged.exception_owner, flagged.exception_raised_at) == (
        "address_incomplete",
        service_user,
        at(3),
    )
    resolved = _reload(order)
    assert (resolved.exception_reason, resolved.exception_note, resolved.exception_owner) == ("", "", None)


def test_second_exception_is_refused_while_one_is_open(new_order, clerk):
    services.order_flag_exception(actor=clerk, order_id=new_order.pk, reason=ExceptionReason.PRICE_MISMATCH, at=at(3))
    before = snapshot(new_order.pk)

    with pytest.raises(DomainError, match="already has an open exception"):
        services.order_flag_exception(actor=clerk, order_id=new_order.pk, reason=ExceptionReason.OTHER, at=at(4))

    assert snapshot(new_order.pk) == before
    assert _reload(new_order).exception_reason == ExceptionReason.PRICE_MISMATCH


def test_resolving_needs_an_open_exception_and_a_resolution(new_order, clerk):
    with pytest.raises(DomainError, match="no open exception"):
        services.order_resolve_exception(actor=clerk, order_id=new_order.pk, resolution="Done")
    services.order_flag_exception(actor=clerk, order_id=new_order.pk, reason=ExceptionReason.OTHER, at=at(3))
    before = snapshot(new_order.pk)

    with pytest.raises(DomainError, match="reason is required"):
        services.order_resolve_exception(actor=clerk, order_id=new_order.pk, resolution="  ")

    assert snapshot(new_order.pk) == before


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED])
def test_closed_order_cannot_get_an_exception(order_in_status, clerk, status):
    order = order_in_status(status)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="is closed"):
        services.order_flag_exception(actor=clerk, order_id=order.pk, reason=ExceptionReason.OTHER)

    assert snapshot(order.pk) == before


def test_unknown_sku_at_creation_flags_the_exception_automatically(clerk, channel, sku):
    SKUAliasFactory(channel=channel, sku=sku, platform_sku_code="TM-TEA-RED")

    order = services.order_create(
        actor=clerk,
        channel=channel,
        lines=[
            LineInput(title="Red tea", quantity=1, unit_price=Decimal("9.90"), platform_sku_code="TM-TEA-RED"),
            LineInput(title="Green tea", quantity=1, unit_price=Decimal("9.90"), platform_sku_code="TM-TEA-GREEN"),
            LineInput(title="Free sample", quantity=1),
        ],
        placed_at=PLACED,
        **ship_to(),
    )

    assert timeline(order) == [
        ("created", "clerk", PLACED, {"source": "manual", "status": "pending_payment"}),
        (
            "exception_flagged",
            "clerk",
            PLACED,
            {"reason": "unknown_sku", "note": "TM-TEA-GREEN, Free sample", "owner": ""},
        ),
    ]
    assert list(order.lines.values_list("platform_sku_code", "sku__code")) == [
        ("TM-TEA-RED", "TEA-1"),
        ("TM-TEA-GREEN", None),
        ("", None),
    ]
    assert _reload(order).exception_reason == ExceptionReason.UNKNOWN_SKU


def test_order_whose_lines_all_map_gets_no_exception(clerk, channel, sku):
    SKUAliasFactory(channel=channel, sku=sku, platform_sku_code="TM-TEA-RED")

    order = services.order_create(
        actor=clerk,
        channel=channel,
        lines=[
            LineInput(title="Red tea", quantity=1, platform_sku_code="TM-TEA-RED"),
            LineInput(title="Tea by our code", quantity=1, platform_sku_code="TEA-2"),
        ],
        placed_at=PLACED,
        **ship_to(),
    )

    assert [event[0] for event in timeline(order)] == ["created"]
    assert list(order.lines.values_list("sku__code", flat=True)) == ["TEA-1", "TEA-2"]


def test_allocation_resolves_an_out_of_stock_exception_on_the_timeline(order_in_status, clerk, warehouse_user):
    order = order_in_status(S.APPROVED)
    flagged_at, allocated_at = timezone.now() + timedelta(minutes=1), timezone.now() + timedelta(minutes=2)
    services.order_flag_exception(actor=clerk, order_id=order.pk, reason=ExceptionReason.OUT_OF_STOCK, at=flagged_at)

    services.order_allocate(actor=warehouse_user, order_id=order.pk, at=allocated_at)

    assert timeline(order)[-3:] == [
        ("exception_flagged", "clerk", flagged_at, {"reason": "out_of_stock", "note": "", "owner": ""}),
        (
            "allocated",
            "warehouse",
            allocated_at,
            {"from": "approved", "to": "allocated", "warehouse": "sh", "quantities": {"TEA-1": 2}},
        ),
        ("exception_resolved", "warehouse", allocated_at, {"reason": "out_of_stock", "resolution": "Stock allocated."}),
    ]
    assert _reload(order).exception_reason == ""


def test_exception_other_than_out_of_stock_blocks_allocation(order_in_status, clerk, warehouse_user):
    order = order_in_status(S.APPROVED)
    services.order_flag_exception(actor=clerk, order_id=order.pk, reason=ExceptionReason.CREDIT_REVIEW)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="open exception that allocation cannot resolve"):
        services.order_allocate(actor=warehouse_user, order_id=order.pk)

    assert snapshot(order.pk) == before


# --- telling the exception's owner ---------------------------------------------------------------


def test_exception_owner_gets_exactly_one_email_however_often_the_task_runs(
    new_order, clerk, service_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.order_flag_exception(
            actor=clerk, order_id=new_order.pk, reason=ExceptionReason.BUYER_REQUEST, note="Wants gift wrap", owner=service_user
        )

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [service_user.email]
    assert new_order.number in message.subject
    assert "Wants gift wrap" in message.body

    event = OrderEvent.objects.get(order=new_order, type="exception_flagged")
    assert tasks.notify_exception_owner(event.pk) is False  # a retry of the same task
    assert len(mailoutbox) == 1
    assert ExceptionNotification.objects.filter(event=event, recipient=service_user).count() == 1


@pytest.mark.parametrize("owner", ["nobody", "the actor"])
def test_no_email_when_there_is_no_owner_or_the_owner_flagged_it(
    new_order, clerk, django_capture_on_commit_callbacks, mailoutbox, owner
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.order_flag_exception(
            actor=clerk,
            order_id=new_order.pk,
            reason=ExceptionReason.OTHER,
            owner=clerk if owner == "the actor" else None,
        )

    assert (len(callbacks), len(mailoutbox)) == (0, 0)


def test_no_email_once_the_exception_was_resolved_before_the_task_ran(
    new_order, clerk, service_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.order_flag_exception(
            actor=clerk, order_id=new_order.pk, reason=ExceptionReason.OTHER, owner=service_user
        )
    services.order_resolve_exception(actor=clerk, order_id=new_order.pk, resolution="Handled it myself")

    for callback in callbacks:
        callback()

    assert len(callbacks) == 1
    assert mailoutbox == []


def test_no_email_when_the_flag_is_rolled_back_with_the_callers_transaction(
    new_order, clerk, service_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.order_flag_exception(
                actor=clerk, order_id=new_order.pk, reason=ExceptionReason.OTHER, owner=service_user
            )
            raise RuntimeError("the caller's transaction fails after the flag")

    assert (len(callbacks), len(mailoutbox)) == (0, 0)
    assert _reload(new_order).exception_reason == ""


def test_payment_method_is_recorded_on_the_timeline(new_order, clerk):
    services.order_mark_paid(actor=clerk, order_id=new_order.pk, method=PaymentMethod.WECHAT, reference="WX-1", at=at(5))

    assert OrderEvent.objects.get(order=new_order, type="paid").parameters["method"] == "wechat"


def test_the_timeline_names_warehouses_payment_methods_ticket_kinds_and_sources_by_their_labels(
    order_in_status, clerk, service_user
):
    order = order_in_status(OrderStatus.SHIPPED)
    line = order.lines.get()
    aftersales.return_open(
        actor=service_user, order_id=order.pk, kind="refund_only", reason="damaged", quantities={line.pk: 1}
    )

    details = {row["type"]: row["details"] for row in order_timeline(order, clerk)}

    assert details["created"] == "source: entered by hand; status: Pending payment"
    assert "method: Bank transfer" in details["paid"] and "bank_transfer" not in details["paid"]
    assert "warehouse: Shanghai" in details["allocated"] and "warehouse: sh" not in details["allocated"]
    assert "kind: Refund only" in details["return_opened"] and "reason: Arrived damaged" in details["return_opened"]


def test_the_timeline_names_a_refunds_status_by_its_label(order_in_status, clerk):
    order = order_in_status(OrderStatus.CANCELLED, cancelled_from=OrderStatus.PAID)

    details = {row["type"]: row["details"] for row in order_timeline(order, clerk)}

    assert details["refund_requested"].endswith("status: Requested")
