"""Money records: read-only rows; refunds, invoices and closed periods change
only through finance.services, from the actions and forms here."""

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_pages import ReadOnlyAdmin, ReasonForm, bulk_action_page, form_page
from core.list_lookups import ListFilterLookupsOnly
from core.errors import DomainError

from .. import services
from ..models import ClosedPeriod, Invoice, Payment, Refund, RefundLine


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
class PaymentAdmin(ListFilterLookupsOnly, ReadOnlyAdmin):
    list_display = ("order", "amount", "currency", "method", "reference", "paid_at")
    list_filter = ("method", "currency")
    list_select_related = ("order",)
    search_fields = ("order__number", "reference")


class RefundLineInline(admin.TabularInline):
    model = RefundLine
    fields = ("order_line", "quantity", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("paid back for these order lines")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(ListFilterLookupsOnly, ReadOnlyAdmin):
    list_display = ("id", "order", "return_request", "amount", "currency", "status", "reason", "created_at", "paid_at")
    list_filter = ("status", "currency")
    list_select_related = ("order", "return_request")
    search_fields = ("order__number",)
    inlines = [RefundLineInline]
    actions = ["approve", "mark_paid", "fail"]

    @admin.action(description=gettext_lazy("Approve selected refunds"), permissions=["approve_refund"])
    def approve(self, request, queryset):
        run_for_each(self, request, queryset, lambda pk: services.refund_approve(actor=request.user, refund_id=pk))

    @admin.action(description=gettext_lazy("Record selected refunds as paid"), permissions=["pay_refund"])
    def mark_paid(self, request, queryset):
        run_for_each(self, request, queryset, lambda pk: services.refund_mark_paid(actor=request.user, refund_id=pk))

    @admin.action(description=gettext_lazy("Record selected refunds as failed…"), permissions=["pay_refund"])
    def fail(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            run_for_each(
                self, request, queryset, lambda pk: services.refund_fail(actor=request.user, refund_id=pk, reason=reason)
            )
            return None
        label = _("Record refunds as failed")
        return bulk_action_page(self, request, queryset, form, title=label, submit_label=label)

    def has_approve_refund_permission(self, request):
        return request.user.has_perm("finance.approve_refund")

    def has_pay_refund_permission(self, request):
        return request.user.has_perm("finance.pay_refund")


@admin.register(Invoice)
class InvoiceAdmin(ListFilterLookupsOnly, ReadOnlyAdmin):
    list_display = ("__str__", "kind", "order", "amount", "currency", "issued_at", "due_on", "credits", "voided_at", "void_reason")
    list_filter = ("kind", "series", "currency")
    list_select_related = ("order", "credits")
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
        label = _("Void invoices")
        return bulk_action_page(self, request, queryset, form, title=label, submit_label=label)

    def has_void_invoice_permission(self, request):
        return request.user.has_perm("finance.void_invoice")


# --- closed periods ---------------------------------------------------------------------------------------


def _ended_months(count: int = 24) -> list[date]:
    first = timezone.localdate().replace(day=1)
    months = []
    for _step in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months


class ClosePeriodForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("Month"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        closed = set(ClosedPeriod.objects.values_list("month", flat=True))
        self.fields["month"].choices = [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in _ended_months() if m not in closed]

    def chosen_month(self) -> date:
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        return date(year, month, 1)

    def hide_fields(self) -> "ClosePeriodForm":
        """The confirmation page posts the same choice back, unseen."""
        for field in self.fields.values():
            field.widget = forms.HiddenInput()
        return self


# Posted by the confirmation page's button: the month is closed only then.
CONFIRMED = "confirmed"


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    """Finance closes a month here; closing is final (corrections go in an open month)."""

    list_display = ("__str__", "closed_at", "closed_by", "note")
    list_select_related = ("closed_by",)

    def has_add_permission(self, request):
        return request.user.has_perm("finance.close_period")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:finance_closedperiod_changelist"))
        form = ClosePeriodForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            month = form.chosen_month()
            if CONFIRMED not in request.POST:
                return self.confirmation_page(request, form, month)
            try:
                period = services.period_close(
                    actor=request.user, year=month.year, month=month.month, note=form.cleaned_data["note"]
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("%(period)s is closed: nothing dated in it can change any more.") % {"period": period},
                )
                return HttpResponseRedirect(reverse("admin:finance_closedperiod_changelist"))
        return form_page(
            self,
            request,
            form,
            title=_("Close a month"),
            submit_label=_("Continue"),
            intro=_(
                "Once a month is closed, no payment, refund, invoice or settlement line dated in it can be "
                "recorded or changed; corrections are dated in an open month. Closing cannot be undone."
            ),
        )

    def confirmation_page(self, request, form, month: date):
        """Closing is final: the month is named and what closing means is said before it is done."""
        named = date_format(month, "YEAR_MONTH_FORMAT")
        return form_page(
            self,
            request,
            form.hide_fields(),
            title=_("Close %(month)s?") % {"month": named},
            submit_label=_("Yes, close %(month)s") % {"month": named},
            back_url=reverse("admin:finance_closedperiod_add"),
            intro=[
                _(
                    "From now on no payment, refund, invoice or settlement line dated in %(month)s can be recorded "
                    "or changed; corrections will have to be dated in an open month."
                )
                % {"month": named},
                _("Closing cannot be undone."),
            ],
            notes=[_("Note: %(note)s") % {"note": form.cleaned_data["note"]}] if form.cleaned_data["note"] else [],
            hidden=[(CONFIRMED, "1")],
        )

