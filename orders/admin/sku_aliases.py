"""SKU aliases (a channel's code for one of our SKUs) in the admin, on their
own list and on the SKU's page. Saving one goes through orders' mapping
service: a new alias also maps the imported lines waiting for it (issue 3),
which is why these screens live here rather than in inventory's admin."""

from django.contrib import admin

from core.admin_records import adopt_saved
from inventory.admin.stock import SKUAdmin
from inventory.models import SKU, SKUAlias

from .. import services


def save_alias(request, alias, *, change: bool):
    if change:
        saved, _mapped = services.sku_alias_change(
            actor=request.user, alias_id=alias.pk, platform_sku_code=alias.platform_sku_code, sku=alias.sku
        )
    else:
        saved, _mapped = services.sku_alias_create(
            actor=request.user, channel=alias.channel, platform_sku_code=alias.platform_sku_code, sku=alias.sku
        )
    adopt_saved(alias, saved)  # the admin links to and logs the saved alias


class SKUAliasInline(admin.TabularInline):
    model = SKUAlias
    extra = 0


admin.site.unregister(SKU)


@admin.register(SKU)
class SKUWithAliasesAdmin(SKUAdmin):
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
