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


class SKU(models.Model):
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


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
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.stock_level} ({self.on_hand_delta:+d}/{self.reserved_delta:+d})"
