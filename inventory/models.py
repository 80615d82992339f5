"""Inventory: warehouses, SKUs and their channel aliases, stock and its ledger.

Stock levels change only through ``inventory.services``, each change written
as a StockMovement in the same transaction, so for every stock level
on_hand == Σ on_hand_delta, reserved == Σ reserved_delta and
quarantined == Σ quarantined_delta.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

# A SKU without a supplier (or whose supplier has no lead time) is assumed to arrive this many days after ordering.
DEFAULT_LEAD_TIME_DAYS = 7


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=255, blank=True)
    regions = models.JSONField(
        _("regions served"),
        default=list,
        blank=True,
        help_text=_("Provinces (e.g. 上海) and country codes (e.g. US) this warehouse ships to."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are preferred when several warehouses could ship.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "code"]

    def __str__(self):
        return self.name

    def serves(self, *, province: str, country: str) -> bool:
        return province in self.regions or country in self.regions


class Supplier(models.Model):
    """Who we buy a SKU from, and how long their goods take to arrive."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), default=DEFAULT_LEAD_TIME_DAYS, help_text=_("From ordering to goods on the shelf.")
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SKU(models.Model):
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    supplier = models.ForeignKey(
        Supplier, models.SET_NULL, null=True, blank=True, related_name="skus", verbose_name=_("supplier")
    )

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def lead_time_days(self) -> int:
        return self.supplier.lead_time_days if self.supplier_id else DEFAULT_LEAD_TIME_DAYS


class SKUAlias(models.Model):
    """A channel's own code for one of our SKUs (商家编码 / seller SKU)."""

    channel = models.ForeignKey("orders.Channel", models.CASCADE, related_name="sku_aliases", verbose_name=_("channel"))
    platform_sku_code = models.CharField(_("platform SKU code"), max_length=100)
    sku = models.ForeignKey(SKU, models.CASCADE, related_name="aliases", verbose_name=_("SKU"))

    class Meta:
        verbose_name = _("SKU alias")
        verbose_name_plural = _("SKU aliases")
        constraints = [
            models.UniqueConstraint(fields=["channel", "platform_sku_code"], name="sku_alias_unique_per_channel")
        ]

    def __str__(self):
        return f"{self.channel.code}:{self.platform_sku_code} → {self.sku.code}"


class StockLevel(models.Model):
    warehouse = models.ForeignKey(Warehouse, models.PROTECT, related_name="stock_levels", verbose_name=_("warehouse"))
    sku = models.ForeignKey(SKU, models.PROTECT, related_name="stock_levels", verbose_name=_("SKU"))
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    safety_stock = models.PositiveIntegerField(
        _("safety stock"), default=0, help_text=_("Units kept back from the channels: not offered for sale.")
    )
    quarantined = models.IntegerField(
        _("quarantined"),
        default=0,
        help_text=_("Units set aside (damaged returns): in the building, not sellable, not on hand."),
    )
    location = models.CharField(_("bin location"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["warehouse", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "sku"], name="stock_level_unique_per_warehouse"),
            # The database itself refuses an oversell, whatever the code above it does.
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=F("on_hand")),
                name="stock_level_reserved_within_on_hand",
            ),
            models.CheckConstraint(condition=Q(quarantined__gte=0), name="stock_level_quarantined_not_negative"),
        ]
        permissions = [("receive_stock", _("Can receive stock into a warehouse"))]

    def __str__(self):
        return f"{self.sku.code} @ {self.warehouse.code}"

    @property
    def available(self) -> int:
        """Units that can still be allocated to orders."""
        return self.on_hand - self.reserved

    @property
    def available_to_sell(self) -> int:
        """Units offered to the channels: available less safety stock, never below zero."""
        return max(self.available - self.safety_stock, 0)


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ADJUSTMENT = "adjustment", _("Adjustment")
    RESERVE = "reserve", _("Reserved for order")
    RELEASE = "release", _("Reservation released")
    SHIP = "ship", _("Shipped")
    RETURN = "return", _("Returned to stock")
    QUARANTINE = "quarantine", _("Returned to quarantine")
    COUNT = "count", _("Stock count correction")
    PURCHASE = "purchase", _("Purchase received")
    IMPORT = "import", _("Stock level import")


class ReferenceType(models.TextChoices):
    """What a stock movement answers to."""

    ORDER = "order", _("Order")
    RETURN = "return", _("Return")
    PURCHASE = "purchase", _("Purchase")
    COUNT = "count", _("Stock count")
    RECEIPT = "receipt", _("Delivery note")
    ADJUSTMENT = "adjustment", _("Adjustment")
    IMPORT = "import", _("Import file")


class AdjustmentReason(models.TextChoices):
    DAMAGED = "damaged", _("Damaged in the warehouse")
    LOST = "lost", _("Lost or stolen")
    FOUND = "found", _("Found")
    EXPIRED = "expired", _("Expired")
    SAMPLE = "sample", _("Taken as a sample")
    CORRECTION = "correction", _("Booking error corrected")
    OTHER = "other", _("Other")


class StockMovement(models.Model):
    """The stock ledger: one row per change, never updated or deleted."""

    stock_level = models.ForeignKey(StockLevel, models.PROTECT, related_name="movements", verbose_name=_("stock"))
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    quarantined_delta = models.IntegerField(_("quarantined change"), default=0)
    order = models.ForeignKey(
        "orders.Order", models.PROTECT, null=True, blank=True, related_name="stock_movements", verbose_name=_("order")
    )
    reference_type = models.CharField(_("reference type"), max_length=16, choices=ReferenceType.choices, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    purchase_request = models.ForeignKey(
        "PurchaseRequest",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("purchase request"),
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "created_at"], name="stock_movement_kind_time_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.stock_level} ({self.on_hand_delta:+d}/{self.reserved_delta:+d})"


class StockCount(models.Model):
    """One counted stock level: what the books said, what was on the shelf, and
    the COUNT movement that put the books right (none when they agreed)."""

    stock_level = models.ForeignKey(StockLevel, models.PROTECT, related_name="counts", verbose_name=_("stock"))
    expected = models.IntegerField(_("on hand in the books"))
    counted = models.PositiveIntegerField(_("counted"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("counted by")
    )
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-id"]
        permissions = [
            ("adjust_stock", _("Can adjust stock with a reason")),
            ("count_stock", _("Can record stock counts and import stock levels")),
        ]

    def __str__(self):
        return f"CNT-{self.pk}"

    @property
    def difference(self) -> int:
        return self.counted - self.expected


# --- replenishment ---------------------------------------------------------------------------


class ReplenishmentSuggestion(models.Model):
    """What to buy for one SKU in one warehouse, refreshed nightly from demand."""

    warehouse = models.ForeignKey(Warehouse, models.CASCADE, related_name="+", verbose_name=_("warehouse"))
    sku = models.ForeignKey(SKU, models.CASCADE, related_name="replenishment_suggestions", verbose_name=_("SKU"))
    demand_30d = models.PositiveIntegerField(_("units ordered, 30 days"))
    orders_30d = models.PositiveIntegerField(_("orders, 30 days"))
    daily_demand = models.DecimalField(_("units per day"), max_digits=10, decimal_places=2)
    volatility_7d = models.DecimalField(
        _("7-day volatility"), max_digits=10, decimal_places=2, help_text=_("Standard deviation of daily units, last 7 days.")
    )
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"))
    reorder_point = models.PositiveIntegerField(_("reorder point"))
    available = models.IntegerField(_("available"))
    on_order = models.PositiveIntegerField(_("on order"))
    quantity = models.PositiveIntegerField(_("suggested quantity"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("replenishment suggestion")
        verbose_name_plural = _("replenishment suggestions")
        ordering = ["warehouse", "-quantity"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "sku"], name="replenishment_one_per_stock_level"),
        ]

    def __str__(self):
        return f"{self.sku.code} @ {self.warehouse.code}: {self.quantity}"


class PurchaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ORDERED = "ordered", _("Ordered")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseRequest(FSMModelMixin, models.Model):
    """Goods to buy for one warehouse from one supplier, approved by a Supervisor."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    warehouse = models.ForeignKey(Warehouse, models.PROTECT, related_name="purchase_requests", verbose_name=_("warehouse"))
    supplier = models.ForeignKey(
        Supplier, models.PROTECT, null=True, blank=True, related_name="purchase_requests", verbose_name=_("supplier")
    )
    status = FSMField(
        _("status"), max_length=16, choices=PurchaseStatus.choices, default=PurchaseStatus.DRAFT, protected=True
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    decision_note = models.CharField(_("approval or rejection note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    created_at = models.DateTimeField(_("created"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved / rejected"), null=True, blank=True)
    ordered_at = models.DateTimeField(_("ordered"), null=True, blank=True)
    expected_at = models.DateField(pgettext_lazy("date", "expected"), null=True, blank=True)
    received_at = models.DateTimeField(pgettext_lazy("time", "received"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-id"]
        indexes = [models.Index(fields=["warehouse", "status"], name="purchase_warehouse_status_idx")]
        permissions = [
            ("submit_purchaserequest", _("Can submit purchase requests")),
            ("approve_purchaserequest", _("Can approve or reject purchase requests")),
            ("order_purchaserequest", _("Can place approved purchase requests with the supplier")),
            ("cancel_purchaserequest", _("Can cancel purchase requests")),
        ]

    def __str__(self):
        return self.number

    # --- transitions: fields only; run them through inventory.services ---------

    @transition(
        status, source=PurchaseStatus.DRAFT, target=PurchaseStatus.SUBMITTED, permission="inventory.submit_purchaserequest"
    )
    def submit(self, *, at):
        self.submitted_at = at

    @transition(
        status, source=PurchaseStatus.SUBMITTED, target=PurchaseStatus.APPROVED, permission="inventory.approve_purchaserequest"
    )
    def approve(self, *, at, by, note=""):
        self.decided_at, self.decided_by, self.decision_note = at, by, note

    @transition(
        status, source=PurchaseStatus.SUBMITTED, target=PurchaseStatus.REJECTED, permission="inventory.approve_purchaserequest"
    )
    def reject(self, *, at, by, note):
        self.decided_at, self.decided_by, self.decision_note = at, by, note

    @transition(
        status, source=PurchaseStatus.APPROVED, target=PurchaseStatus.ORDERED, permission="inventory.order_purchaserequest"
    )
    def place(self, *, at, expected_at=None):
        self.ordered_at, self.expected_at = at, expected_at

    @transition(status, source=PurchaseStatus.ORDERED, target=PurchaseStatus.RECEIVED, permission="inventory.receive_stock")
    def mark_received(self, *, at):
        self.received_at = at

    @transition(
        status,
        source=[PurchaseStatus.DRAFT, PurchaseStatus.SUBMITTED, PurchaseStatus.APPROVED, PurchaseStatus.ORDERED],
        target=PurchaseStatus.CANCELLED,
        permission="inventory.cancel_purchaserequest",
    )
    def cancel(self, *, at, note):
        self.cancelled_at, self.decision_note = at, note


class PurchaseRequestLine(models.Model):
    purchase_request = models.ForeignKey(PurchaseRequest, models.CASCADE, related_name="lines", verbose_name=_("purchase request"))
    sku = models.ForeignKey(SKU, models.PROTECT, related_name="+", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(_("quantity"))
    received_quantity = models.PositiveIntegerField(pgettext_lazy("quantity", "received"), default=0)

    class Meta:
        verbose_name = _("purchase request line")
        verbose_name_plural = _("purchase request lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"),
            models.UniqueConstraint(fields=["purchase_request", "sku"], name="purchase_line_one_per_sku"),
        ]

    def __str__(self):
        return f"{self.sku.code} × {self.quantity}"

    @property
    def outstanding(self) -> int:
        return max(self.quantity - self.received_quantity, 0)


# --- pick waves: the warehouse screens gather allocated orders into one pick list ---


class Wave(models.Model):
    number = models.CharField(_("wave number"), max_length=20, unique=True, editable=False)
    warehouse = models.ForeignKey("inventory.Warehouse", models.PROTECT, related_name="waves", verbose_name=_("warehouse"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("pick wave")
        verbose_name_plural = _("pick waves")
        ordering = ["-id"]
        permissions = [("use_warehouse_screens", _("Can use the warehouse screens"))]

    def __str__(self):
        return self.number


class WaveOrder(models.Model):
    wave = models.ForeignKey(Wave, models.CASCADE, related_name="wave_orders", verbose_name=_("wave"))
    order = models.OneToOneField("orders.Order", models.PROTECT, related_name="wave_order", verbose_name=_("order"))

    class Meta:
        verbose_name = _("order in a wave")
        verbose_name_plural = _("orders in waves")
        ordering = ["id"]

    def __str__(self):
        return f"{self.wave.number}: {self.order.number}"
