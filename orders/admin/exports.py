"""Files out of the admin: orders (CSV/XLSX, the role's field scope, formulas
neutralised, optional UTF-8 BOM) and each channel's available-to-sell file.
Adapters to orders.exports; mixed into the order and channel admins."""

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_pages import bulk_action_page
from core.errors import DomainError
from orders import exports


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=gettext_lazy("File"), choices=[(exports.CSV, "CSV"), (exports.XLSX, "Excel (XLSX)")], initial=exports.CSV
    )
    bom = forms.BooleanField(
        label=gettext_lazy("UTF-8 with BOM"),
        required=False,
        initial=True,
        help_text=gettext_lazy("CSV only: lets Excel on Chinese Windows read Chinese text correctly."),
    )
    layout = forms.ChoiceField(
        label=gettext_lazy("Layout"),
        choices=[(code, layout.label) for code, layout in exports.LAYOUTS.items()],
        initial="orders",
    )


def file_response(headers, rows, *, file_format: str, bom: bool, prefix: str, title: str):
    filename = exports.export_filename(prefix, file_format)
    if file_format == exports.XLSX:
        return FileResponse(
            exports.xlsx_file(headers, rows, title=title),
            as_attachment=True,
            filename=filename,
            content_type=exports.CONTENT_TYPES[file_format],
        )
    response = StreamingHttpResponse(exports.csv_chunks(headers, rows, bom=bom), content_type=exports.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class OrderExportMixin:
    """The order list's “Export selected orders…” action."""

    @admin.action(description=gettext_lazy("Export selected orders…"), permissions=["export"])
    def export_orders(self, request, queryset):
        form = ExportForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                headers, rows = exports.export_table(request.user, queryset, data["layout"])
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            return file_response(
                headers, rows, file_format=data["file_format"], bom=data["bom"], prefix="orders", title=str(_("orders"))
            )
        hidden_columns = exports.hidden_column_labels(request.user)
        return bulk_action_page(
            self,
            request,
            queryset,
            form,
            title=_("Export orders"),
            submit_label=_("Export"),
            intro=[_("Your role's files leave out: %(columns)s.") % {"columns": ", ".join(hidden_columns)}] if hidden_columns else (),
            notes=_(
                "Any text cell that a spreadsheet would run as a formula (starting with =, +, -, @) is written "
                "with a leading ' so that it shows as text."
            ),
        )

    def has_export_permission(self, request):
        return request.user.has_perm("orders.export_orders")


class ChannelStockFileMixin:
    """The channel list's available-to-sell files, to push stock back to the platforms."""

    def _stock_file(self, request, queryset, file_format):
        channels = list(queryset[:2])
        if len(channels) != 1:
            self.message_user(request, _("Choose one channel: each platform takes its own file."), messages.ERROR)
            return None
        (channel,) = channels
        try:
            headers, rows = exports.stock_table(request.user, channel)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        return file_response(
            headers, rows, file_format=file_format, bom=True, prefix=f"stock-{channel.code}", title=str(_("stock"))
        )

    @admin.action(description=gettext_lazy("Available-to-sell file (CSV)"), permissions=["export_stock"])
    def stock_file_csv(self, request, queryset):
        return self._stock_file(request, queryset, exports.CSV)

    @admin.action(description=gettext_lazy("Available-to-sell file (XLSX)"), permissions=["export_stock"])
    def stock_file_xlsx(self, request, queryset):
        return self._stock_file(request, queryset, exports.XLSX)

    def has_export_stock_permission(self, request):
        return request.user.has_perm("orders.export_orders") and request.user.has_perm("inventory.view_stocklevel")
