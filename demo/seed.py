"""Demo data for ``manage.py seed_demo``: staff users in their roles, the demo
seller's shops, warehouses, products and stock, and two months of orders.

Orders, stock, payments, refunds, invoices and returns are made only through
the services, so the demo database looks exactly like one that was used.
"""

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from aftersales.models import ReturnRequest
from finance.models import Invoice, Refund
from inventory.models import MovementKind, StockMovement
from inventory.services import stock_receive
from orders.models import Order
from orders.roles import roles_setup

from .catalogue import CHANNELS, NEW_ARRIVAL_DAYS, WAREHOUSES, reference_data_setup
from .histories import OrderHistory, Staff
from .money import finance_demo_seed
from .people import PlatformOrderIds
from .plans import DAYS, order_plans
from .tickets import tickets_progress
from .warehouse import bins_setup, purchasing_setup, suppliers_setup

DEMO_PASSWORD = "demo"
DEMO_EMAIL_DOMAIN = "demo.orderdesk.local"
# username, role group (None: superuser), last name, first name.
DEMO_USERS = [
    ("admin", None, "周", "明"),
    ("clerk", "Clerk", "陈", "静"),
    ("warehouse", "Warehouse", "张", "伟"),
    ("service", "Customer service", "李", "娜"),
    ("finance", "Finance", "刘", "芳"),
    ("supervisor", "Supervisor", "赵", "强"),
]
DEFAULT_ORDERS = 2400
DEFAULT_SEED = 20250101
# Received against the demand planned for each warehouse, plus a margin, so
# that regular SKUs never run short; new arrivals get a fraction of theirs.
STOCK_MARGIN = 1.3
NEW_ARRIVAL_STOCK_SHARE = 0.45


@dataclass
class Summary:
    statuses: dict[str, int]
    open_exceptions: dict[str, int]
    skus: int = 0
    receipts: int = 0
    invoices: int = 0
    refunds: int = 0
    returns: int = 0
    finance_notes: list[str] = field(default_factory=list)


@transaction.atomic
def demo_users_setup() -> tuple[Staff, list[str]]:
    """Create the demo users or put them back as they should be; returns them and the new usernames."""
    groups = roles_setup()
    User = get_user_model()
    users, created_names = {}, []
    for username, group_name, last_name, first_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user.is_active = user.is_staff = True
        user.is_superuser = group_name is None
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([groups[group_name]] if group_name else [])
        users[username] = user
        if created:
            created_names.append(username)
    return Staff(**users), created_names


def demo_orders_exist() -> bool:
    return Order.objects.filter(channel__code__in=[code for code, *_rest in CHANNELS]).exists()


def _serving_warehouse(plan) -> str:
    for code, _name, _address, regions, _priority in WAREHOUSES:
        if plan.ship_to["ship_province"] in regions or plan.ship_to["ship_country"] in regions:
            return code
    return WAREHOUSES[0][0]


def stock_setup(*, plans, items, warehouses, actor, now: datetime, seed: int) -> None:
    """Receive the opening stock, through the stock service, before the first order."""
    rng = random.Random(f"{seed}:stock")
    demand = Counter()
    for plan in plans:
        warehouse = _serving_warehouse(plan)
        for item, quantity in plan.lines:
            demand[warehouse, item.code] += quantity
    opening = now - timedelta(days=DAYS + 2)
    first_delivery = now - timedelta(days=NEW_ARRIVAL_DAYS + 1)
    for number, item in enumerate(items, start=1):
        if item.is_new:
            wanted = sum(demand[code, item.code] for code in warehouses)
            quantities = {"sh": max(2, round(wanted * NEW_ARRIVAL_STOCK_SHARE))}
            at, reason = first_delivery, "新品首批到货"
        else:
            quantities = {
                code: math.ceil(demand[code, item.code] * STOCK_MARGIN) + rng.randint(12, 40) for code in warehouses
            }
            at, reason = opening, "期初库存"
        for code, quantity in quantities.items():
            stock_receive(
                actor=actor,
                warehouse=warehouses[code],
                sku=item.sku,
                quantity=quantity,
                reference=f"RK{at:%Y%m%d}{number:04d}",
                reason=reason,
                at=at,
            )


def demo_seed(*, staff: Staff, orders: int, seed: int, now: datetime, progress=None) -> Summary:
    """Everything after the users, in one transaction: all of it, or none if it fails."""
    with transaction.atomic():
        channels, warehouses, customers, items = reference_data_setup(seed)
        plans = order_plans(count=orders, seed=seed, now=now, items=items, customers=customers)
        stock_setup(plans=plans, items=items, warehouses=warehouses, actor=staff.admin, now=now, seed=seed)
        # issue 4: suppliers, bins and safety stock for the warehouse screens and replenishment
        suppliers_setup(items)
        bins_setup(items=items, actor=staff.admin, seed=seed)
        platform_ids = PlatformOrderIds()
        documents = []
        for done, plan in enumerate(plans, start=1):
            history = OrderHistory(
                plan, channels=channels, warehouses=warehouses, platform_ids=platform_ids, staff=staff, now=now
            )
            documents += history.play()
            if progress and done % 500 == 0:
                progress(done, len(plans))
        for _at, _index, issue in sorted(documents, key=lambda document: document[:2]):
            issue()
        purchasing_setup(staff=staff, now=now)  # issue 4
        # issue 5: after-sales tickets worked, B2B terms, settlement files, a closed month.
        tickets_progress(staff=staff, now=now, seed=seed)
        finance_notes = finance_demo_seed(staff=staff, now=now, seed=seed)
    demo_orders = Order.objects.filter(channel__in=channels.values())
    return Summary(
        statuses=dict(demo_orders.values_list("status").annotate(n=Count("id")).order_by("status")),
        open_exceptions=dict(
            demo_orders.with_open_exception().values_list("exception_reason").annotate(n=Count("id")).order_by()
        ),
        skus=len(items),
        receipts=StockMovement.objects.filter(kind=MovementKind.RECEIPT).count(),
        invoices=Invoice.objects.filter(order__in=demo_orders).count(),
        refunds=Refund.objects.filter(order__in=demo_orders).count(),
        returns=ReturnRequest.objects.filter(order__in=demo_orders).count(),
        finance_notes=finance_notes,
    )
