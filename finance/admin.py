"""Money records: read-only rows; refunds and invoices move only through
finance.services, from the actions here."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.admin import ReadOnlyAdmin
from orders.admin.order_actions import ReasonForm
from orders.admin.reason_page import reason_form_response
from orders.errors import DomainError

from . import services
from .models import Invoice, Payment, Refund


def run_for_each(modeladmin, request, queryset, call):
    """Run ``call(pk)`` (one service call, its own transaction) per selected row; report each refusal."""
    done, failed = 0, []
    for pk in queryset.order_by("pk").values_list("pk", flat=True):
        try:
            call(pk)
            done += 1
        except DomainError as error:
            failed.append(str(error))
    if done:
        modeladmin.message_user(request, _("%(count)d done.") % {"count": done})
    for message in failed:
        modeladmin.message_user(request, message, messages.ERROR)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("order", "amount", "currency", "method", "reference", "paid_at")
    list_filter = ("method", "currency")
    list_select_related = ("order",)
    search_fields = ("order__number", "reference")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "amount", "currency", "status", "reason", "created_at", "paid_at")
    list_filter = ("status", "currency")
    list_select_related = ("order",)
    search_fields = ("order__number",)
    actions = ["approve", "mark_paid"]

    @admin.action(description=gettext_lazy("Approve selected refunds"), permissions=["approve_refund"])
    def approve(self, request, queryset):
        run_for_each(self, request, queryset, lambda pk: services.refund_approve(actor=request.user, refund_id=pk))

    @admin.action(description=gettext_lazy("Record selected refunds as paid"), permissions=["pay_refund"])
    def mark_paid(self, request, queryset):
        run_for_each(self, request, queryset, lambda pk: services.refund_mark_paid(actor=request.user, refund_id=pk))

    def has_approve_refund_permission(self, request):
        return request.user.has_perm("finance.approve_refund")

    def has_pay_refund_permission(self, request):
        return request.user.has_perm("finance.pay_refund")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "order", "amount", "currency", "issued_at", "voided_at", "void_reason")
    list_filter = ("kind", "series", "currency")
    list_select_related = ("order",)
    search_fields = ("number", "order__number")
    actions = ["void"]

    @admin.action(description=gettext_lazy("Void selected invoices…"), permissions=["void_invoice"])
    def void(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            run_for_each(
                self, request, queryset, lambda pk: services.invoice_void(actor=request.user, invoice_id=pk, reason=reason)
            )
            return None
        return reason_form_response(self, request, queryset, form, _("Void invoices"))

    def has_void_invoice_permission(self, request):
        return request.user.has_perm("finance.void_invoice")
