"""After-sales tickets: return, exchange, refund only and reship.

A ticket covers some units of some lines of a shipped order and moves only
through the transitions below (the status is protected), each run by a
service in ``aftersales.services`` that checks the permission declared here
and writes the order's timeline:

    requested → approved → awaiting return → received → inspected → refunded / exchanged → closed
    requested → approved → refunded → closed          (refund only: nothing comes back)
    requested → approved → reshipped → closed         (reship: lost or broken in transit)
    requested → rejected;  requested / approved / awaiting return → cancelled

Its due time comes from the SLA of its kind (TicketSLA, edited in the admin).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from core.fsm import condition


class TicketKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REFUND_ONLY = "refund_only", _("Refund only")
    RESHIP = "reship", _("Reship")


# Kinds whose goods come back to a warehouse before anything else happens.
GOODS_COME_BACK = (TicketKind.RETURN, TicketKind.EXCHANGE)


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


# A ticket in one of these is finished: it is never overdue.
FINAL_STATUSES = (ReturnStatus.CLOSED, ReturnStatus.REJECTED, ReturnStatus.CANCELLED)
# Units in these tickets no longer count against what may still be returned.
WITHDRAWN_STATUSES = (ReturnStatus.REJECTED, ReturnStatus.CANCELLED)
# The SLA a kind gets until a supervisor edits it (and if its row is missing).
DEFAULT_SLA_HOURS = {
    TicketKind.RETURN: 7 * 24,
    TicketKind.EXCHANGE: 7 * 24,
    TicketKind.REFUND_ONLY: 48,
    TicketKind.RESHIP: 48,
}


class TicketSLA(models.Model):
    """How long a ticket of one kind may take, from opening to closing.

    Data, not settings: the platforms change their after-sales rules (Tmall's
    time to answer a refund request, say) and a supervisor follows them here,
    without a deployment. A change applies to tickets opened afterwards.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=TicketKind.choices, unique=True)
    hours = models.PositiveIntegerField(_("hours to resolve"), help_text=_("From opening the ticket to closing it."))

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")
        ordering = ["kind"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="ticket_sla_hours_positive")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.hours} h"

    @classmethod
    def due_at(cls, kind: str, opened_at):
        hours = cls.objects.filter(kind=kind).values_list("hours", flat=True).first()
        return opened_at + timedelta(hours=hours or DEFAULT_SLA_HOURS[kind])


# --- transition conditions: pure checks on the ticket; each says why it stops a step ---


@condition(_("Only returns and exchanges wait for goods to come back."), hides_transition=True)
def goods_come_back(ticket):
    return ticket.kind in GOODS_COME_BACK


@condition(_("This kind of ticket is not refunded at this step."), hides_transition=True)
def refund_applies(ticket):
    if ticket.status == ReturnStatus.APPROVED:
        return ticket.kind == TicketKind.REFUND_ONLY
    if ticket.status == ReturnStatus.INSPECTED:
        return ticket.kind in GOODS_COME_BACK
    return True  # refunded already: a failed refund may be requested again


@condition(_("The ticket has a refund that has not failed; nothing more is requested."))
def no_live_refund(ticket):
    return not ticket.refunds.exclude(status="failed").exists()


@condition(_("Only exchanges send a replacement after inspection."), hides_transition=True)
def is_exchange(ticket):
    return ticket.kind == TicketKind.EXCHANGE


@condition(_("Only reship tickets send the goods again without a return."), hides_transition=True)
def is_reship(ticket):
    return ticket.kind == TicketKind.RESHIP


@condition(_("Not settled yet: the refund must be paid, or the replacement shipped."))
def settled(ticket):
    if ticket.status == ReturnStatus.REFUNDED:
        refunds = ticket.refunds.exclude(status="failed")
        return refunds.exists() and not refunds.exclude(status="paid").exists()
    if ticket.status in (ReturnStatus.EXCHANGED, ReturnStatus.RESHIPPED):
        replacement = ticket.replacement_order
        return replacement is not None and replacement.shipped_at is not None
    return True  # inspected: closed without refund or replacement, with a note


class ReturnRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=FINAL_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())


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
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tickets",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="return_requests",
        verbose_name=_("returned to warehouse"),
    )
    return_carrier = models.CharField(_("return carrier"), max_length=64, blank=True)
    return_tracking_number = models.CharField(_("return tracking number"), max_length=64, blank=True)
    received_at = models.DateTimeField(pgettext_lazy("time", "received"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("received by")
    )
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("inspected by")
    )
    qc_reference = models.CharField(_("QC reference"), max_length=64, blank=True)
    qc_note = models.CharField(_("QC note"), max_length=255, blank=True)
    replacement_order = models.OneToOneField(
        "orders.Order",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces_for_ticket",
        verbose_name=_("replacement order"),
    )
    resolution = models.CharField(_("resolution"), max_length=255, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("time", "closed"), null=True, blank=True)

    objects = ReturnRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("after-sales ticket")
        verbose_name_plural = _("after-sales tickets")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="ticket_status_idx"),
            models.Index(fields=["owner", "status"], name="ticket_owner_idx"),
            models.Index(fields=["due_at"], name="ticket_due_idx"),
        ]
        permissions = [
            ("open_return", _("Can open after-sales tickets")),
            ("approve_return", _("Can approve or reject after-sales tickets")),
            ("cancel_return", _("Can cancel after-sales tickets")),
            ("assign_return", _("Can hand after-sales tickets to another owner")),
            ("receive_return", _("Can receive returned goods")),
            ("inspect_return", _("Can inspect returned goods")),
            ("refund_return", _("Can request the refund of an after-sales ticket")),
            ("replace_return", _("Can send replacements for after-sales tickets")),
            ("close_return", _("Can close after-sales tickets")),
        ]

    def __str__(self):
        return self.number

    def is_overdue(self, now=None) -> bool:
        return bool(self.due_at) and self.status not in FINAL_STATUSES and self.due_at < (now or timezone.now())

    def expects_goods_back(self) -> bool:
        return self.kind in GOODS_COME_BACK

    # --- transitions: fields only; run them through aftersales.services ---------

    @transition(status, source=ReturnStatus.REQUESTED, target=ReturnStatus.APPROVED, permission="aftersales.approve_return")
    def approve(self):
        pass

    @transition(status, source=ReturnStatus.REQUESTED, target=ReturnStatus.REJECTED, permission="aftersales.approve_return")
    def reject(self, *, at, reason):
        self.resolution, self.closed_at = reason, at

    @transition(
        status,
        source=[ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.AWAITING_RETURN],
        target=ReturnStatus.CANCELLED,
        permission="aftersales.cancel_return",
    )
    def cancel(self, *, at, reason):
        self.resolution, self.closed_at = reason, at

    @transition(
        status,
        source=ReturnStatus.APPROVED,
        target=ReturnStatus.AWAITING_RETURN,
        permission="aftersales.open_return",
        conditions=[goods_come_back],
    )
    def await_return(self, *, carrier, tracking_number):
        self.return_carrier, self.return_tracking_number = carrier, tracking_number

    @transition(
        status, source=ReturnStatus.AWAITING_RETURN, target=ReturnStatus.RECEIVED, permission="aftersales.receive_return"
    )
    def receive(self, *, at, actor, warehouse):
        self.received_at, self.received_by, self.warehouse = at, actor, warehouse

    @transition(status, source=ReturnStatus.RECEIVED, target=ReturnStatus.INSPECTED, permission="aftersales.inspect_return")
    def inspect(self, *, at, actor, qc_reference, qc_note):
        self.inspected_at, self.inspected_by = at, actor
        self.qc_reference, self.qc_note = qc_reference, qc_note

    @transition(
        status,
        source=[ReturnStatus.APPROVED, ReturnStatus.INSPECTED, ReturnStatus.REFUNDED],
        target=ReturnStatus.REFUNDED,
        permission="aftersales.refund_return",
        conditions=[refund_applies, no_live_refund],
    )
    def refund(self):
        pass

    @transition(
        status,
        source=ReturnStatus.INSPECTED,
        target=ReturnStatus.EXCHANGED,
        permission="aftersales.replace_return",
        conditions=[is_exchange],
    )
    def exchange(self, *, replacement_order):
        self.replacement_order = replacement_order

    @transition(
        status,
        source=ReturnStatus.APPROVED,
        target=ReturnStatus.RESHIPPED,
        permission="aftersales.replace_return",
        conditions=[is_reship],
    )
    def reship(self, *, replacement_order):
        self.replacement_order = replacement_order

    @transition(
        status,
        source=[ReturnStatus.INSPECTED, ReturnStatus.REFUNDED, ReturnStatus.EXCHANGED, ReturnStatus.RESHIPPED],
        target=ReturnStatus.CLOSED,
        permission="aftersales.close_return",
        conditions=[settled],
    )
    def close(self, *, at, resolution):
        self.closed_at = at
        if resolution:
            self.resolution = resolution


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, models.CASCADE, related_name="lines", verbose_name=_("ticket"))
    order_line = models.ForeignKey("orders.OrderLine", models.PROTECT, related_name="+", verbose_name=_("order line"))
    quantity = models.PositiveIntegerField(_("quantity"))
    received_quantity = models.PositiveIntegerField(pgettext_lazy("quantity", "received"), default=0)
    sellable_quantity = models.PositiveIntegerField(_("sellable"), default=0)
    damaged_quantity = models.PositiveIntegerField(_("damaged"), default=0)
    replacement_sku = models.ForeignKey(
        "inventory.SKU",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacement SKU"),
        help_text=_("Exchanges: what is sent instead."),
    )

    class Meta:
        verbose_name = _("ticket line")
        verbose_name_plural = _("ticket lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__lte=F("quantity")), name="return_line_received_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(sellable_quantity__lte=F("received_quantity") - F("damaged_quantity")),
                name="return_line_inspected_within_received",
            ),
        ]

    def __str__(self):
        return f"{self.order_line.title} × {self.quantity}"

    @property
    def units_back(self) -> int:
        """Units the warehouse inspected (sellable + damaged)."""
        return self.sellable_quantity + self.damaged_quantity
