"""Purchase requests: drafted by a clerk (by hand or from suggestions),
approved only by a Supervisor, received into stock through the ledger; and
the suggestions themselves, from 30-day demand, 7-day volatility and lead time."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory import services
from inventory.models import MovementKind, PurchaseRequest, PurchaseStatus, ReplenishmentSuggestion, StockLevel, StockMovement, Supplier
from core.errors import DomainError
from orders import services as order_services
from orders.models import OrderStatus
from orders.services import LineInput
from tests.factories import SKUFactory

from .test_stock_conservation import assert_stock_conserved

P = PurchaseStatus


@pytest.fixture
def draft(clerk, warehouse, skus):
    return services.purchase_request_create(actor=clerk, warehouse=warehouse, lines={skus[0]: 10, skus[1]: 4})


def test_a_purchase_goes_from_draft_to_received_and_its_goods_into_stock(draft, clerk, supervisor, warehouse_user, warehouse, skus):
    services.purchase_request_submit(actor=clerk, purchase_request_id=draft.pk)
    services.purchase_request_approve(actor=supervisor, purchase_request_id=draft.pk, note="ok for spring")
    placed = services.purchase_request_place(actor=clerk, purchase_request_id=draft.pk)
    assert placed.expected_at == timezone.localdate() + timedelta(days=7)
    first, second = draft.lines.order_by("sku__code")

    partly = services.purchase_request_receive(actor=warehouse_user, purchase_request_id=draft.pk, quantities={first.pk: 6})
    assert partly.status == P.ORDERED
    done = services.purchase_request_receive(
        actor=warehouse_user, purchase_request_id=draft.pk, quantities={first.pk: 4, second.pk: 4}
    )

    assert (done.status, done.decided_by, done.received_at is not None) == (P.RECEIVED, supervisor, True)
    assert StockLevel.objects.get(warehouse=warehouse, sku=skus[0]).on_hand == 60
    movements = StockMovement.objects.filter(purchase_request=draft)
    assert set(movements.values_list("kind", "reference", "reference_type")) == {(MovementKind.PURCHASE, draft.number, "purchase")}
    assert sum(movements.values_list("on_hand_delta", flat=True)) == 14
    assert_stock_conserved()


def test_only_a_supervisor_approves_and_a_rejection_needs_a_reason(draft, clerk, warehouse_user, supervisor):
    services.purchase_request_submit(actor=clerk, purchase_request_id=draft.pk)
    for actor in (clerk, warehouse_user):
        with pytest.raises(DomainError):
            services.purchase_request_approve(actor=actor, purchase_request_id=draft.pk)
    with pytest.raises(DomainError):
        services.purchase_request_reject(actor=supervisor, purchase_request_id=draft.pk, note=" ")

    rejected = services.purchase_request_reject(actor=supervisor, purchase_request_id=draft.pk, note="too many")

    assert (rejected.status, rejected.decision_note) == (P.REJECTED, "too many")


def test_receiving_more_than_ordered_or_before_ordering_is_refused(draft, clerk, supervisor, warehouse_user):
    line = draft.lines.first()
    with pytest.raises(DomainError, match="only ordered"):
        services.purchase_request_receive(actor=warehouse_user, purchase_request_id=draft.pk, quantities={line.pk: 1})
    services.purchase_request_submit(actor=clerk, purchase_request_id=draft.pk)
    services.purchase_request_approve(actor=supervisor, purchase_request_id=draft.pk)
    services.purchase_request_place(actor=clerk, purchase_request_id=draft.pk)
    movements = StockMovement.objects.count()

    with pytest.raises(DomainError, match="still expected"):
        services.purchase_request_receive(actor=warehouse_user, purchase_request_id=draft.pk, quantities={line.pk: line.quantity + 1})

    assert StockMovement.objects.count() == movements


def test_a_purchase_can_be_cancelled_until_goods_arrive(draft, clerk):
    cancelled = services.purchase_request_cancel(actor=clerk, purchase_request_id=draft.pk, note="supplier closed")
    assert cancelled.status == P.CANCELLED
    with pytest.raises(DomainError):
        services.purchase_request_submit(actor=clerk, purchase_request_id=draft.pk)


def test_suggestions_follow_demand_volatility_and_lead_time_and_become_drafts(order_in_status, clerk, warehouse):
    slow_supplier = Supplier.objects.create(code="far", name="Far away", lead_time_days=20)
    fast, slow = SKUFactory(code="FAST"), SKUFactory(code="SLOW", supplier=slow_supplier)
    for sku in (fast, slow):
        services.stock_receive(actor=None, warehouse=warehouse, sku=sku, quantity=30)
    now = timezone.now()
    for days_ago, quantity in ((1, 9), (2, 1), (3, 8), (10, 2)):
        for sku in (fast, slow):
            order_in_status(
                OrderStatus.SHIPPED,
                lines=[LineInput(title=sku.code, quantity=quantity, unit_price=Decimal("5.00"), sku=sku)],
                placed_at=now - timedelta(days=days_ago),
            )

    count = order_services.replenishment_refresh(now=now)
    again = order_services.replenishment_refresh(now=now)  # safe to run twice

    suggestions = {s.sku.code: s for s in ReplenishmentSuggestion.objects.select_related("sku")}
    assert count == again and set(suggestions) >= {"SLOW"}
    slow_one = suggestions["SLOW"]
    assert (slow_one.demand_30d, slow_one.orders_30d, slow_one.lead_time_days) == (20, 4, 20)
    assert slow_one.volatility_7d > 0
    # 20 units in 30 days with a 20-day lead time: 10 left is below the reorder point.
    assert slow_one.available == 10 and slow_one.quantity > 0
    if "FAST" in suggestions:
        assert suggestions["FAST"].quantity < slow_one.quantity  # the shorter lead time needs less

    drafts = services.purchase_requests_from_suggestions(actor=clerk, suggestion_ids=[slow_one.pk])
    assert [(d.status, d.supplier) for d in drafts] == [(P.DRAFT, slow_supplier)]
    assert list(drafts[0].lines.values_list("sku__code", "quantity")) == [("SLOW", slow_one.quantity)]
    # Units on order count against the next suggestion.
    services.purchase_request_submit(actor=clerk, purchase_request_id=drafts[0].pk)
    order_services.replenishment_refresh(now=now)
    assert not ReplenishmentSuggestion.objects.filter(sku=slow).exists()


def test_purchase_requests_through_the_admin_pages(clerk, supervisor, warehouse, skus):
    from django.test import Client
    from django.urls import reverse

    from inventory.models import PurchaseRequest

    clerk_client, supervisor_client = Client(), Client()
    clerk_client.force_login(clerk)
    supervisor_client.force_login(supervisor)

    refused = clerk_client.post(
        reverse("admin:inventory_purchaserequest_create"), {"warehouse": warehouse.pk, "lines": "TEA-1 12\nNOPE 3"}
    )
    assert "Unknown SKU: NOPE" in refused.content.decode() and not PurchaseRequest.objects.exists()
    clerk_client.post(reverse("admin:inventory_purchaserequest_create"), {"warehouse": warehouse.pk, "lines": "TEA-1 12\nTEA-2\t4"})
    request = PurchaseRequest.objects.get()
    assert sorted(request.lines.values_list("sku__code", "quantity")) == [("TEA-1", 12), ("TEA-2", 4)]
    step = lambda client, name, data=None: client.post(  # noqa: E731
        reverse("admin:inventory_purchaserequest_action", args=[request.pk, name]), {"apply": "1", **(data or {})}
    )

    step(clerk_client, "submit")
    page = clerk_client.get(reverse("admin:inventory_purchaserequest_change", args=[request.pk])).content.decode()
    assert "/do/approve/" not in page
    step(clerk_client, "approve")  # posted anyway: refused by the service
    assert PurchaseRequest.objects.get().status == P.SUBMITTED
    step(supervisor_client, "approve", {"note": "fine"})

    assert PurchaseRequest.objects.get().status == P.APPROVED


def test_refresh_now_and_turn_into_purchase_requests_in_the_admin(order_in_status, clerk, warehouse, client):
    from django.urls import reverse

    sku = SKUFactory(code="WANTED")
    order_in_status(OrderStatus.PAID, lines=[LineInput(title=sku.code, quantity=40, unit_price=Decimal("5.00"), sku=sku)])
    client.force_login(clerk)
    changelist = reverse("admin:inventory_replenishmentsuggestion_changelist")
    assert reverse("admin:inventory_replenishmentsuggestion_refresh") in client.get(changelist).content.decode()

    client.post(reverse("admin:inventory_replenishmentsuggestion_refresh"))
    suggestion = ReplenishmentSuggestion.objects.get(sku=sku)
    assert suggestion.demand_30d == 40
    client.post(changelist, {"action": "create_purchase_requests", "_selected_action": [suggestion.pk]})

    assert list(PurchaseRequest.objects.values_list("status", "lines__sku__code")) == [(P.DRAFT, "WANTED")]
