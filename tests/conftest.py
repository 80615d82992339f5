"""Shared fixtures: roles and their users, reference data, stock, and orders
brought to any status through the real services."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from rest_framework.test import APIClient

from integrations.services import api_key_create
from inventory.services import stock_receive
from orders import services
from orders.models import Order, OrderStatus
from orders.roles import ROLE_PERMISSIONS, SUPERVISOR, roles_setup
from orders.services import LineInput

from .factories import ChannelFactory, SKUFactory, UserFactory, WarehouseFactory, ship_to
from .flow import HAPPY_PATH

ROLE_NAMES = (*ROLE_PERMISSIONS, SUPERVISOR)
STOCK_ON_HAND = 50  # units of each fixture SKU on hand in the main warehouse


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Chinese leaves its language active in the thread: each test starts in the default."""
    yield
    translation.deactivate()


# --- roles and users -----------------------------------------------------------------


@pytest.fixture(scope="session")
def _roles_in_test_database(django_db_setup, django_db_blocker):
    # roles_setup() costs ~0.1 s; run it once for the session's database.
    with django_db_blocker.unblock():
        roles_setup()


@pytest.fixture
def roles(_roles_in_test_database, db):
    """The role groups, set up by ``orders.roles.roles_setup`` (as ``manage.py setup_roles`` does).

    Set up once per session; run again when a transactional test has flushed them away.
    """
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_NAMES)}
    if len(groups) != len(ROLE_NAMES):
        groups = roles_setup()
    return groups


@pytest.fixture
def make_user(roles):
    """make_user("Clerk") → a new staff user in that role's group."""

    def make(role_name: str, **fields):
        return UserFactory(groups=[roles[role_name]], **fields)

    return make


@pytest.fixture
def clerk(make_user):
    return make_user("Clerk", username="clerk")


@pytest.fixture
def warehouse_user(make_user):
    return make_user("Warehouse", username="warehouse")


@pytest.fixture
def service_user(make_user):
    return make_user("Customer service", username="service")


@pytest.fixture
def finance_user(make_user):
    return make_user("Finance", username="finance")


@pytest.fixture
def supervisor(make_user):
    return make_user("Supervisor", username="supervisor")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True)


# --- reference data and stock ----------------------------------------------------------


@pytest.fixture
def channel(db):
    return ChannelFactory(code="tmall-flagship", name="Tmall flagship store")


@pytest.fixture
def warehouse(db):
    """The main warehouse: serves the Yangtze delta, preferred (priority 10)."""
    return WarehouseFactory(code="sh", name="Shanghai", regions=["上海", "江苏", "浙江"], priority=10)


@pytest.fixture
def second_warehouse(db):
    """Serves the south (Guangdong, Guangxi), priority 20; empty unless a test stocks it."""
    return WarehouseFactory(code="gz", name="Guangzhou", regions=["广东", "广西"], priority=20)


@pytest.fixture
def receive_stock(db):
    """receive_stock(warehouse, sku, quantity): goods arrive, through the stock service."""

    def receive(warehouse, sku, quantity: int):
        return stock_receive(actor=None, warehouse=warehouse, sku=sku, quantity=quantity, reference="test receipt")

    return receive


@pytest.fixture
def skus(warehouse, receive_stock):
    """Three SKUs (TEA-1..3), STOCK_ON_HAND units of each in the main warehouse."""
    made = [SKUFactory(code=f"TEA-{n}", name=f"Tea gift box {n}") for n in (1, 2, 3)]
    for sku in made:
        receive_stock(warehouse, sku, STOCK_ON_HAND)
    return made


@pytest.fixture
def sku(skus):
    return skus[0]


# --- orders --------------------------------------------------------------------------------


@pytest.fixture
def order_in_status(channel, skus, clerk, warehouse_user, service_user, supervisor):
    """order_in_status(status, ...) → an Order brought to ``status`` by the real services.

    By default: one line of 2 × TEA-1 at 9.90 (total 19.80) to Shanghai,
    created unpaid by the clerk, then paid by bank transfer and approved
    (clerk), allocated, picked, packed and shipped (warehouse user), delivered
    (customer service) and completed (clerk).

    ``on_hold`` is reached from ``held_from`` (paid or approved), ``cancelled``
    from ``cancelled_from`` (cancelled by the clerk, or by the supervisor once
    stock is reserved). ``lines`` are LineInputs; ``warehouse`` is where to
    allocate (default: the service chooses); other keyword arguments go to
    order_create (ship-to, amounts, customer, placed_at, ...).
    """

    def step(order_id: int, target: str, warehouse) -> None:
        if target == OrderStatus.PAID:
            services.order_mark_paid(actor=clerk, order_id=order_id, reference="bank ref")
        elif target == OrderStatus.APPROVED:
            services.order_approve(actor=clerk, order_id=order_id)
        elif target == OrderStatus.ALLOCATED:
            warehouse_id = warehouse.pk if warehouse else None
            services.order_allocate(actor=warehouse_user, order_id=order_id, warehouse_id=warehouse_id)
        elif target == OrderStatus.PICKING:
            services.order_start_picking(actor=warehouse_user, order_id=order_id)
        elif target == OrderStatus.PACKED:
            services.order_pack(actor=warehouse_user, order_id=order_id)
        elif target == OrderStatus.SHIPPED:
            services.order_ship(
                actor=warehouse_user, order_id=order_id, carrier="SF Express", tracking_number=f"SF{order_id:010d}"
            )
        elif target == OrderStatus.DELIVERED:
            services.order_confirm_delivery(actor=service_user, order_id=order_id)
        elif target == OrderStatus.COMPLETED:
            services.order_complete(actor=clerk, order_id=order_id)
        else:
            raise ValueError(f"order_in_status: no step leads to {target}")

    def build(
        status, *, lines=None, warehouse=None, held_from=OrderStatus.PAID, cancelled_from=OrderStatus.PAID, **details
    ) -> Order:
        status = OrderStatus(status)
        if status == OrderStatus.ON_HOLD:
            order = build(held_from, lines=lines, warehouse=warehouse, **details)
            services.order_hold(actor=clerk, order_id=order.pk, reason="Buyer asked us to wait")
            return Order.objects.get(pk=order.pk)
        if status == OrderStatus.CANCELLED:
            order = build(cancelled_from, lines=lines, warehouse=warehouse, **details)
            actor = supervisor if order.has_stock_reserved() else clerk
            services.order_cancel(actor=actor, order_id=order.pk, reason="Buyer changed their mind")
            return Order.objects.get(pk=order.pk)

        if lines is None:
            lines = [LineInput(title=skus[0].name, quantity=2, unit_price=Decimal("9.90"), sku=skus[0])]
        details = {"placed_at": timezone.now(), **ship_to(), **details}
        order = services.order_create(actor=clerk, channel=channel, lines=lines, **details)
        for target in HAPPY_PATH[1 : HAPPY_PATH.index(status) + 1]:
            step(order.pk, target, warehouse)
        # A fresh instance: refresh_from_db() is refused on the protected status field.
        return Order.objects.get(pk=order.pk)

    return build


# --- tests that need a real PostgreSQL server --------------------------------------------


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgres`` tests (real row locks, many connections) run in
    the PostgreSQL pass of CI; on SQLite they are reported as skipped, with why."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs when DATABASE_URL points at one (.ci/run does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# --- the REST API ----------------------------------------------------------------------


@pytest.fixture
def api_as(roles, superuser):
    """api_as("Warehouse") → a DRF APIClient sending a new API key of that role
    (``client.api_key`` is the key, ``client.user`` the user it acts as)."""
    def make(role_name: str, **key_fields):
        api_key, plaintext = api_key_create(
            actor=superuser, name=f"{role_name} system", role=roles[role_name], **key_fields
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        client.api_key, client.user, client.plaintext = api_key, api_key.user, plaintext
        return client

    return make
