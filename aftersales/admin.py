from django.contrib import admin

from inventory.admin import ReadOnlyAdmin

from .models import ReturnLine, ReturnRequest


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    fields = ("order_line", "quantity")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "order", "kind", "reason", "status", "opened_by", "created_at")
    list_filter = ("kind", "reason", "status")
    list_select_related = ("order", "opened_by")
    search_fields = ("number", "order__number")
    inlines = [ReturnLineInline]
