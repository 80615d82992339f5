"""After-sales tickets (first version: opened from an order, by line and quantity)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin


class TicketKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REFUND_ONLY = "refund_only", _("Refund only")
    RESHIP = "reship", _("Reship")


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Arrived damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    SIZE_FIT = "size_fit", _("Size or fit")
    CHANGED_MIND = "changed_mind", _("Changed mind (7-day no-reason return)")
    LOST_IN_TRANSIT = "lost_in_transit", _("Lost in transit")
    OTHER = "other", _("Other")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    AWAITING_RETURN = "awaiting_return", _("Awaiting return")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    REFUNDED = "refunded", _("Refunded")
    EXCHANGED = "exchanged", _("Exchanged")
    RESHIPPED = "reshipped", _("Reshipped")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnRequest(FSMModelMixin, models.Model):
    number = models.CharField(_("ticket number"), max_length=20, unique=True, editable=False)
    order = models.ForeignKey("orders.Order", models.PROTECT, related_name="return_requests", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=16, choices=TicketKind.choices, default=TicketKind.RETURN)
    reason = models.CharField(_("reason"), max_length=32, choices=ReturnReason.choices)
    note = models.TextField(_("note"), blank=True)
    status = FSMField(_("status"), max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED, protected=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("after-sales ticket")
        verbose_name_plural = _("after-sales tickets")
        ordering = ["-id"]
        permissions = [("open_return", _("Can open after-sales tickets"))]

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, models.CASCADE, related_name="lines", verbose_name=_("ticket"))
    order_line = models.ForeignKey("orders.OrderLine", models.PROTECT, related_name="+", verbose_name=_("order line"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("ticket line")
        verbose_name_plural = _("ticket lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive")]

    def __str__(self):
        return f"{self.order_line.title} × {self.quantity}"
