"""SKUs, warehouses and suppliers, created and edited with a record of who
changed what from what to what (core.record_changes).

``values`` maps field names to their new values, as a validated form gives
them; an edit passes only the fields it changes. A SKU's channel aliases
are not among them: they map waiting order lines (orders.services.sku_alias_*).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core import locks
from core.errors import require_permission
from core.record_changes import record_create, record_update

from ..models import SKU, Supplier, Warehouse

SKU_FIELDS = frozenset({"code", "name", "barcode", "is_active", "supplier"})
WAREHOUSE_FIELDS = frozenset({"code", "name", "address", "regions", "priority", "is_active"})
SUPPLIER_FIELDS = frozenset({"code", "name", "lead_time_days", "contact"})


@transaction.atomic
def sku_create(*, actor, values: dict) -> SKU:
    require_permission(actor, "inventory.add_sku", _("Your role may not add SKUs."))
    return record_create(SKU, actor=actor, values=values, editable=SKU_FIELDS)


@transaction.atomic
def sku_update(*, actor, sku_id: int, values: dict) -> SKU:
    require_permission(actor, "inventory.change_sku", _("Your role may not change SKUs."))
    sku = locks.record_for_update(SKU, sku_id)
    record_update(sku, actor=actor, values=values, editable=SKU_FIELDS)
    return sku


@transaction.atomic
def warehouse_create(*, actor, values: dict) -> Warehouse:
    require_permission(actor, "inventory.add_warehouse", _("Your role may not add warehouses."))
    return record_create(Warehouse, actor=actor, values=values, editable=WAREHOUSE_FIELDS)


@transaction.atomic
def warehouse_update(*, actor, warehouse_id: int, values: dict) -> Warehouse:
    require_permission(actor, "inventory.change_warehouse", _("Your role may not change warehouses."))
    warehouse = locks.record_for_update(Warehouse, warehouse_id)
    record_update(warehouse, actor=actor, values=values, editable=WAREHOUSE_FIELDS)
    return warehouse


@transaction.atomic
def supplier_create(*, actor, values: dict) -> Supplier:
    require_permission(actor, "inventory.add_supplier", _("Your role may not add suppliers."))
    return record_create(Supplier, actor=actor, values=values, editable=SUPPLIER_FIELDS)


@transaction.atomic
def supplier_update(*, actor, supplier_id: int, values: dict) -> Supplier:
    require_permission(actor, "inventory.change_supplier", _("Your role may not change suppliers."))
    supplier = locks.record_for_update(Supplier, supplier_id)
    record_update(supplier, actor=actor, values=values, editable=SUPPLIER_FIELDS)
    return supplier
