"""The roles, as Groups with exactly these permissions (set idempotently by
``manage.py setup_roles``, which ``seed_demo`` also runs)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import locks
from core.errors import require_permission
from core.record_changes import actor_name, record_changed, record_changes_of

ORDER_READ = [
    "orders.view_order",
    "orders.view_orderline",
    "orders.view_orderevent",
    "orders.view_channel",
]
STOCK_READ = ["inventory.view_warehouse", "inventory.view_sku", "inventory.view_skualias", "inventory.view_stocklevel", "inventory.view_stockmovement"]
FINANCE_READ = ["finance.view_payment", "finance.view_refund", "finance.view_invoice"]
PURCHASING_READ = [
    "inventory.view_supplier",
    "inventory.view_purchaserequest",
    "inventory.view_purchaserequestline",
    "inventory.view_replenishmentsuggestion",
]
AFTERSALES_READ = ["aftersales.view_returnrequest", "aftersales.view_returnline", "aftersales.view_ticketsla"]
# issue 5: settlement files, their lines and closed periods (Finance's own screens)
SETTLEMENT_READ = [
    "finance.view_settlementbatch",
    "finance.view_settlementline",
    "finance.view_closedperiod",
    "finance.view_refundline",
]

ROLE_PERMISSIONS = {
    # Runs the order flow end to end, from payment to completion.
    "Clerk": [
        *ORDER_READ,
        *STOCK_READ,
        *AFTERSALES_READ,
        "orders.view_customer",
        "orders.add_order",
        "orders.change_order",
        "orders.view_buyer_contact",
        "orders.view_order_amounts",
        "orders.mark_order_paid",
        "orders.approve_order",
        "orders.allocate_order",
        "orders.pick_order",
        "orders.pack_order",
        "orders.ship_order",
        "orders.confirm_delivery",
        "orders.complete_order",
        "orders.hold_order",
        "orders.release_order",
        "orders.cancel_order",
        "orders.flag_exception",
        "orders.resolve_exception",
        "inventory.add_skualias",
        "inventory.change_skualias",
        # issue 4: merge/split, purchasing (a Supervisor approves)
        "orders.merge_orders",
        *PURCHASING_READ,
        "inventory.add_purchaserequest",
        "inventory.change_purchaserequest",
        "inventory.submit_purchaserequest",
        "inventory.order_purchaserequest",
        "inventory.cancel_purchaserequest",
        # order files in and out (issue 3)
        "orders.view_importbatch",
        "orders.view_unmappedline",
        "orders.import_orders",
        "orders.import_tracking",
        "orders.export_orders",
        "orders.record_outside_shipment",
    ],
    # Allocates, picks, packs and ships; never sees phones, prices or amounts.
    "Warehouse": [
        *ORDER_READ,
        *STOCK_READ,
        "orders.allocate_order",
        "orders.pick_order",
        "orders.pack_order",
        "orders.ship_order",
        "orders.flag_exception",
        "inventory.receive_stock",
        # issue 4: the warehouse screens, stock corrections, purchases to receive
        "inventory.use_warehouse_screens",
        "inventory.view_wave",
        "inventory.adjust_stock",
        "inventory.count_stock",
        "inventory.change_stocklevel",
        "inventory.view_stockcount",
        *PURCHASING_READ,
        # issue 5: returned goods are received and inspected in the warehouse (no money shown)
        "aftersales.view_returnrequest",
        "aftersales.view_returnline",
        "aftersales.receive_return",
        "aftersales.inspect_return",
        # tracking files in, order and stock files out, without phones or money (issue 3)
        "orders.view_importbatch",
        "orders.import_tracking",
        "orders.export_orders",
    ],
    # Talks to buyers: holds orders, corrects addresses, opens returns; no allocation or shipping.
    "Customer service": [
        *ORDER_READ,
        *AFTERSALES_READ,
        *FINANCE_READ,
        "orders.view_customer",
        "orders.change_order",
        "orders.view_buyer_contact",
        "orders.view_order_amounts",
        "orders.hold_order",
        "orders.release_order",
        "orders.confirm_delivery",
        "orders.flag_exception",
        "orders.resolve_exception",
        "aftersales.open_return",
        "inventory.view_sku",
        # issue 5: the after-sales ticket from approval to closing
        "aftersales.approve_return",
        "aftersales.cancel_return",
        "aftersales.assign_return",
        "aftersales.refund_return",
        "aftersales.replace_return",
        "aftersales.close_return",
        "inventory.view_warehouse",
        "orders.export_orders",  # issue 3
    ],
    # Sees money and works the money records; runs no order transition.
    "Finance": [
        *ORDER_READ,
        *AFTERSALES_READ,
        *FINANCE_READ,
        "orders.view_customer",
        "orders.change_customer",
        "orders.change_credit_limit",  # not the payment terms: a Supervisor's (orders.permissions)
        "orders.view_order_amounts",
        "finance.approve_refund",
        "finance.pay_refund",
        "finance.issue_invoice",
        "finance.void_invoice",
        # issue 5: settlements, reconciliation, period close, money on account, credit review
        *SETTLEMENT_READ,
        "finance.add_settlementbatch",
        "finance.close_period",
        "finance.receive_payment",
        "orders.decide_credit",
        "orders.export_orders",  # issue 3: with amounts, without phones
    ],
}
# Supervisor: everything in our apps, including what the others may not
# (cancelling an order whose stock is reserved, say).
SUPERVISOR = "Supervisor"
OUR_APPS = ("orders", "inventory", "aftersales", "finance", "integrations")


def _permissions(codes: list[str]) -> list[Permission]:
    query = Q()
    for code in codes:
        app_label, codename = code.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    missing = set(codes) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(f"Unknown permissions (run migrate first?): {sorted(missing)}")
    return found


@transaction.atomic
def roles_setup(*, actor=None) -> dict[str, Group]:
    """Create or correct the role groups; safe to run any number of times.
    Each group whose permissions it changes gets a record of them, old and new."""
    targets = {name: _permissions(codes) for name, codes in ROLE_PERMISSIONS.items()}
    targets[SUPERVISOR] = Permission.objects.filter(content_type__app_label__in=OUR_APPS)
    groups = {}
    for name, permissions in targets.items():
        group, created = Group.objects.get_or_create(name=name)
        if changed := _set_permissions(group, permissions):
            record_changed(group, actor=actor, changes={"permissions": changed}, created=created)
        groups[name] = group
    return groups


def _set_permissions(group: Group, permissions) -> list | None:
    """Give the group these permissions; [before, after] as "app.codename" lists if that changed them."""
    before = _codes(group.permissions.all())
    group.permissions.set(permissions)
    after = _codes(group.permissions.all())
    return [before, after] if after != before else None


def _codes(permissions) -> list[str]:
    return sorted(f"{app}.{code}" for app, code in permissions.values_list("content_type__app_label", "codename"))


@transaction.atomic
def role_update(*, actor, group_id: int, name: str, permissions) -> Group:
    """A group's name and permissions, as a Supervisor edits them in the admin:
    what changes is recorded, old and new (core.RecordChange), as setup_roles does."""
    require_permission(actor, "auth.change_group", _("Your role may not change roles."))
    group = locks.record_for_update(Group, group_id)
    changes = {}
    if group.name != name:
        changes["name"] = [group.name, name]
        group.name = name
        group.save(update_fields=["name"])
    if changed := _set_permissions(group, permissions):
        changes["permissions"] = changed
    if changes:
        record_changed(group, actor=actor, changes=changes)
    return group


def role_permission_changes(group: Group) -> list[dict]:
    """The group's recorded changes, newest first: when, by whom, the permissions added and removed."""
    rows = []
    for change in record_changes_of(group):
        before, after = change.changes.get("permissions", [[], []])
        rows.append(
            {
                "at": change.at,
                "actor": actor_name(change),
                "name": change.changes.get("name"),
                "added": sorted(set(after) - set(before)),
                "removed": sorted(set(before) - set(after)),
            }
        )
    return rows
