"""Order transitions through the services: who may run which, from where, and
what stops them. A refused request raises DomainError (NotPermitted for a
role that lacks the permission) and changes nothing: no field, no event, no
stock, no money record."""

import re
from decimal import Decimal

import pytest

from finance.models import Refund, RefundStatus
from inventory.models import MovementKind, StockLevel, StockMovement
from orders import services
from core.errors import DomainError, NotPermitted
from orders.models import ExceptionReason, Order, OrderEvent, OrderEventType, OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory
from tests.flow import snapshot

S = OrderStatus
ROLES = ("Clerk", "Warehouse", "Customer service", "Finance", "Supervisor")
FLOOR = {"Clerk", "Warehouse", "Supervisor"}  # may allocate, pick, pack and ship
BUYER_FACING = {"Clerk", "Customer service", "Supervisor"}  # may hold and release
OFFICE = {"Clerk", "Supervisor"}

ACTIONS = {
    "mark_paid": lambda actor, order: services.order_mark_paid(actor=actor, order_id=order.pk, reference="TT-0001"),
    "approve": lambda actor, order: services.order_approve(actor=actor, order_id=order.pk),
    "allocate": lambda actor, order: services.order_allocate(actor=actor, order_id=order.pk),
    "start_picking": lambda actor, order: services.order_start_picking(actor=actor, order_id=order.pk),
    "pack": lambda actor, order: services.order_pack(actor=actor, order_id=order.pk),
    "ship": lambda actor, order: services.order_ship(
        actor=actor, order_id=order.pk, carrier="SF Express", tracking_number="SF1234567890"
    ),
    "confirm_delivery": lambda actor, order: services.order_confirm_delivery(actor=actor, order_id=order.pk),
    "complete": lambda actor, order: services.order_complete(actor=actor, order_id=order.pk),
    "hold": lambda actor, order: services.order_hold(actor=actor, order_id=order.pk, reason="Buyer asked to wait"),
    "release": lambda actor, order: services.order_release(actor=actor, order_id=order.pk),
    "cancel": lambda actor, order: services.order_cancel(actor=actor, order_id=order.pk, reason="Buyer changed their mind"),
}

# (action, source, held_from, target, event type, roles that may) — the whole table.
TRANSITIONS = [
    ("mark_paid", S.PENDING_PAYMENT, None, S.PAID, OrderEventType.PAID, OFFICE),
    ("approve", S.PAID, None, S.APPROVED, OrderEventType.APPROVED, OFFICE),
    ("allocate", S.APPROVED, None, S.ALLOCATED, OrderEventType.ALLOCATED, FLOOR),
    ("start_picking", S.ALLOCATED, None, S.PICKING, OrderEventType.PICKING_STARTED, FLOOR),
    ("pack", S.PICKING, None, S.PACKED, OrderEventType.PACKED, FLOOR),
    ("ship", S.PACKED, None, S.SHIPPED, OrderEventType.SHIPPED, FLOOR),
    ("confirm_delivery", S.SHIPPED, None, S.DELIVERED, OrderEventType.DELIVERED, BUYER_FACING),
    ("complete", S.DELIVERED, None, S.COMPLETED, OrderEventType.COMPLETED, OFFICE),
    ("hold", S.PAID, None, S.ON_HOLD, OrderEventType.HELD, BUYER_FACING),
    ("hold", S.APPROVED, None, S.ON_HOLD, OrderEventType.HELD, BUYER_FACING),
    ("release", S.ON_HOLD, S.PAID, S.PAID, OrderEventType.RELEASED, BUYER_FACING),
    ("release", S.ON_HOLD, S.APPROVED, S.APPROVED, OrderEventType.RELEASED, BUYER_FACING),
    ("cancel", S.PENDING_PAYMENT, None, S.CANCELLED, OrderEventType.CANCELLED, OFFICE),
    ("cancel", S.PAID, None, S.CANCELLED, OrderEventType.CANCELLED, OFFICE),
    ("cancel", S.APPROVED, None, S.CANCELLED, OrderEventType.CANCELLED, OFFICE),
    ("cancel", S.ON_HOLD, S.PAID, S.CANCELLED, OrderEventType.CANCELLED, OFFICE),
    # Once stock is reserved the warehouse may be working on it: Supervisor only.
    ("cancel", S.ALLOCATED, None, S.CANCELLED, OrderEventType.CANCELLED, {"Supervisor"}),
    ("cancel", S.PICKING, None, S.CANCELLED, OrderEventType.CANCELLED, {"Supervisor"}),
    ("cancel", S.PACKED, None, S.CANCELLED, OrderEventType.CANCELLED, {"Supervisor"}),
]
SOURCES = {action: {source for a, source, *_ in TRANSITIONS if a == action} for action in ACTIONS}


def _source_id(source, held_from):
    return f"{source}-from-{held_from}" if held_from else str(source)


def _build(order_in_status, source, held_from):
    return order_in_status(source, held_from=held_from) if held_from else order_in_status(source)


def _allowed_cases():
    for action, source, held_from, target, event_type, roles in TRANSITIONS:
        for role in sorted(roles):
            yield pytest.param(
                action, source, held_from, target, event_type, role, id=f"{action}-{_source_id(source, held_from)}-{role}"
            )


def _role_refused_cases():
    # Finance is refused everything: see test_finance_cannot_run_any_order_transition.
    for action, source, held_from, _target, _event, roles in TRANSITIONS:
        refused = sorted(set(ROLES) - roles - {"Finance"})
        yield pytest.param(action, source, held_from, refused, id=f"{action}-{_source_id(source, held_from)}")


def _sources():
    """Each status a transition starts from, on hold told apart by where it came from."""
    return sorted({(source, held_from) for _a, source, held_from, *_ in TRANSITIONS}, key=str)


def _reload(order) -> Order:
    return Order.objects.get(pk=order.pk)


# --- allowed ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "source", "held_from", "target", "event_type", "role"), list(_allowed_cases()))
def test_role_with_the_permission_runs_the_transition(
    order_in_status, make_user, action, source, held_from, target, event_type, role
):
    order = _build(order_in_status, source, held_from)
    events_before = set(order.events.values_list("pk", flat=True))
    user = make_user(role)

    ACTIONS[action](user, order)

    assert _reload(order).status == target
    new_events = order.events.exclude(pk__in=events_before)
    event = new_events.first()
    assert (event.type, event.actor, event.parameters["from"], event.parameters["to"]) == (
        event_type,
        user,
        source,
        target,
    )


def test_superuser_runs_transitions_that_need_the_strongest_permission(order_in_status, superuser):
    order = order_in_status(S.PACKED)

    services.order_cancel(actor=superuser, order_id=order.pk, reason="Duplicate order")

    assert _reload(order).status == S.CANCELLED


# --- refused: wrong state ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(S))
def test_transitions_from_a_wrong_state_are_refused_and_change_nothing(order_in_status, supervisor, subtests, status):
    # One order per status; every transition that cannot start there is tried on it in turn.
    order = order_in_status(status)
    before = snapshot(order.pk)

    for action in (action for action in ACTIONS if status not in SOURCES[action]):
        with subtests.test(action=action):
            with pytest.raises(DomainError) as refused:
                ACTIONS[action](supervisor, order)

            assert not isinstance(refused.value, NotPermitted)
            assert order.number in str(refused.value)
            assert f"while the order is {S(status).label}" in str(refused.value)
            assert snapshot(order.pk) == before


# --- refused: role -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "source", "held_from", "refused_roles"), list(_role_refused_cases()))
def test_roles_without_the_permission_are_refused_and_change_nothing(
    order_in_status, make_user, subtests, action, source, held_from, refused_roles
):
    order = _build(order_in_status, source, held_from)
    before = snapshot(order.pk)

    for role in refused_roles:
        with subtests.test(role=role):
            with pytest.raises(NotPermitted, match="your role may not"):
                ACTIONS[action](make_user(role), order)

            assert snapshot(order.pk) == before


@pytest.mark.parametrize(("source", "held_from"), [pytest.param(s, h, id=_source_id(s, h)) for s, h in _sources()])
def test_finance_cannot_run_any_order_transition(order_in_status, finance_user, subtests, source, held_from):
    order = _build(order_in_status, source, held_from)
    before = snapshot(order.pk)

    for action in (a for a, s, h, *_ in TRANSITIONS if (s, h) == (source, held_from)):
        with subtests.test(action=action):
            with pytest.raises(NotPermitted):
                ACTIONS[action](finance_user, order)

            assert snapshot(order.pk) == before


def test_finance_cannot_create_orders_or_flag_or_resolve_exceptions(order_in_status, finance_user, channel, sku):
    order = order_in_status(S.PAID)
    line = LineInput(title="Tea", quantity=1, unit_price=Decimal("9.90"), sku=sku)

    with pytest.raises(NotPermitted):
        services.order_create(actor=finance_user, channel=channel, lines=[line], placed_at=order.placed_at)
    with pytest.raises(NotPermitted):
        services.order_flag_exception(actor=finance_user, order_id=order.pk, reason=ExceptionReason.OTHER)
    services.order_flag_exception(actor=None, order_id=order.pk, reason=ExceptionReason.OTHER)
    with pytest.raises(NotPermitted):
        services.order_resolve_exception(actor=finance_user, order_id=order.pk, resolution="Checked")

    assert _reload(order).exception_reason == ExceptionReason.OTHER


def test_customer_service_can_hold_but_cannot_allocate_or_ship(order_in_status, service_user):
    approved = order_in_status(S.APPROVED)
    packed = order_in_status(S.PACKED)

    with pytest.raises(NotPermitted):
        ACTIONS["allocate"](service_user, approved)
    with pytest.raises(NotPermitted):
        ACTIONS["ship"](service_user, packed)
    services.order_hold(actor=service_user, order_id=approved.pk, reason="Buyer is changing the address")

    assert (_reload(approved).status, _reload(packed).status) == (S.ON_HOLD, S.PACKED)


# --- refused: unmet conditions -------------------------------------------------------------------------------------


def test_order_with_a_line_not_mapped_to_a_sku_cannot_be_approved(order_in_status, clerk, sku):
    lines = [
        LineInput(title="Tea", quantity=1, unit_price=Decimal("9.90"), sku=sku),
        LineInput(title="Mystery gift", quantity=1, unit_price=Decimal("5.00"), platform_sku_code="NO-SUCH-CODE"),
    ]
    order = order_in_status(S.PAID, lines=lines)
    # Creating it flagged "unknown SKU"; resolving the flag does not map the line.
    services.order_resolve_exception(actor=clerk, order_id=order.pk, resolution="Asked purchasing to add it")
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="not mapped to a SKU"):
        services.order_approve(actor=clerk, order_id=order.pk)

    assert snapshot(order.pk) == before


@pytest.mark.parametrize(
    "missing", ["ship_name", "ship_phone", "ship_province", "ship_city", "ship_address"]
)
def test_order_with_an_incomplete_address_cannot_be_approved(order_in_status, clerk, missing):
    order = order_in_status(S.PAID, **{missing: ""})
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="ship-to address is incomplete"):
        services.order_approve(actor=clerk, order_id=order.pk)

    assert snapshot(order.pk) == before


def test_foreign_order_without_province_or_phone_can_be_approved(order_in_status, clerk):
    order = order_in_status(S.PAID, ship_country="US", ship_province="", ship_phone="", ship_city="")

    services.order_approve(actor=clerk, order_id=order.pk)

    assert _reload(order).status == S.APPROVED


def test_order_with_an_open_exception_cannot_be_approved(order_in_status, clerk):
    order = order_in_status(S.PAID)
    services.order_flag_exception(actor=clerk, order_id=order.pk, reason=ExceptionReason.PRICE_MISMATCH)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="open exception"):
        services.order_approve(actor=clerk, order_id=order.pk)

    assert snapshot(order.pk) == before


def test_order_with_an_open_exception_cannot_start_picking(order_in_status, warehouse_user):
    order = order_in_status(S.ALLOCATED)
    services.order_flag_exception(actor=warehouse_user, order_id=order.pk, reason=ExceptionReason.OTHER, note="Box damaged")
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="open exception"):
        services.order_start_picking(actor=warehouse_user, order_id=order.pk)

    assert snapshot(order.pk) == before


@pytest.fixture
def scarce_sku(warehouse, receive_stock):
    """RARE-1: only 3 on hand, in the main warehouse only."""
    sku = SKUFactory(code="RARE-1", name="Rare oolong")
    receive_stock(warehouse, sku, 3)
    return sku


@pytest.mark.parametrize("named_warehouse", [False, True], ids=["warehouse-chosen-by-service", "warehouse-named"])
def test_allocating_more_than_is_in_stock_names_the_sku_and_quantities_and_reserves_nothing(
    order_in_status, warehouse_user, warehouse, scarce_sku, named_warehouse
):
    order = order_in_status(
        S.APPROVED, lines=[LineInput(title="Rare oolong", quantity=7, unit_price=Decimal("88.00"), sku=scarce_sku)]
    )
    before = snapshot(order.pk)

    with pytest.raises(DomainError) as refused:
        services.order_allocate(
            actor=warehouse_user, order_id=order.pk, warehouse_id=warehouse.pk if named_warehouse else None
        )

    message = str(refused.value)
    assert "RARE-1" in message
    assert re.search(r"\b7\b", message), message  # needed
    assert re.search(r"\b3\b", message), message  # available
    assert snapshot(order.pk) == before
    assert StockLevel.objects.values_list("on_hand", "reserved").get(sku=scarce_sku) == (3, 0)


@pytest.mark.parametrize(
    ("carrier", "tracking_number"),
    [("", "SF1234567890"), ("SF Express", ""), ("   ", "   ")],
    ids=["no-carrier", "no-tracking-number", "blanks"],
)
def test_order_cannot_ship_without_carrier_and_tracking_number(
    order_in_status, warehouse_user, carrier, tracking_number
):
    order = order_in_status(S.PACKED)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="carrier and a tracking number are required"):
        services.order_ship(actor=warehouse_user, order_id=order.pk, carrier=carrier, tracking_number=tracking_number)

    assert snapshot(order.pk) == before
    assert StockLevel.objects.get(sku__code="TEA-1", warehouse__code="sh").reserved == 2


# --- hold and release ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("held_from", [S.PAID, S.APPROVED])
def test_release_returns_a_held_order_to_the_status_it_was_held_in(order_in_status, service_user, held_from):
    order = order_in_status(held_from)

    services.order_hold(actor=service_user, order_id=order.pk, reason="Buyer is away until Monday")
    held = _reload(order)
    services.order_release(actor=service_user, order_id=order.pk)

    assert (held.status, held.hold_reason) == (S.ON_HOLD, "Buyer is away until Monday")
    released = _reload(order)
    assert (released.status, released.hold_reason) == (held_from, "")


def test_order_approved_after_release_from_hold_can_be_held_and_released_again(order_in_status, clerk):
    order = order_in_status(S.ON_HOLD, held_from=S.PAID)
    services.order_release(actor=clerk, order_id=order.pk)
    services.order_approve(actor=clerk, order_id=order.pk)

    services.order_hold(actor=clerk, order_id=order.pk, reason="Address check")
    services.order_release(actor=clerk, order_id=order.pk)

    assert _reload(order).status == S.APPROVED


@pytest.mark.parametrize("reason", ["", "   "])
def test_hold_needs_a_reason(order_in_status, clerk, reason):
    order = order_in_status(S.PAID)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="reason is required"):
        services.order_hold(actor=clerk, order_id=order.pk, reason=reason)

    assert snapshot(order.pk) == before


# --- cancel ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PENDING_PAYMENT, S.PAID, S.APPROVED, S.ON_HOLD])
def test_clerk_cancels_order_before_allocation(order_in_status, clerk, status):
    order = order_in_status(status)

    services.order_cancel(actor=clerk, order_id=order.pk, reason="Buyer changed their mind")

    cancelled = _reload(order)
    assert (cancelled.status, cancelled.cancel_reason) == (S.CANCELLED, "Buyer changed their mind")
    assert not StockMovement.objects.filter(order=order).exists()


@pytest.mark.parametrize("status", [S.ALLOCATED, S.PICKING, S.PACKED])
def test_clerk_cannot_cancel_order_whose_stock_is_reserved(order_in_status, clerk, status):
    order = order_in_status(status)
    before = snapshot(order.pk)

    with pytest.raises(NotPermitted):
        services.order_cancel(actor=clerk, order_id=order.pk, reason="Buyer changed their mind")

    assert snapshot(order.pk) == before
    assert StockLevel.objects.get(sku__code="TEA-1", warehouse__code="sh").reserved == 2


@pytest.mark.parametrize("status", [S.ALLOCATED, S.PICKING, S.PACKED])
def test_supervisor_cancelling_order_with_reserved_stock_releases_the_reservation(
    order_in_status, supervisor, skus, status
):
    lines = [
        LineInput(title="Tea 1", quantity=2, unit_price=Decimal("9.90"), sku=skus[0]),
        LineInput(title="Tea 2", quantity=5, unit_price=Decimal("19.90"), sku=skus[1]),
    ]
    order = order_in_status(status, lines=lines)
    assert dict(StockLevel.objects.values_list("sku__code", "reserved")) == {"TEA-1": 2, "TEA-2": 5, "TEA-3": 0}

    services.order_cancel(actor=supervisor, order_id=order.pk, reason="Fraud suspected")

    assert _reload(order).status == S.CANCELLED
    assert list(StockLevel.objects.order_by("sku__code").values_list("sku__code", "on_hand", "reserved")) == [
        ("TEA-1", 50, 0),
        ("TEA-2", 50, 0),
        ("TEA-3", 50, 0),
    ]
    releases = StockMovement.objects.filter(order=order, kind=MovementKind.RELEASE)
    assert sorted(releases.values_list("stock_level__sku__code", "on_hand_delta", "reserved_delta")) == [
        ("TEA-1", 0, -2),
        ("TEA-2", 0, -5),
    ]


def test_cancelling_a_paid_order_requests_a_refund_of_exactly_what_was_paid(order_in_status, clerk, skus):
    lines = [
        LineInput(title="Tea 1", quantity=3, unit_price=Decimal("33.33"), sku=skus[0]),
        LineInput(title="Tea 2", quantity=1, unit_price=Decimal("0.01"), sku=skus[1]),
    ]
    order = order_in_status(
        S.APPROVED, lines=lines, shipping_amount=Decimal("8.00"), discount_amount=Decimal("0.10")
    )
    assert order.paid_amount == Decimal("107.90")

    services.order_cancel(actor=clerk, order_id=order.pk, reason="Out of season")

    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.currency, refund.status, refund.requested_by) == (
        Decimal("107.90"),
        "CNY",
        RefundStatus.REQUESTED,
        clerk,
    )
    assert "Out of season" in refund.reason


def test_cancelling_a_partly_paid_order_refunds_only_the_part_paid(order_in_status, clerk):
    order = order_in_status(S.PENDING_PAYMENT)  # total 19.80
    services.order_mark_paid(actor=clerk, order_id=order.pk, amount=Decimal("12.34"), reference="deposit")

    services.order_cancel(actor=clerk, order_id=order.pk, reason="Buyer never paid the rest")

    assert list(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [Decimal("12.34")]


def test_cancelling_an_unpaid_order_requests_no_refund(order_in_status, clerk):
    order = order_in_status(S.PENDING_PAYMENT)

    services.order_cancel(actor=clerk, order_id=order.pk, reason="Never paid")

    assert not Refund.objects.filter(order=order).exists()
    assert not OrderEvent.objects.filter(order=order, type=OrderEventType.REFUND_REQUESTED).exists()


@pytest.mark.parametrize("reason", ["", "  "])
def test_cancel_needs_a_reason(order_in_status, clerk, reason):
    order = order_in_status(S.PAID)
    before = snapshot(order.pk)

    with pytest.raises(DomainError, match="reason is required"):
        services.order_cancel(actor=clerk, order_id=order.pk, reason=reason)

    assert snapshot(order.pk) == before
