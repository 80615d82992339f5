"""Stock screens: master data is edited here; stock levels and the ledger are
read-only (they change only through inventory.services)."""

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .models import SKU, SKUAlias, StockLevel, StockMovement, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "priority", "regions", "is_active")
    search_fields = ("name", "code")


class SKUAliasInline(admin.TabularInline):
    model = SKUAlias
    extra = 0


@admin.register(SKU)
class SKUAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "barcode", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "barcode")
    inlines = [SKUAliasInline]


@admin.register(SKUAlias)
class SKUAliasAdmin(admin.ModelAdmin):
    list_display = ("platform_sku_code", "channel", "sku")
    list_filter = ("channel",)
    list_select_related = ("channel", "sku")
    search_fields = ("platform_sku_code", "sku__code")
    autocomplete_fields = ("sku",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("sku", "warehouse", "on_hand", "reserved", "available_column")
    list_filter = ("warehouse",)
    list_select_related = ("sku", "warehouse")
    search_fields = ("sku__code", "sku__name", "sku__barcode")

    @admin.display(description=_("available"), ordering=F("on_hand") - F("reserved"))
    def available_column(self, level):
        return level.available


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "stock_level", "on_hand_delta", "reserved_delta", "reference", "actor")
    list_filter = ("kind", "stock_level__warehouse")
    list_select_related = ("stock_level__sku", "stock_level__warehouse", "actor")
    search_fields = ("reference", "stock_level__sku__code")
    show_full_result_count = False
