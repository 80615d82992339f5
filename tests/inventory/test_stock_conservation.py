"""Stock is conserved: whatever happens to orders and stock, every stock level
equals the sum of its ledger, never reserves more than is on hand, and reserves
exactly what the orders holding a reservation in that warehouse need."""

from decimal import Decimal
from itertools import product

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inventory.models import MovementKind, StockLevel, StockMovement
from inventory.services import stock_receive
from orders import services
from core.errors import DomainError
from orders.models import Order, OrderEvent, OrderLine, OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory, ship_to
from tests.flow import snapshot, units_reserved_by_orders

S = OrderStatus
PROVINCES = ("上海", "广东", "北京")  # served by the main warehouse, by the second one, by neither


def assert_stock_conserved():
    levels = StockLevel.objects.select_related("sku", "warehouse").annotate(
        ledger_on_hand=Coalesce(Sum("movements__on_hand_delta"), 0),
        ledger_reserved=Coalesce(Sum("movements__reserved_delta"), 0),
        ledger_quarantined=Coalesce(Sum("movements__quarantined_delta"), 0),
    )
    reserved_by_orders = units_reserved_by_orders()
    for level in levels:
        where = f"{level.sku.code} @ {level.warehouse.code}"
        assert level.on_hand == level.ledger_on_hand, where
        assert level.reserved == level.ledger_reserved, where
        assert level.quarantined == level.ledger_quarantined, where
        assert 0 <= level.reserved <= level.on_hand, where
        assert level.reserved == reserved_by_orders.pop((level.warehouse_id, level.sku_id), 0), where
    assert reserved_by_orders == {}, "orders hold stock where there is no stock level"


def world_state() -> dict:
    return {
        **snapshot(),
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "warehouse_id", "updated_at")),
        "events": OrderEvent.objects.count(),
    }


# --- operations, as data hypothesis can generate and shrink --------------------------------------

order_index = st.integers(min_value=0, max_value=5)  # taken modulo the number of orders so far
new_order = st.tuples(
    st.just("create"),
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 6)), min_size=1, max_size=3),  # (SKU, units) per line
    st.sampled_from(PROVINCES),
    st.booleans(),  # paid on the platform
)


def advance():
    """The next 2..7 steps of the happy path for one order."""
    return st.tuples(st.just("advance"), order_index, st.integers(2, 7))


operations = st.lists(
    st.one_of(
        *[advance() for _ in range(3)],  # distinct objects: one_of would merge repeats of one strategy
        new_order,
        st.tuples(st.just("allocate_in"), order_index, st.integers(0, 1)),  # in a named warehouse
        st.tuples(st.just("ship"), order_index),
        st.tuples(st.just("cancel"), order_index),
        st.tuples(st.just("receive"), st.integers(0, 1), st.integers(0, 2), st.integers(-1, 8)),
        # issue 4: undoing allocations, splitting off a unit and putting it back
        st.tuples(st.just("deallocate"), order_index),
        st.tuples(st.just("split"), order_index),
        st.tuples(st.just("unsplit"), order_index),
    ),
    min_size=2,
    max_size=6,
)
initial_stock = st.lists(st.integers(0, 8), min_size=6, max_size=6)  # per (warehouse, SKU)


class World:
    """A few SKUs in two warehouses, and the orders made so far."""

    def __init__(self, *, actor, channel, warehouses, skus):
        self.actor, self.channel, self.warehouses, self.skus = actor, channel, warehouses, skus
        self.orders: list[int] = []

    def order_id(self, index):
        return self.orders[index % len(self.orders)] if self.orders else None

    def run(self, operation) -> bool:
        """Run one operation; False if there was nothing to run it on."""
        name, *args = operation
        if name == "receive":
            warehouse, sku, quantity = args
            stock_receive(actor=self.actor, warehouse=self.warehouses[warehouse], sku=self.skus[sku], quantity=quantity)
            return True
        if name == "create":
            lines, province, paid = args
            order = services.order_create(
                actor=self.actor,
                channel=self.channel,
                lines=[
                    LineInput(title=self.skus[sku].name, quantity=units, unit_price=Decimal("10.00"), sku=self.skus[sku])
                    for sku, units in lines
                ],
                placed_at=timezone.now(),
                paid_at=timezone.now() if paid else None,
                **ship_to(ship_province=province),
            )
            self.orders.append(order.pk)
            return True
        order_id = self.order_id(args[0])
        if order_id is None:
            return False
        actor = self.actor
        if name == "allocate_in":
            services.order_allocate(actor=actor, order_id=order_id, warehouse_id=self.warehouses[args[1]].pk)
        elif name == "ship":
            services.order_ship(actor=actor, order_id=order_id, carrier="SF Express", tracking_number="SF1")
        elif name == "cancel":
            services.order_cancel(actor=actor, order_id=order_id, reason="Test cancel")
        elif name == "deallocate":
            services.order_deallocate(actor=actor, order_id=order_id)
        elif name == "split":
            line = OrderLine.objects.filter(order_id=order_id).order_by("id").first()
            child = services.order_split(actor=actor, order_id=order_id, quantities={line.pk: 1})
            self.orders.append(child.pk)
        elif name == "unsplit":
            services.order_unsplit(actor=actor, order_id=order_id)
        elif name == "advance":
            status = Order.objects.values_list("status", flat=True).get(pk=order_id)
            next_step = {
                S.PENDING_PAYMENT: lambda: services.order_mark_paid(actor=actor, order_id=order_id),
                S.PAID: lambda: services.order_approve(actor=actor, order_id=order_id),
                S.APPROVED: lambda: services.order_allocate(actor=actor, order_id=order_id),
                S.ALLOCATED: lambda: services.order_start_picking(actor=actor, order_id=order_id),
                S.PICKING: lambda: services.order_pack(actor=actor, order_id=order_id),
                S.PACKED: lambda: services.order_ship(
                    actor=actor, order_id=order_id, carrier="SF Express", tracking_number="SF2"
                ),
                S.SHIPPED: lambda: services.order_confirm_delivery(actor=actor, order_id=order_id),
            }.get(status)
            if next_step is None:
                return False
            next_step()
        return True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(initial=initial_stock, first_orders=st.lists(new_order, min_size=1, max_size=3), ops=operations)
def test_stock_is_conserved_whatever_happens_to_orders_and_stock(
    supervisor, channel, warehouse, second_warehouse, initial, first_orders, ops
):
    # Each example runs in its own transaction, rolled back at the end.
    with transaction.atomic():
        skus = [SKUFactory(code=f"HYP-{n}") for n in range(3)]
        world = World(actor=supervisor, channel=channel, warehouses=[warehouse, second_warehouse], skus=skus)
        for (place, sku), quantity in zip(product(world.warehouses, skus), initial):
            if quantity:
                stock_receive(actor=supervisor, warehouse=place, sku=sku, quantity=quantity)

        state, seen = world_state(), set()
        for operation in [*first_orders, *ops]:
            # An "advance" runs one step at a time, each checked on its own, until one is refused.
            name, steps = operation[0], operation[2] if operation[0] == "advance" else 1
            step = operation[:2] if name == "advance" else operation
            for _ in range(steps):
                try:
                    ran = world.run(step)
                except DomainError:
                    event(f"{name}: refused")
                    assert world_state() == state, f"refused {step} changed something"
                    ran = False
                else:
                    event(f"{name}: {'done' if ran else 'nothing to do'}")
                    state = world_state()
                    seen.update(status for _pk, status, *_rest in state["orders"])
                assert_stock_conserved()
                if not ran:
                    break
        for status in sorted(seen):
            event(f"an order was {status}")
        transaction.set_rollback(True)


def test_shipping_takes_the_reserved_units_off_the_shelf(order_in_status, sku, warehouse):
    order = order_in_status(S.SHIPPED, lines=[LineInput(title="Tea", quantity=4, unit_price=Decimal("9.90"), sku=sku)])

    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (46, 0)
    assert list(
        StockMovement.objects.filter(order=order).order_by("pk").values_list("kind", "on_hand_delta", "reserved_delta")
    ) == [(MovementKind.RESERVE, 0, 4), (MovementKind.SHIP, -4, -4)]
    assert_stock_conserved()


def test_allocation_reserves_each_sku_once_for_all_its_lines(order_in_status, skus, warehouse):
    lines = [
        LineInput(title="Tea 1, red box", quantity=2, unit_price=Decimal("9.90"), sku=skus[0]),
        LineInput(title="Tea 2", quantity=1, unit_price=Decimal("19.90"), sku=skus[1]),
        LineInput(title="Tea 1, gift wrap", quantity=3, unit_price=Decimal("10.90"), sku=skus[0]),
    ]

    order = order_in_status(S.ALLOCATED, lines=lines)

    assert dict(StockLevel.objects.filter(warehouse=warehouse).values_list("sku__code", "reserved")) == {
        "TEA-1": 5,
        "TEA-2": 1,
        "TEA-3": 0,
    }
    assert StockMovement.objects.filter(order=order, kind=MovementKind.RESERVE).count() == 2
    assert_stock_conserved()


def test_receiving_stock_adds_to_on_hand_and_writes_a_receipt(warehouse_user, second_warehouse, sku):
    level = stock_receive(
        actor=warehouse_user, warehouse=second_warehouse, sku=sku, quantity=12, reference="PO-7", reason="Spring restock"
    )

    assert (level.on_hand, level.reserved) == (12, 0)
    movement = StockMovement.objects.get(stock_level=level)
    assert (movement.kind, movement.on_hand_delta, movement.reference, movement.actor) == (
        MovementKind.RECEIPT,
        12,
        "PO-7",
        warehouse_user,
    )


def test_receiving_nothing_or_by_a_role_without_permission_is_refused(clerk, warehouse_user, warehouse, sku):
    before = snapshot()

    for actor, quantity, error in [(warehouse_user, 0, DomainError), (warehouse_user, -3, DomainError), (clerk, 5, DomainError)]:
        try:
            stock_receive(actor=actor, warehouse=warehouse, sku=sku, quantity=quantity)
        except error:
            pass
        else:
            raise AssertionError(f"receiving {quantity} by {actor} was accepted")

    assert snapshot() == before
