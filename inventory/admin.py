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


def save_alias(request, alias, *, change: bool):
    """Through the mapping service: a new alias also maps the imported lines waiting for it (issue 3)."""
    from orders import services  # orders' services build on inventory; imported when used

    if change:
        saved, _mapped = services.sku_alias_change(
            actor=request.user, alias_id=alias.pk, platform_sku_code=alias.platform_sku_code, sku=alias.sku
        )
    else:
        saved, _mapped = services.sku_alias_create(
            actor=request.user, channel=alias.channel, platform_sku_code=alias.platform_sku_code, sku=alias.sku
        )
    alias.pk = saved.pk  # the admin links to and logs the saved alias
    alias._state.adding = False


@admin.register(SKU)
class SKUAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "barcode", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "barcode")
    inlines = [SKUAliasInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not SKUAlias:
            return super().save_formset(request, form, formset, change)
        for alias in formset.save(commit=False):
            alias.sku = form.instance
            save_alias(request, alias, change=alias.pk is not None)
        for alias in formset.deleted_objects:
            alias.delete()
        return None


@admin.register(SKUAlias)
class SKUAliasAdmin(admin.ModelAdmin):
    list_display = ("platform_sku_code", "channel", "sku")
    list_filter = ("channel",)
    list_select_related = ("channel", "sku")
    search_fields = ("platform_sku_code", "sku__code")
    autocomplete_fields = ("sku",)

    def get_readonly_fields(self, request, obj=None):
        return ("channel",) if obj else ()

    def save_model(self, request, obj, form, change):
        save_alias(request, obj, change=change)


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
