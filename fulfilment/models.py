"""Fulfilment: pick waves. Orders move through picking, packing and shipping by
their own transitions (orders.services); a wave is the pick list that gathers
them, per warehouse."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
