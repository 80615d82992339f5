"""Money records: payments, refunds, invoices and credit notes, closed periods,
and the platforms' settlement files with their reconciliation.

Amounts are Decimal with two places, in the order's currency; rounding is
always explicit (ROUND_HALF_UP to the cent, finance.money).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from orders.models import PaymentMethod


def amount_field(verbose_name=None, **kwargs):
    return models.DecimalField(verbose_name or _("amount"), max_digits=14, decimal_places=2, **kwargs)


# WeChat Pay charges fees to the 0.00001 (0.6% of 0.01 is 0.00006): kept as given, so that a day's
# fees add up to the bill's own total. 15 digits in all, as many as SQLite's REAL gives back exactly
# (GOTCHAS 18): 10 before the point, more than any one settlement line moves.
PLATFORM_FEE_PLACES = 5


def platform_fee_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=15, decimal_places=PLATFORM_FEE_PLACES, **kwargs)


class Payment(models.Model):
    order = models.ForeignKey("orders.Order", models.PROTECT, related_name="payments", verbose_name=_("order"))
    amount = amount_field()
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        indexes = [
            models.Index(fields=["paid_at"], name="payment_paid_at_idx"),
            # Settlement files name a payment by the platform's transaction id.
            models.Index(fields=["reference"], name="payment_reference_idx"),
        ]
        permissions = [("receive_payment", _("Can record payments received on account (B2B)"))]

    def __str__(self):
        return f"{self.order} {self.amount} {self.currency}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class RefundQuerySet(models.QuerySet):
    def pending(self):
        """Requested or approved, not yet paid (or failed)."""
        return self.filter(status__in=(RefundStatus.REQUESTED, RefundStatus.APPROVED))

    def live(self):
        """Refunds that count against what may still be refunded: all but failed ones."""
        return self.exclude(status=RefundStatus.FAILED)


class Refund(FSMModelMixin, models.Model):
    order = models.ForeignKey("orders.Order", models.PROTECT, related_name="refunds", verbose_name=_("order"))
    return_request = models.ForeignKey(
        "aftersales.ReturnRequest",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        verbose_name=_("after-sales ticket"),
    )
    amount = amount_field()
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=255)
    status = FSMField(_("status"), max_length=16, choices=RefundStatus.choices, default=RefundStatus.REQUESTED, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    reference = models.CharField(_("payout reference"), max_length=100, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=255, blank=True)

    objects = RefundQuerySet.as_manager()

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]
        permissions = [
            ("approve_refund", _("Can approve refunds")),
            ("pay_refund", _("Can record refunds as paid or failed")),
        ]

    def __str__(self):
        return f"{self.order} −{self.amount} {self.currency}"

    @transition(status, source=RefundStatus.REQUESTED, target=RefundStatus.APPROVED, permission="finance.approve_refund")
    def approve(self, *, at):
        self.approved_at = at

    @transition(status, source=RefundStatus.APPROVED, target=RefundStatus.PAID, permission="finance.pay_refund")
    def mark_paid(self, *, at, reference=""):
        self.paid_at = at
        self.reference = reference

    @transition(
        status,
        source=[RefundStatus.REQUESTED, RefundStatus.APPROVED],
        target=RefundStatus.FAILED,
        permission="finance.pay_refund",
    )
    def fail(self, *, at, reason):
        self.failed_at = at
        self.failure_reason = reason


class RefundLine(models.Model):
    """What part of a refund pays back which order line (refunds for after-sales
    tickets): no order line is ever refunded more than was paid for it."""

    refund = models.ForeignKey(Refund, models.CASCADE, related_name="lines", verbose_name=_("refund"))
    order_line = models.ForeignKey("orders.OrderLine", models.PROTECT, related_name="refund_lines", verbose_name=_("order line"))
    quantity = models.PositiveIntegerField(_("units"))
    amount = amount_field()

    class Meta:
        verbose_name = _("refund line")
        verbose_name_plural = _("refund lines")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="refund_line_amount_not_negative")]

    def __str__(self):
        return f"{self.order_line_id} × {self.quantity}: {self.amount}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class Invoice(models.Model):
    order = models.ForeignKey("orders.Order", models.PROTECT, related_name="invoices", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    series = models.CharField(_("series"), max_length=16)
    number = models.CharField(_("number"), max_length=32)
    amount = amount_field()
    currency = models.CharField(_("currency"), max_length=3)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    due_on = models.DateField(_("payment due"), null=True, blank=True, help_text=_("B2B customers on payment terms."))
    credits = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
        help_text=_("Credit notes only: the invoice this one reduces."),
    )
    refund = models.OneToOneField(
        Refund, models.PROTECT, null=True, blank=True, related_name="credit_note", verbose_name=_("refund")
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["series", "number"], name="invoice_number_unique_in_series")]
        permissions = [
            ("issue_invoice", _("Can issue invoices")),
            ("void_invoice", _("Can void invoices")),
        ]

    def __str__(self):
        return f"{self.series}-{self.number}"

    def is_void(self) -> bool:
        return self.voided_at is not None


class ClosedPeriod(models.Model):
    """A month Finance has closed: nothing dated in it changes any more."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the closed month."))
    closed_at = models.DateTimeField(pgettext_lazy("time", "closed"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("closed by")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["-month"]
        permissions = [("close_period", _("Can close accounting periods"))]

    def __str__(self):
        return f"{self.month:%Y-%m}"


# --- settlement files and their reconciliation ---------------------------------------------------


class SettlementSource(models.TextChoices):
    ALIPAY = "alipay", _("Alipay account statement (账务明细)")
    WECHAT = "wechat", _("WeChat Pay trade bill")
    SHOPIFY = "shopify", _("Shopify Payments transactions")
    AMAZON = "amazon", _("Amazon settlement report")


class SettlementBatch(models.Model):
    """One imported settlement file."""

    source = models.CharField(_("source"), max_length=16, choices=SettlementSource.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, editable=False)
    imported_at = models.DateTimeField(_("imported"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("imported by")
    )
    # The shop the file is from, where a platform numbers each shop's orders on its own (Shopify: #1001…).
    channel = models.ForeignKey(
        "orders.Channel", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("shop (channel)")
    )
    first_at = models.DateTimeField(_("first transaction"), null=True, blank=True)
    last_at = models.DateTimeField(_("last transaction"), null=True, blank=True)
    line_count = models.PositiveIntegerField(_("new lines"), default=0)
    skipped_count = models.PositiveIntegerField(
        _("lines imported before"), default=0, help_text=_("Lines of this file already imported from an earlier file.")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("settlement file")
        verbose_name_plural = _("settlement files")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["source", "sha256"], name="settlement_file_imported_once")]

    def __str__(self):
        return f"{self.get_source_display()}: {self.file_name}"


class SettlementKind(models.TextChoices):
    SALE = "sale", _("Sale")
    REFUND = "refund", _("Refund")
    FEE = "fee", _("Fee or commission")
    OTHER = "other", _("Payout, transfer or adjustment")


class MatchClass(models.TextChoices):
    MATCHED = "matched", _("Matched")
    AMOUNT_DIFFERS = "amount_differs", _("Amount differs")
    ORDER_UNKNOWN = "order_unknown", _("Order unknown")
    DUPLICATE = "duplicate", _("Duplicate line")
    FEE = "fee", _("Fee / commission")
    OTHER = "other", _("Payout / transfer / adjustment")


class SettlementLine(models.Model):
    """One line of a settlement file, matched to an order, a refund or a fee.

    ``amount`` is what the line moves for the order (sales positive, refunds
    negative), to the cent; ``fee`` what the platform kept (negative), at the
    platform's own precision, and ``net = amount + fee``.
    ``expected`` is what our records say the amount should be; ``difference``
    is ``amount − expected`` for lines whose amount differs.
    """

    batch = models.ForeignKey(SettlementBatch, models.CASCADE, related_name="lines", verbose_name=_("file"))
    source = models.CharField(_("source"), max_length=16, choices=SettlementSource.choices)
    line_number = models.PositiveIntegerField(_("line in file"))
    external_id = models.CharField(_("platform transaction id"), max_length=128)
    occurred_at = models.DateTimeField(_("date"))
    kind = models.CharField(_("type"), max_length=8, choices=SettlementKind.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    order_reference = models.CharField(_("platform order reference"), max_length=64, blank=True)
    # Indexed below: (order, kind), and refund only where there is one.
    order = models.ForeignKey(
        "orders.Order",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="settlement_lines",
        verbose_name=_("order"),
        db_index=False,
    )
    refund = models.ForeignKey(
        Refund,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="settlement_lines",
        verbose_name=_("refund"),
        db_index=False,
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = amount_field()
    fee = platform_fee_field(_("fee"))
    net = platform_fee_field(_("net"))
    expected = amount_field(pgettext_lazy("amount", "expected"), null=True, blank=True)
    difference = amount_field(_("difference"), null=True, blank=True)
    match_class = models.CharField(_("class"), max_length=16, choices=MatchClass.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["occurred_at", "id"]
        constraints = [
            # A platform transaction is imported once; a file that lists it twice
            # keeps the second as a "duplicate line" for Finance to see.
            # Also the index that finds lines imported before: external_id first, so that
            # "external_id IN (…)" uses it (a leading "source" made SQLite scan by source).
            models.UniqueConstraint(
                fields=["external_id", "source"],
                condition=~Q(match_class="duplicate"),
                name="settlement_line_imported_once",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "occurred_at"], name="settlement_source_date_idx"),
            models.Index(fields=["order", "kind"], name="settlement_order_kind_idx"),
            models.Index(fields=["refund"], condition=Q(refund__isnull=False), name="settlement_refund_idx"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.external_id}"
