"""URLs for benchmarks/changelist.py (not a benchmark of its own).

The project's URLs, plus the same order list served as stock Django admin would
serve it, at /stock-admin/: the baseline measured in the same run on the same
data. Everything else on that site is registered as in the project, so both
pages build the same sidebar and differ only in the order admin.
"""

from django.contrib import admin
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from orders.admin.orders import OrderAdmin
from orders.models import Order

STOCK_PREFIX = "stock-admin/"


class StockOrderAdmin(admin.ModelAdmin):
    """OrderAdmin's columns and filters with Django's defaults for what the
    project changes: icontains search over five columns, the default
    Paginator (COUNT(*)), show_full_result_count=True, facets allowed."""

    list_display = OrderAdmin.list_display
    list_select_related = OrderAdmin.list_select_related
    list_filter = OrderAdmin.list_filter
    list_per_page = OrderAdmin.list_per_page
    search_fields = ("number", "platform_order_id", "ship_phone", "tracking_number", "ship_name")
    # An action every user may run, so that the list has the checkbox column and
    # action bar as ours does for the Clerk: one checkbox widget per row is about a
    # fifth of the rendering time, and without it the baseline would look faster.
    actions = ["baseline_no_op"]

    status_badge = OrderAdmin.status_badge
    order_total = OrderAdmin.order_total

    @admin.action(description="Baseline no-op")
    def baseline_no_op(self, request, queryset):
        pass


stock_site = admin.AdminSite(name="stock_admin")
for model, model_admin in admin.site._registry.items():
    if model is not Order:
        stock_site.register(model, type(model_admin))
stock_site.register(Order, StockOrderAdmin)

urlpatterns = [path(STOCK_PREFIX, stock_site.urls), *project_urlpatterns]
