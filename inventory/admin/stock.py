"""Stock screens: master data is edited here through inventory.services (each
change on the record's history); stock levels and the ledger are read-only
(they change only through inventory.services). Receipts, adjustments, counts
and imports are form pages that call the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.urls import path, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_pages import ReadOnlyAdmin, run_form_page
from core.admin_records import RecordHistoryMixin, adopt_saved, form_values

from .. import services
from ..models import SKU, AdjustmentReason, StockCount, StockLevel, StockMovement, Supplier, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(RecordHistoryMixin, admin.ModelAdmin):
    list_display = ("name", "code", "priority", "regions", "is_active")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        values = form_values(form, change=change)
        if change:
            services.warehouse_update(actor=request.user, warehouse_id=obj.pk, values=values)
        else:
            adopt_saved(obj, services.warehouse_create(actor=request.user, values=values))


@admin.register(Supplier)
class SupplierAdmin(RecordHistoryMixin, admin.ModelAdmin):
    list_display = ("name", "code", "lead_time_days", "contact")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        values = form_values(form, change=change)
        if change:
            services.supplier_update(actor=request.user, supplier_id=obj.pk, values=values)
        else:
            adopt_saved(obj, services.supplier_create(actor=request.user, values=values))


@admin.register(SKU)
class SKUAdmin(RecordHistoryMixin, admin.ModelAdmin):
    """The channels' codes for a SKU (its aliases) are edited on this page too:
    orders' admin adds them (orders.admin.sku_aliases), since saving one maps the
    imported order lines waiting for it."""

    list_display = ("code", "name", "barcode", "supplier", "is_active")
    list_filter = ("is_active", "supplier")
    list_select_related = ("supplier",)
    search_fields = ("code", "name", "barcode")

    def save_model(self, request, obj, form, change):
        values = form_values(form, change=change)
        if change:
            services.sku_update(actor=request.user, sku_id=obj.pk, values=values)
        else:
            adopt_saved(obj, services.sku_create(actor=request.user, values=values))


# --- forms of the stock pages -----------------------------------------------------------


class _StockForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.filter(is_active=True))
    sku = forms.ModelChoiceField(
        label=gettext_lazy("SKU"),
        queryset=SKU.objects.all(),
        to_field_name="code",
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": gettext_lazy("SKU code")}),
        error_messages={"invalid_choice": gettext_lazy("No SKU has this code.")},
    )


class ReceiptForm(_StockForm):
    quantity = forms.IntegerField(label=gettext_lazy("Units received"), min_value=1)
    reference = forms.CharField(label=gettext_lazy("Delivery note"), max_length=100, required=False)
    reason = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class AdjustmentForm(_StockForm):
    quantity = forms.IntegerField(
        label=gettext_lazy("Change in units"), help_text=gettext_lazy("Negative when units are gone, e.g. −2.")
    )
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=AdjustmentReason.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class CountForm(_StockForm):
    counted = forms.IntegerField(label=gettext_lazy("Units counted on the shelf"), min_value=0)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV, TSV or XLSX)"),
        help_text=gettext_lazy(
            "Columns by header name: warehouse (code), SKU (code) or barcode, and any of on hand, "
            "safety stock, location. Chinese headers (仓库, 商家编码, 条码, 库存, 安全库存, 库位) work too. "
            "UTF-8 or GBK/GB18030."
        ),
    )
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse for rows without one"),
        queryset=Warehouse.objects.filter(is_active=True),
        required=False,
    )


class StockLevelForm(forms.ModelForm):
    class Meta:
        model = StockLevel
        fields = ("safety_stock", "location")


@admin.register(StockLevel)
class StockLevelAdmin(RecordHistoryMixin, admin.ModelAdmin):
    form = StockLevelForm
    list_display = (
        "sku_code",
        "sku_name",
        "warehouse",
        "location",
        "on_hand",
        "reserved",
        "available_column",
        "safety_stock",
        "available_to_sell_column",
        "quarantined",
    )
    list_filter = ("warehouse",)
    list_select_related = ("sku", "warehouse")
    search_fields = ("sku__code", "sku__name", "sku__barcode", "location")
    readonly_fields = ("warehouse", "sku", "on_hand", "reserved", "quarantined")
    fields = ("warehouse", "sku", "on_hand", "reserved", "quarantined", "safety_stock", "location")

    @admin.display(description=gettext_lazy("SKU"), ordering="sku__code")
    def sku_code(self, level):
        return level.sku.code

    @admin.display(description=gettext_lazy("name"))
    def sku_name(self, level):
        return Truncator(level.sku.name).chars(40)

    @admin.display(description=gettext_lazy("available"), ordering=F("on_hand") - F("reserved"))
    def available_column(self, level):
        return level.available

    @admin.display(description=gettext_lazy("available to sell"))
    def available_to_sell_column(self, level):
        return level.available_to_sell

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.stock_level_update_settings(
            actor=request.user,
            level_id=obj.pk,
            safety_stock=form.cleaned_data["safety_stock"],
            location=form.cleaned_data["location"],
        )

    # --- receipts, adjustments, counts, import ----------------------------------

    PAGES = {
        "receive": ("inventory.receive_stock", gettext_lazy("Receive stock")),
        "adjust": ("inventory.adjust_stock", gettext_lazy("Adjust stock")),
        "count": ("inventory.count_stock", gettext_lazy("Record a stock count")),
        "import": ("inventory.count_stock", gettext_lazy("Import stock levels")),
    }

    def get_urls(self):
        return [
            path(f"{name}/", self.admin_site.admin_view(getattr(self, f"{name}_view")), name=f"inventory_stocklevel_{name}")
            for name in self.PAGES
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        tools = [
            {"url": reverse(f"admin:inventory_stocklevel_{name}"), "label": label}
            for name, (permission, label) in self.PAGES.items()
            if request.user.has_perm(permission)
        ]
        return super().changelist_view(request, {**(extra_context or {}), "stock_tools": tools})

    def _page(self, request, name, form_class, run, intro=""):
        permission, label = self.PAGES[name]
        if not request.user.has_perm(permission):
            raise PermissionDenied
        back = reverse("admin:inventory_stocklevel_changelist")
        return run_form_page(self, request, form_class, title=label, run=run, back_url=back, intro=intro)

    def receive_view(self, request):
        def run(data):
            level = services.stock_receive(
                actor=request.user,
                warehouse=data["warehouse"],
                sku=data["sku"],
                quantity=data["quantity"],
                reference=data["reference"],
                reason=data["reason"],
            )
            return _("%(level)s: %(quantity)s received, %(on_hand)s on hand.") % {
                "level": level,
                "quantity": data["quantity"],
                "on_hand": level.on_hand,
            }

        return self._page(request, "receive", ReceiptForm, run)

    def adjust_view(self, request):
        def run(data):
            level = services.stock_adjust(
                actor=request.user,
                warehouse=data["warehouse"],
                sku=data["sku"],
                quantity=data["quantity"],
                reason=data["reason"],
                note=data["note"],
            )
            return _("%(level)s adjusted by %(quantity)+d: %(on_hand)s on hand.") % {
                "level": level,
                "quantity": data["quantity"],
                "on_hand": level.on_hand,
            }

        return self._page(request, "adjust", AdjustmentForm, run)

    def count_view(self, request):
        def run(data):
            count = services.stock_count_record(
                actor=request.user, warehouse=data["warehouse"], sku=data["sku"], counted=data["counted"], note=data["note"]
            )
            return _("%(level)s counted: %(counted)s (books had %(expected)s, difference %(difference)+d).") % {
                "level": count.stock_level,
                "counted": count.counted,
                "expected": count.expected,
                "difference": count.difference,
            }

        return self._page(request, "count", CountForm, run)

    def import_view(self, request):
        def run(data):
            upload = data["file"]
            result = services.stock_levels_import(
                actor=request.user, source=upload.file, file_name=upload.name, warehouse=data["warehouse"]
            )
            return _(
                "%(file)s imported: %(rows)s rows, on hand changed on %(changed)s, safety stock or location on %(settings)s."
            ) % {"file": upload.name, "rows": result.rows, "changed": result.changed, "settings": result.settings_changed}

        intro = _(
            "On hand in the file is what was counted: each difference is written to the ledger as an import "
            "movement. One bad row refuses the whole file, and every problem is listed."
        )
        return self._page(request, "import", ImportForm, run, intro)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "stock_level",
        "on_hand_delta",
        "reserved_delta",
        "quarantined_delta",
        "reference_type",
        "reference",
        "reason",
        "actor",
    )
    list_filter = ("kind", "reference_type", "stock_level__warehouse")
    list_select_related = ("stock_level__sku", "stock_level__warehouse", "actor")
    search_fields = ("reference", "stock_level__sku__code")
    show_full_result_count = False


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "counted_at", "stock_level", "expected", "counted", "difference_column", "counted_by", "note")
    list_filter = ("stock_level__warehouse",)
    list_select_related = ("stock_level__sku", "stock_level__warehouse", "counted_by")
    search_fields = ("stock_level__sku__code",)

    @admin.display(description=gettext_lazy("difference"))
    def difference_column(self, count):
        return f"{count.difference:+d}"
