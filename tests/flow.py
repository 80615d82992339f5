"""The order flow as the tests see it: the happy path, and what a service may
change (so that a refused request can be shown to have changed nothing)."""

from django.db.models import Sum
from django.urls import reverse

from aftersales.models import ReturnLine, ReturnRequest
from finance.models import ClosedPeriod, Invoice, Payment, Refund, SettlementBatch, SettlementLine
from inventory.models import StockLevel, StockMovement
from orders.models import STOCK_RESERVED_STATUSES, Order, OrderEvent, OrderLine, OrderStatus

# Each status is reached from the one before it.
HAPPY_PATH = (
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
    OrderStatus.APPROVED,
    OrderStatus.ALLOCATED,
    OrderStatus.PICKING,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
)


def snapshot(order_id=None) -> dict:
    """Everything a service could change: the order's row and timeline, every
    stock level and movement, and the money records."""
    state = {
        "stock": list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved", "quarantined")),
        "movements": StockMovement.objects.count(),
        "payments": Payment.objects.count(),
        "refunds": list(Refund.objects.order_by("pk").values_list("pk", "status", "amount")),
        "invoices": list(Invoice.objects.order_by("pk").values_list("pk", "number", "voided_at")),
        # issue 5: after-sales tickets, settlement files, closed periods
        "tickets": list(ReturnRequest.objects.order_by("pk").values_list("pk", "status", "owner_id", "replacement_order_id")),
        "ticket_lines": list(
            ReturnLine.objects.order_by("pk").values_list("pk", "received_quantity", "sellable_quantity", "damaged_quantity")
        ),
        "orders": Order.objects.count(),
        "settlement": (SettlementBatch.objects.count(), SettlementLine.objects.count()),
        "closed_periods": ClosedPeriod.objects.count(),
    }
    if order_id is not None:
        state["order"] = Order.objects.filter(pk=order_id).values().get()
        state["events"] = list(OrderEvent.objects.filter(order_id=order_id).values_list("pk", flat=True))
    return state


def units_reserved_by_orders() -> dict[tuple[int, int], int]:
    """(warehouse id, SKU id) → units on the lines of orders that hold a reservation."""
    rows = (
        OrderLine.objects.filter(order__status__in=STOCK_RESERVED_STATUSES)
        .values_list("order__warehouse_id", "sku_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {(warehouse_id, sku_id): units for warehouse_id, sku_id, units in rows}


def log_in(client, username: str, password: str) -> bool:
    """Log in as a user does, through the admin's login page (and its brute-force guard)."""
    client.post(reverse("admin:login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session
