"""The demo warehouse (issue 4): suppliers with lead times, bin locations and
safety stock on every stock level, carriers the platforms fix in advance, and
purchases at each step of approval, so that the warehouse screens and the
replenishment pages have something real to show. Changes go through the
inventory services, like the rest of the demo."""

import random

from inventory import services as stock_services
from inventory.models import SKU, ReplenishmentSuggestion, StockLevel, Supplier

from orders import services as order_services

# category: (supplier code, name, lead time in days, aisle)
SUPPLIERS = {
    "TEA": ("hz-tea", "杭州茶源供应链有限公司", 10, "A"),
    "COS": ("gz-beauty", "广州美研化妆品有限公司", 12, "B"),
    "APP": ("nb-apparel", "宁波织造服饰有限公司", 15, "C"),
    "ELE": ("sz-digital", "深圳华强电子配件有限公司", 7, "D"),
    "HOM": ("jdz-home", "景德镇家居用品有限公司", 10, "E"),
    "FOD": ("cd-food", "成都天府食品有限公司", 5, "F"),
}
# Channels whose platform fixes the carrier when the order is placed.
PRESET_CARRIERS = {"jd": "京东物流", "manual": "顺丰速运"}


def suppliers_setup(items) -> None:
    """One supplier per category; every SKU bought from its category's supplier (reference data)."""
    suppliers = {
        category: Supplier.objects.update_or_create(code=code, defaults={"name": name, "lead_time_days": lead})[0]
        for category, (code, name, lead, _aisle) in SUPPLIERS.items()
    }
    for category, supplier in suppliers.items():
        SKU.objects.filter(code__in=[item.code for item in items if item.category == category]).update(supplier=supplier)


def bins_setup(*, items, actor, seed: int) -> None:
    """A bin for every stock level (aisle by category, then bay and shelf) and a little safety stock."""
    rng = random.Random(f"{seed}:bins")
    category = {item.code: item.category for item in items}
    levels = StockLevel.objects.select_related("sku", "warehouse").order_by("warehouse__code", "sku__code")
    bays = {}
    for level in levels:
        aisle = SUPPLIERS[category.get(level.sku.code, "HOM")][3]
        key = (level.warehouse_id, aisle)
        bays[key] = bays.get(key, 0) + 1
        bay, shelf = divmod(bays[key] - 1, 4)
        stock_services.stock_level_update_settings(
            actor=actor,
            level_id=level.pk,
            safety_stock=rng.choice((0, 2, 3, 5)),
            location=f"{aisle}-{bay + 1:02d}-{shelf + 1}",
        )


def purchasing_setup(*, staff, now) -> None:
    """Suggestions as of now, and purchases drafted from them: one ordered (to
    receive on the warehouse screens), one waiting for a Supervisor."""
    order_services.replenishment_refresh(now=now)
    suggestions = list(ReplenishmentSuggestion.objects.select_related("warehouse", "sku").order_by("-quantity")[:12])
    if not suggestions:
        return
    drafts = stock_services.purchase_requests_from_suggestions(
        actor=staff.clerk, suggestion_ids=[suggestion.pk for suggestion in suggestions], at=now
    )
    for number, draft in enumerate(drafts):
        stock_services.purchase_request_submit(actor=staff.clerk, purchase_request_id=draft.pk, at=now)
        if number % 2 == 0:
            stock_services.purchase_request_approve(actor=staff.supervisor, purchase_request_id=draft.pk, at=now)
            stock_services.purchase_request_place(actor=staff.clerk, purchase_request_id=draft.pk, at=now)
    order_services.replenishment_refresh(now=now)
