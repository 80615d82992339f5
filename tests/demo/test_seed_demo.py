"""manage.py seed_demo: demo users in their roles, data made through the
services (so the stock ledger adds up), nothing duplicated by a second run,
and nothing at all without DEBUG."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum

from inventory.models import SKU, StockLevel, StockMovement
from orders.models import STOCK_RESERVED_STATUSES, Channel, Order, OrderLine, OrderStatus
from tests.flow import log_in

# Enough orders to reach several statuses; the catalogue and its stock cost more than these.
ORDERS = 40
ROLE_OF = {
    "clerk": "Clerk",
    "warehouse": "Warehouse",
    "service": "Customer service",
    "finance": "Finance",
    "supervisor": "Supervisor",
}


@pytest.fixture
def seed(settings):
    """seed() runs seed_demo with DEBUG on and returns what it printed."""
    settings.DEBUG = True

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", orders=ORDERS, stdout=out)
        return out.getvalue()

    return run


def _counts() -> dict:
    return {
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "channels": Channel.objects.count(),
        "skus": SKU.objects.count(),
        "orders": Order.objects.count(),
        "movements": StockMovement.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", orders=ORDERS, stdout=StringIO())

    assert not get_user_model().objects.exists()
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_each_demo_user_logs_in_with_password_demo_and_has_its_role(seed, client):
    seed()

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert log_in(client, "admin", "demo")
    for username, role in ROLE_OF.items():
        user = get_user_model().objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert user.email == f"{username}@demo.orderdesk.local"
        assert user.first_name and user.last_name
        assert list(user.groups.values_list("name", flat=True)) == [role]
        client.logout()
        assert log_in(client, username, "demo"), username


@pytest.mark.django_db
def test_second_run_adds_nothing_and_puts_demo_users_back(seed):
    seed()
    before = _counts()
    assert before["orders"] >= ORDERS  # plus two B2B orders on payment terms and any replacements (issue 5)
    # Given a demo user someone changed: new password, no role.
    clerk = get_user_model().objects.get(username="clerk")
    clerk.set_password("something else")
    clerk.save()
    clerk.groups.clear()

    output = seed()

    assert _counts() == before
    assert "no data added" in output
    clerk = get_user_model().objects.get(username="clerk")
    assert clerk.check_password("demo")
    assert list(clerk.groups.values_list("name", flat=True)) == ["Clerk"]


@pytest.mark.django_db
def test_seeded_data_is_what_the_services_leave_behind(seed):
    seed()

    # Every stock level is the sum of its ledger movements.
    levels = StockLevel.objects.annotate(
        on_hand_moved=Sum("movements__on_hand_delta"), reserved_moved=Sum("movements__reserved_delta")
    )
    assert levels.exists()
    for level in levels:
        assert (level.on_hand, level.reserved) == (level.on_hand_moved, level.reserved_moved), level
        assert 0 <= level.reserved <= level.on_hand, level
    # What is reserved is exactly what the orders holding stock still need.
    reserved = {
        (warehouse_id, sku_id): units
        for warehouse_id, sku_id, units in StockLevel.objects.filter(reserved__gt=0).values_list(
            "warehouse_id", "sku_id", "reserved"
        )
    }
    needed = {
        (warehouse_id, sku_id): units
        for warehouse_id, sku_id, units in OrderLine.objects.filter(order__status__in=STOCK_RESERVED_STATUSES)
        .values_list("order__warehouse_id", "sku_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    }
    assert reserved == needed
    # Every order's timeline starts with its creation, and the orders are spread over the lifecycle.
    without_created = Order.objects.annotate(created_events=Count("events", filter=Q(events__type="created"))).filter(
        created_events=0
    )
    assert not without_created.exists()
    statuses = set(Order.objects.values_list("status", flat=True))
    assert OrderStatus.COMPLETED in statuses
    assert len(statuses) >= 3, statuses
