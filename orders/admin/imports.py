"""Order files in, in the admin: upload → preview (created / changed /
unchanged / rejected) → confirm, each upload an ImportBatch with its progress
and its rejected rows as a CSV; the lines waiting for a SKU mapping.

The views are short adapters to orders.services.import_batches; the work
itself runs after the request's transaction commits, in the request for
small files and as a django-q2 task for big ones (the page refreshes itself
while it runs).

Why not django-import-export's ImportMixin for these screens: a Taobao
import is two files; previews and imports of 10,000+ rows must run in the
background with progress; the upload's encoding is detected per file
(GOTCHAS 1); and its confirm step keeps files in the temp folder without
cleaning them up (GOTCHAS 2) — ours live in ORDERDESK_IMPORT_DIR and are
deleted when the import is done or the preview discarded.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin_pages import SHOWN_ROWS, ReadOnlyAdmin, bulk_action_page, form_page
from core.list_lookups import ListFilterLookupsOnly
from core.errors import DomainError
from core.files import normalise_header
from inventory.models import SKU
from orders import exports, permissions, services
from orders.importers.generic import TEMPLATE_COLUMNS
from orders.importers.records import PlatformState
from orders.importers.models import ImportBatch, ImportKind, ImportRejection, ImportStatus
from orders.importers.registry import format_choices
from orders.models import Channel, OrderStatus, UnmappedLine
from orders.services.imports import STEP_LABELS

SHOWN_REJECTIONS = 100


# --- forms ------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What"), choices=ImportKind.choices, initial=ImportKind.ORDERS)
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Channel"),
        queryset=Channel.objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy("Where the orders come from. For tracking files: the channel of platform order ids (optional)."),
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("", gettext_lazy("The channel's platform (automatic)")), *format_choices()],
        required=False,
    )
    files = MultipleFileField(
        label=gettext_lazy("Files"),
        help_text=gettext_lazy(
            "CSV, TSV or XLSX, in any encoding the platforms use (UTF-8, with or without BOM, GBK/GB18030). "
            "Taobao/Tmall: the order report and the item report together."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [
            (value, label)
            for value, label in ImportKind.choices
            if user.has_perm("orders.import_orders" if value == ImportKind.ORDERS else "orders.import_tracking")
        ]
        self.fields["kind"].choices = allowed
        if allowed and allowed[0][0] != ImportKind.ORDERS:
            self.fields["kind"].initial = allowed[0][0]
        if ImportKind.ORDERS not in dict(allowed):
            del self.fields["file_format"]  # tracking files have one format

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ImportKind.ORDERS and not cleaned.get("channel"):
            self.add_error("channel", _("Choose the channel the orders come from."))
        return cleaned


class MapSkuForm(forms.Form):
    sku = forms.ModelChoiceField(label=gettext_lazy("Our SKU"), queryset=SKU.objects.filter(is_active=True))


# --- import batches -----------------------------------------------------------------------------


def _label(choices, code) -> str:
    """A stored code in the reader's language (a preview written before codes were stored keeps its text)."""
    return str(dict(choices).get(code, code))


def _samples_shown(samples: dict) -> dict:
    """A preview's sample orders keep codes (a background run has no reader's language); shown as labels."""
    return {
        "created": [{**row, "state": _label(PlatformState.choices, row["state"])} for row in samples.get("created", [])],
        "changed": [
            {
                **row,
                "status": _label(OrderStatus.choices, row["status"]),
                "steps": [_label(STEP_LABELS.items(), step) for step in row["steps"]],
            }
            for row in samples.get("changed", [])
        ],
    }


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "kind",
        "channel",
        "files_column",
        "created_by",
        "status_column",
        "counts_column",
    )
    list_display_links = ("id", "files_column")
    list_filter = ("status", "kind", "channel")
    list_select_related = ("channel", "created_by")
    list_per_page = 50
    search_fields = ("file_hash",)
    search_help_text = gettext_lazy("Exact SHA-256 of a file, to find where it was imported before.")
    date_hierarchy = "created_at"

    @admin.display(description=gettext_lazy("files"))
    def files_column(self, batch):
        return ", ".join(batch.file_names)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_column(self, batch):
        badge = format_html('<span class="od-import od-import-{}">{}</span>', batch.status, batch.get_status_display())
        if not batch.is_running():
            return badge
        return format_html(
            '{} <progress max="100" value="{}"></progress> {}%', badge, batch.progress_percent, batch.progress_percent
        )

    @admin.display(description=gettext_lazy("new / changed / same / rejected rows"))
    def counts_column(self, batch):
        if batch.status in (ImportStatus.UPLOADED, ImportStatus.DISCARDED) and not batch.created_count:
            return ""
        return format_html(
            '{} / {} / {} / <span class="{}">{}</span>',
            batch.created_count,
            batch.updated_count,
            batch.unchanged_count,
            "od-rejected-count" if batch.rejected_rows else "",
            batch.rejected_rows,
        )

    # --- who sees what ------------------------------------------------------------------

    @staticmethod
    def may_import_orders(user) -> bool:
        # Order files carry phones and money: only for roles that may see both.
        return (
            user.has_perm("orders.import_orders")
            and permissions.can_see_buyer_contact(user)
            and permissions.can_see_amounts(user)
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self.may_import_orders(request.user):
            queryset = queryset.filter(kind=ImportKind.TRACKING)
        return queryset

    def has_add_permission(self, request):
        user = request.user
        return self.may_import_orders(user) or user.has_perm("orders.import_tracking")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _may_run(self, user, batch) -> bool:
        if batch.kind == ImportKind.TRACKING:
            return user.has_perm("orders.import_tracking")
        return self.may_import_orders(user)

    # --- pages -------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("template/<str:file_format>/", view(self.template_view), name="orders_importbatch_template"),
            path("<int:batch_id>/confirm/", view(self.confirm_view), name="orders_importbatch_confirm"),
            path("<int:batch_id>/discard/", view(self.discard_view), name="orders_importbatch_discard"),
            path("<int:batch_id>/run-again/", view(self.run_again_view), name="orders_importbatch_run_again"),
            path("<int:batch_id>/rejected.csv", view(self.rejected_view), name="orders_importbatch_rejected"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                batch = services.import_batch_create(
                    actor=request.user,
                    kind=data["kind"],
                    channel=data.get("channel"),
                    files=[(upload.name, upload) for upload in data["files"]],
                    file_format=data.get("file_format", ""),
                )
                services.import_batch_preview(actor=request.user, batch_id=batch.pk)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                return HttpResponseRedirect(reverse("admin:orders_importbatch_change", args=[batch.pk]))
        return form_page(
            self,
            request,
            form,
            title=_("Import a file"),
            submit_label=_("Upload and preview"),
            notes=_(
                "Nothing is written yet: the next page shows what the file would create, change and reject, "
                "and you confirm it there."
            ),
            template="admin/orders/importbatch/upload.html",
            extra_context={"template_columns": TEMPLATE_COLUMNS, "may_import_orders": self.may_import_orders(request.user)},
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        if batch is None or not self.has_view_permission(request, batch):
            raise Http404
        rejections = list(batch.rejections.all()[:SHOWN_REJECTIONS])
        previous = batch.preview.get("same_file_as")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(batch),
            "batch": batch,
            "samples": _samples_shown(batch.preview.get("samples", {})),
            "unknown_sku_orders": batch.preview.get("unknown_sku_orders", 0),
            "cleaned": batch.preview.get("cleaned", {}),
            "rejections": rejections,
            "more_rejections": batch.rejected_rows > len(rejections),
            "previous_batch": previous,
            "may_run": self._may_run(request.user, batch),
            "refresh": batch.is_running() or batch.status == ImportStatus.UPLOADED,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/orders/importbatch/batch.html", context)

    def _batch_action(self, request, batch_id, service, done_message):
        batch = get_object_or_404(self.get_queryset(request), pk=batch_id)
        if request.method != "POST" or not self._may_run(request.user, batch):
            raise PermissionDenied
        try:
            service(actor=request.user, batch_id=batch.pk)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done_message)
        return HttpResponseRedirect(reverse("admin:orders_importbatch_change", args=[batch.pk]))

    def confirm_view(self, request, batch_id):
        return self._batch_action(request, batch_id, services.import_batch_confirm, _("Import started."))

    def discard_view(self, request, batch_id):
        return self._batch_action(request, batch_id, services.import_batch_discard, _("Preview discarded; its files are deleted."))

    def run_again_view(self, request, batch_id):
        return self._batch_action(request, batch_id, services.import_batch_run_again, _("Import started again."))

    def rejected_view(self, request, batch_id):
        """The rejected rows in the file's own columns, a reason each: fix them and import them again."""
        batch = get_object_or_404(self.get_queryset(request), pk=batch_id)
        rejections = ImportRejection.objects.filter(batch=batch).order_by("id")
        columns = rejected_columns(batch, rejections)

        def rows():
            for rejection in rejections.iterator(chunk_size=2000):
                cells = rejection.cells
                yield [rejection.file_name, rejection.line, rejection.reason, *(cells.get(name, "") for name, _label in columns)]

        head = [_("file"), _("line"), _("reason"), *(label for _name, label in columns)]
        response = StreamingHttpResponse(exports.csv_chunks(head, rows(), bom=True), content_type=exports.CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejected.csv"'
        return response

    def template_view(self, request, file_format):
        """Our order template: the header and one example row."""
        if file_format not in (exports.CSV, exports.XLSX) or not self.may_import_orders(request.user):
            raise Http404
        example = {
            "order_id": "WEB-10001",
            "placed_at": "2025-01-02 10:30:00",
            "status": "paid",
            "paid_at": "2025-01-02 10:31:00",
            "currency": "CNY",
            "buyer": "buyer-account",
            "recipient": "张三",
            "phone": "13800138000",
            "country": "CN",
            "province": "上海",
            "city": "上海市",
            "district": "浦东新区",
            "address": "世纪大道100号",
            "postcode": "200120",
            "shipping_amount": "10.00",
            "paid_amount": "109.00",
            "sku": "TEA-LONGJING-250",
            "title": "龙井茶 250g",
            "quantity": "2",
            "unit_price": "49.50",
        }
        headers = [str(name) for name in TEMPLATE_COLUMNS]
        content = exports.render(headers, [[example.get(name, "") for name in headers]], file_format=file_format, bom=True)
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="orderdesk-order-template.{file_format}"'
        return response


def rejected_columns(batch: ImportBatch, rejections) -> list[tuple[str, str]]:
    """(normalised name, the file's own spelling) of every column of the batch's files, in file order."""
    columns, seen = [], set()
    for file_name in batch.file_names:
        for label in batch.preview.get("headers", {}).get(file_name, []):
            name = normalise_header(label)
            if name not in seen:
                seen.add(name)
                columns.append((name, label))
    if not columns:  # headers not kept: the names of the rows' cells
        for cells in rejections.values_list("cells", flat=True)[:1000]:
            for name in cells:
                if name not in seen:
                    seen.add(name)
                    columns.append((name, name))
    return columns


# --- lines waiting for a SKU ----------------------------------------------------------------------


@admin.register(UnmappedLine)
class UnmappedLineAdmin(ListFilterLookupsOnly, ReadOnlyAdmin):
    """The clerk's list of imported lines whose platform code maps to none of our SKUs."""

    list_display = ("platform_sku_code", "title", "channel_column", "order_link", "order_status", "quantity", "placed_column")
    list_filter = ("order__channel",)
    list_select_related = ("order__channel",)
    search_fields = ("platform_sku_code",)
    search_help_text = gettext_lazy("Platform SKU code (exact or its beginning).")
    actions = ["map_to_sku"]
    list_per_page = 100
    ordering = ("platform_sku_code", "order_id")

    def get_queryset(self, request):
        return UnmappedLine.objects.waiting()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(platform_sku_code=term) | Q(platform_sku_code__startswith=term)), False

    @admin.display(description=gettext_lazy("channel"), ordering="order__channel__name")
    def channel_column(self, line):
        return line.order.channel

    @admin.display(description=gettext_lazy("order"), ordering="order_id")
    def order_link(self, line):
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[line.order_id]), line.order.number)

    @admin.display(description=gettext_lazy("order status"))
    def order_status(self, line):
        return OrderStatus(line.order.status).label

    @admin.display(description=gettext_lazy("placed"), ordering="order__placed_at")
    def placed_column(self, line):
        return line.order.placed_at

    def has_map_permission(self, request):
        return request.user.has_perm("inventory.add_skualias")

    @admin.action(description=gettext_lazy("Map their platform codes to one of our SKUs…"), permissions=["map"])
    def map_to_sku(self, request, queryset):
        pairs = sorted(set(queryset.values_list("order__channel_id", "platform_sku_code")))
        channels = Channel.objects.in_bulk({channel_id for channel_id, _code in pairs})
        form = MapSkuForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            sku = form.cleaned_data["sku"]
            for channel_id, code in pairs:
                try:
                    _alias, released = services.sku_alias_create(
                        actor=request.user, channel=channels[channel_id], platform_sku_code=code, sku=sku
                    )
                except DomainError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        ngettext(
                            "%(channel)s: %(code)s → %(sku)s; %(count)s order updated.",
                            "%(channel)s: %(code)s → %(sku)s; %(count)s orders updated.",
                            released,
                        )
                        % {"channel": channels[channel_id], "code": code, "sku": sku.code, "count": released},
                    )
            return None
        return bulk_action_page(
            self,
            request,
            queryset,
            form,
            title=_("Map platform codes to our SKU"),
            submit_label=_("Map"),
            intro=_(
                "Each of these platform codes becomes an alias of the SKU you choose; every order waiting for it "
                "is mapped and, once none of its lines waits, released from hold."
            ),
            listed=[f"{channels[channel_id]}: {code}" for channel_id, code in pairs[:SHOWN_ROWS]],
        )

