"""Money records: payments, refunds and invoices (first version).

Amounts are Decimal with two places, in the order's currency.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


def amount_field(verbose_name=None):
    return models.DecimalField(verbose_name or _("amount"), max_digits=14, decimal_places=2)


class PaymentMethod(models.TextChoices):
    PLATFORM = "platform", _("Platform escrow")
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH_ON_DELIVERY = "cod", _("Cash on delivery")
    OTHER = "other", _("Other")


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

    def __str__(self):
        return f"{self.order} {self.amount} {self.currency}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


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

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]
        permissions = [
            ("approve_refund", _("Can approve refunds")),
            ("pay_refund", _("Can record refunds as paid")),
        ]

    def __str__(self):
        return f"{self.order} −{self.amount} {self.currency}"

    @transition(status, source=RefundStatus.REQUESTED, target=RefundStatus.APPROVED, permission="finance.approve_refund")
    def approve(self, *, at):
        self.approved_at = at

    @transition(status, source=RefundStatus.APPROVED, target=RefundStatus.PAID, permission="finance.pay_refund")
    def mark_paid(self, *, at):
        self.paid_at = at


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
