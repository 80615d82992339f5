"""Channels and customers: edited through orders.services (each change on the
record's history), a customer's fields scoped by role as on the orders."""

from django.contrib import admin

from core.admin_records import RecordHistoryMixin, adopt_saved, form_values
from core.list_lookups import ListFilterLookupsOnly
from orders import permissions, services
from orders.models import Channel, Customer

from .exports import ChannelStockFileMixin


@admin.register(Channel)
class ChannelAdmin(RecordHistoryMixin, ChannelStockFileMixin, admin.ModelAdmin):
    list_display = ("name", "code", "platform", "default_currency", "is_active")
    actions = ["stock_file_csv", "stock_file_xlsx"]
    list_filter = ("platform", "is_active")
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        values = form_values(form, change=change)
        if change:
            services.channel_update(actor=request.user, channel_id=obj.pk, values=values)
        else:
            adopt_saved(obj, services.channel_create(actor=request.user, values=values))


@admin.register(Customer)
class CustomerAdmin(ListFilterLookupsOnly, RecordHistoryMixin, admin.ModelAdmin):
    """A role sees and searches a customer's phone and credit limit only where
    it sees them on the orders (orders.permissions), and sets only the fields
    its role decides; the list takes no lookup but its filters' (a
    ``?phone__startswith=`` would reveal a hidden phone digit by digit)."""

    fields = ("name", "company", "is_business", "grade", "phone", "email", "credit_limit", "payment_terms_days")
    list_display = ("name", "company", "is_business", "grade", "phone", "credit_limit", "payment_terms_days")
    list_filter = ("is_business", "grade")
    search_fields = ("name", "company", "phone", "email")

    def get_fields(self, request, obj=None):
        return _without_hidden(request, self.fields)

    def get_readonly_fields(self, request, obj=None):
        locked = permissions.customer_fields_locked_for(request.user)
        return [field for field in self.get_fields(request, obj) if field in locked]

    def get_list_display(self, request):
        return _without_hidden(request, self.list_display)

    def get_search_fields(self, request):
        return _without_hidden(request, self.search_fields)

    def save_model(self, request, obj, form, change):
        values = form_values(form, change=change)
        if change:
            services.customer_update(actor=request.user, customer_id=obj.pk, values=values)
        else:
            adopt_saved(obj, services.customer_create(actor=request.user, values=values))


def _without_hidden(request, names) -> list[str]:
    hidden = permissions.hidden_customer_fields(request.user)
    return [name for name in names if name not in hidden]
