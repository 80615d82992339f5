"""Settlement files and their lines: Finance imports a platform's file here,
sees each line's class, and downloads the reconciliation sheet of a period."""

import tempfile
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rangefilter.filters import DateRangeFilterBuilder

from core.admin_pages import ReadOnlyAdmin, form_page
from core.list_lookups import ListFilterLookupsOnly
from core.errors import DomainError
from orders.models import Channel

from .. import services
from ..models import MatchClass, SettlementBatch, SettlementLine, SettlementSource
from ..reconciliation import reconciliation_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=SettlementSource.choices)
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Shop"),
        queryset=Channel.objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy(
            "The shop the file is from. Needed where each shop numbers its orders from the same start "
            "(Shopify's #1001) and you have several; the file is then matched to that shop's orders only."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Settlement file"),
        help_text=gettext_lazy("As the platform exports it: CSV, TSV or XLSX, GBK or UTF-8."),
    )


class ReconciliationForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=SettlementSource.choices)
    date_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        label=gettext_lazy("To (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last_month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
        self.fields["date_from"].initial = last_month_end.replace(day=1)
        self.fields["date_to"].initial = last_month_end

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            raise forms.ValidationError(_("“To” is before “From”."))
        return cleaned


def class_links(batch) -> str:
    counts = dict(batch.lines.values_list("match_class").annotate(n=Count("id")).order_by())
    url = reverse("admin:finance_settlementline_changelist")
    return format_html_join(
        ", ",
        '<a class="od-class-{}" href="{}?batch__id__exact={}&amp;match_class__exact={}">{}: {}</a>',
        (
            (value, url, batch.pk, value, label, counts[value])
            for value, label in MatchClass.choices
            if counts.get(value)
        ),
    )


@admin.register(SettlementBatch)
class SettlementBatchAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "source", "imported_at", "imported_by", "line_count", "skipped_count", "first_at", "last_at")
    list_filter = ("source",)
    list_select_related = ("imported_by",)
    search_fields = ("file_name",)
    fields = (
        ("source", "channel", "file_name"),
        ("imported_at", "imported_by"),
        ("first_at", "last_at"),
        ("line_count", "skipped_count"),
        "classes",
        "notes",
        "sha256",
    )
    readonly_fields = ("classes",)
    change_list_template = "admin/finance/settlementbatch/change_list.html"

    @admin.display(description=gettext_lazy("lines by class"))
    def classes(self, batch):
        return class_links(batch)

    def has_add_permission(self, request):
        return request.user.has_perm("finance.add_settlementbatch")

    def has_export_permission(self, request):
        return request.user.has_perm("finance.view_settlementline")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "export_url": reverse("admin:finance_settlementbatch_reconciliation"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "reconciliation/",
                self.admin_site.admin_view(self.reconciliation_view),
                name="finance_settlementbatch_reconciliation",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """"Add" a settlement file: upload it and import it through the service."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.settlement_import(
                    actor=request.user,
                    source=form.cleaned_data["source"],
                    file=upload,
                    file_name=upload.name,
                    channel=form.cleaned_data["channel"],
                )
            except DomainError as error:
                form.add_error("file", str(error))
            else:
                if not result.created:
                    self.message_user(request, result.message, messages.WARNING)
                    if result.batch is None:
                        return HttpResponseRedirect(reverse("admin:finance_settlementbatch_changelist"))
                else:
                    labels = dict(MatchClass.choices)
                    detail = ", ".join(
                        f"{labels[value]} {result.by_class[value]}" for value in MatchClass.values if value in result.by_class
                    )
                    self.message_user(
                        request,
                        _("%(file)s: %(new)s lines imported (%(detail)s); %(skipped)s were imported before.")
                        % {"file": upload.name, "new": result.new_lines, "detail": detail, "skipped": result.skipped_lines},
                    )
                    if result.batch.notes:
                        self.message_user(request, result.batch.notes, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:finance_settlementbatch_change", args=[result.batch.pk]))
        return form_page(
            self,
            request,
            form,
            title=_("Import a settlement file"),
            submit_label=_("Import"),
            intro=_(
                "Each line is matched to an order, a refund or a fee and classed. A file with unusable lines is "
                "refused whole, with the lines to fix; importing the same file again changes nothing."
            ),
        )

    def reconciliation_view(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        form = ReconciliationForm(request.GET if "source" in request.GET else None)
        if form.is_valid():
            data = form.cleaned_data
            output = tempfile.TemporaryFile()  # a big period's workbook need not sit in memory; deleted on close
            reconciliation_workbook(source=data["source"], date_from=data["date_from"], date_to=data["date_to"], output=output)
            output.seek(0)
            name = f"reconciliation-{data['source']}-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}.xlsx"
            return FileResponse(output, as_attachment=True, filename=name, content_type=XLSX)
        return form_page(
            self,
            request,
            form,
            title=_("Download a reconciliation sheet"),
            submit_label=_("Download"),
            method="get",
            intro=_(
                "A summary (gross sales, refunds, fees, net; lines and sums per class; paid orders not settled) "
                "and one sheet per class, for the lines dated in the period."
            ),
        )


@admin.register(SettlementLine)
class SettlementLineAdmin(ListFilterLookupsOnly, ReadOnlyAdmin):
    list_display = (  # source and currency are filters: the columns that matter fit on a clerk's screen
        "occurred_at",
        "external_id",
        "kind",
        "order_reference",
        "order",
        "amount",
        "fee",
        "net",
        "difference",
        "class_column",
        "note",
    )
    list_filter = (
        "match_class",
        "source",
        "currency",
        "kind",
        ("occurred_at", DateRangeFilterBuilder(title=gettext_lazy("date"))),
        "batch",
    )
    list_select_related = ("order",)
    list_per_page = 100
    show_full_result_count = False
    search_fields = ("external_id",)  # exact: see get_search_results
    search_help_text = gettext_lazy("Exact platform transaction id, platform order reference or our order number.")

    @admin.display(description=gettext_lazy("class"), ordering="match_class")
    def class_column(self, line):
        return format_html('<span class="od-class-{}">{}</span>', line.match_class, line.get_match_class_display())

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(external_id=term) | Q(order_reference=term) | Q(order__number=term.upper())), False
