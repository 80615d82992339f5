"""Replenishment suggestions in the admin: the list, *Refresh now* and
*Turn into purchase requests*. The suggestions are inventory's, computed from
the demand orders measure, so refreshing them is orders' service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_pages import ReadOnlyAdmin, run_form_page
from core.errors import DomainError
from inventory import services as stock_services
from inventory.models import ReplenishmentSuggestion

from .. import services


@admin.register(ReplenishmentSuggestion)
class ReplenishmentSuggestionAdmin(ReadOnlyAdmin):
    list_display = (
        "sku",
        "warehouse",
        "quantity",
        "available",
        "on_order",
        "reorder_point",
        "daily_demand",
        "volatility_7d",
        "demand_30d",
        "orders_30d",
        "lead_time_days",
        "computed_at",
    )
    list_filter = ("warehouse", "sku__supplier")
    list_select_related = ("sku", "warehouse")
    search_fields = ("sku__code", "sku__name")
    actions = ["create_purchase_requests"]

    @admin.action(
        description=gettext_lazy("Turn selected suggestions into purchase requests (drafts)"), permissions=["purchase"]
    )
    def create_purchase_requests(self, request, queryset):
        try:
            created = stock_services.purchase_requests_from_suggestions(
                actor=request.user, suggestion_ids=list(queryset.values_list("pk", flat=True))
            )
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            _("Purchase requests drafted: %(numbers)s. Submit them for a Supervisor's approval.")
            % {"numbers": ", ".join(pr.number for pr in created)},
        )

    def has_purchase_permission(self, request):
        return request.user.has_perm("inventory.add_purchaserequest")

    def get_urls(self):
        return [
            path("refresh/", self.admin_site.admin_view(self.refresh_view), name="inventory_replenishmentsuggestion_refresh")
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        tools = []
        if request.user.has_perm("inventory.add_purchaserequest"):
            tools.append({"url": reverse("admin:inventory_replenishmentsuggestion_refresh"), "label": _("Refresh now")})
        return super().changelist_view(request, {**(extra_context or {}), "stock_tools": tools})

    def refresh_view(self, request):
        if not request.user.has_perm("inventory.add_purchaserequest"):
            raise PermissionDenied

        class RefreshForm(forms.Form):
            pass

        def run(data):
            count = services.replenishment_refresh()
            return _("Suggestions refreshed: %(count)s SKUs to buy.") % {"count": count}

        intro = _(
            "Suggestions are refreshed every night from the demand of the last 30 days, its 7-day volatility "
            "and each supplier's lead time. Refresh them now?"
        )
        return run_form_page(
            self,
            request,
            RefreshForm,
            title=_("Refresh now"),
            run=run,
            back_url=reverse("admin:inventory_replenishmentsuggestion_changelist"),
            intro=intro,
        )
