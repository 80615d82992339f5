"""The clerk's order screens. Declarative, scoped by role; every change goes
through orders.services (or the services of the apps that register their
order-page actions in ORDER_ACTIONS)."""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import PAGE_VAR
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rangefilter.filters import DateRangeFilterBuilder

from core.admin_pages import ObjectActionsMixin, ReasonForm, bulk_action_page
from core.list_lookups import ListFilterLookupsOnly
from core.errors import DomainError
from orders import permissions, selectors, services
from orders.importers import cleaning
from orders.models import ExceptionReason, Order, OrderLine

from .exports import OrderExportMixin
from .order_actions import ORDER_ACTIONS, ORDER_PAGE_SECTIONS, credit_decision_facts, order_buttons
from .pagination import EstimatedCountPaginator

ORDER_NUMBER = re.compile(r"^SO\d{6,}$", re.IGNORECASE)
# One request runs one transaction per order: beyond this, use a filter and a job.
BULK_LIMIT = 2000


class ExceptionFilter(admin.SimpleListFilter):
    title = gettext_lazy("exception")
    parameter_name = "exception"

    def lookups(self, request, model_admin):
        return [("any", _("Any open exception")), ("mine", _("Owned by me")), ("none", _("No exception")), *ExceptionReason.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.with_open_exception()
        if value == "mine":
            return queryset.filter(exception_owner=request.user)
        if value == "none":
            return queryset.filter(exception_reason="")
        if value in ExceptionReason.values:
            return queryset.filter(exception_reason=value)
        return queryset


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("sku", "platform_sku_code", "title", "quantity", "unit_price", "discount_amount")
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        if permissions.can_see_amounts(request.user):
            return self.fields
        return [field for field in self.fields if field not in permissions.LINE_MONEY_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderDetailsForm(forms.ModelForm):
    """Asks the service whether the corrections may still be made (the order
    may have moved on since the page was opened), so that a refusal is shown
    on the form with the clerk's input kept."""

    class Meta:
        model = Order
        fields = services.EDITABLE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            original = Order.objects.get(pk=self.instance.pk)
            changes = {field: cleaned.get(field) for field in self.changed_data}
            for problem in services.order_details_problems(original, changes):
                self.add_error(None, problem)
        return cleaned


@admin.register(Order)
class OrderAdmin(ListFilterLookupsOnly, ObjectActionsMixin, OrderExportMixin, admin.ModelAdmin):
    form = OrderDetailsForm
    object_actions = ORDER_ACTIONS
    inlines = [OrderLineInline]
    list_display = (
        "number",
        "platform_order_id",
        "channel",
        "ship_name",
        "ship_phone",
        "status_badge",
        "exception_reason",
        "warehouse",
        "priority",
        "order_total",
        "placed_at",
        "promised_ship_by",
    )
    list_display_links = ("number",)
    list_select_related = ("channel", "warehouse")
    list_filter = (
        "status",
        "channel",
        "warehouse",
        ExceptionFilter,
        "priority",
        ("placed_at", DateRangeFilterBuilder(title=gettext_lazy("placed"))),
        ("paid_at", DateRangeFilterBuilder(title=gettext_lazy("paid"))),
    )
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    autocomplete_fields = ("customer",)
    search_fields = ("number",)  # the real search is get_search_results: exact, indexed
    search_help_text = gettext_lazy(
        "Exact order number, platform order id, tracking number, recipient or buyer account, or phone."
    )
    actions = ["bulk_approve", "bulk_allocate", "bulk_hold", "bulk_cancel", "bulk_merge", "export_orders"]
    fieldsets = (
        (None, {"fields": (("number", "status", "priority"), ("channel", "platform_order_id", "buyer_nick"), ("warehouse", "customer"))}),
        (
            gettext_lazy("Ship to"),
            {
                "fields": (
                    ("ship_name", "ship_phone"),
                    ("ship_country", "ship_province", "ship_city", "ship_district"),
                    ("ship_address", "ship_postcode"),
                )
            },
        ),
        (
            gettext_lazy("Amounts"),
            {"fields": (("currency", "goods_amount", "shipping_amount"), ("discount_amount", "tax_amount", "paid_amount"))},
        ),
        (
            gettext_lazy("Fulfilment"),
            {
                "fields": (
                    ("carrier", "tracking_number", "promised_ship_by"),
                    ("merged_into", "split_from"),
                    ("hold_reason", "cancel_reason"),
                )
            },
        ),
        (
            gettext_lazy("Exception"),
            {"fields": (("exception_reason", "exception_owner", "exception_raised_at"), "exception_note")},
        ),
        (gettext_lazy("Messages"), {"fields": (("buyer_message", "seller_memo"),)}),
        (
            gettext_lazy("Milestones"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("placed_at", "paid_at", "approved_at"),
                    ("allocated_at", "picking_at", "packed_at"),
                    ("shipped_at", "delivered_at", "completed_at"),
                    ("cancelled_at", "created_at", "updated_at"),
                ),
            },
        ),
    )

    # --- columns ----------------------------------------------------------

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, order):
        return format_html('<span class="od-status od-status-{}">{}</span>', order.status, order.get_status_display())

    @admin.display(description=gettext_lazy("total"))
    def order_total(self, order):
        return f"{order.total_amount} {order.currency}"

    # --- scope by role ------------------------------------------------------

    def get_list_display(self, request):
        hidden = permissions.hidden_order_fields(request.user)
        if "goods_amount" in hidden:
            hidden.add("order_total")
        return [column for column in self.list_display if column not in hidden]

    def get_fieldsets(self, request, obj=None):
        hidden = permissions.hidden_order_fields(request.user)
        fieldsets = []
        for title, options in self.fieldsets:
            rows = []
            for row in options["fields"]:
                row = tuple(field for field in (row if isinstance(row, tuple) else (row,)) if field not in hidden)
                if row:
                    rows.append(row)
            if rows:
                fieldsets.append((title, {**options, "fields": rows}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        all_fields = flatten_fieldsets(self.fieldsets)
        editable = services.order_editable_fields(obj) if obj and self.has_change_permission(request, obj) else set()
        return [field for field in all_fields if field not in editable]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form only carries the fields this user may see and edit.
        hidden = permissions.hidden_order_fields(request.user)
        kwargs["fields"] = [
            field
            for field in services.EDITABLE_FIELDS
            if field not in hidden and field not in self.get_readonly_fields(request, obj)
        ]
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("warehouse", "customer"):
            # Choose one here; warehouses and customers are edited on their own pages.
            widget = formfield.widget
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
        return formfield

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if ORDER_NUMBER.match(term):
            return queryset.filter(number=term.upper()), False
        match = Q(platform_order_id=term) | Q(tracking_number=term) | Q(ship_name=term) | Q(buyer_nick=term)
        if permissions.can_see_buyer_contact(request.user):
            phone = cleaning.phone(term)  # as the importers stored it
            if phone.removeprefix("+").isdigit():
                match |= Q(ship_phone=phone)
        return queryset.filter(match), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        page = request.GET.get(PAGE_VAR, "1")
        return self.paginator(
            queryset, per_page, orphans, allow_empty_first_page, page_hint=int(page) if page.isdigit() else 1
        )

    def has_add_permission(self, request):
        return False  # orders arrive from the channels (imports) or from services, not typed in here

    def has_delete_permission(self, request, obj=None):
        return False  # an order is cancelled, never deleted: its timeline is the audit trail

    # --- saving corrections --------------------------------------------------

    def save_model(self, request, obj, form, change):
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        services.order_update_details(actor=request.user, order_id=obj.pk, changes=changes)

    # --- the change page: buttons and the timeline ---------------------------------

    def object_buttons(self, order, user):
        return order_buttons(order, user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        if order is not None and self.has_view_permission(request, order):
            extra_context = {
                **(extra_context or {}),
                **self.object_page_context(request, order),
                "timeline": selectors.order_timeline(order, request.user),
                "sections": [html for section in ORDER_PAGE_SECTIONS if (html := section(request, order))],
                "credit_facts": credit_decision_facts(order, request.user)
                if order.exception_reason == ExceptionReason.CREDIT_REVIEW
                else [],
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- bulk actions --------------------------------------------------------

    def _run_bulk(self, request, queryset, action, data=None):
        spec = ORDER_ACTIONS[action]
        if queryset.count() > BULK_LIMIT:
            self.message_user(
                request, _("Select at most %(limit)d orders for one bulk action.") % {"limit": BULK_LIMIT}, messages.ERROR
            )
            return
        done, failed = 0, []
        for order_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                spec.run(order_id, request.user, data or {})
                done += 1
            except DomainError as error:
                failed.append(str(error))
        if done:
            self.message_user(request, _("%(action)s: %(count)d orders done.") % {"action": spec.label, "count": done})
        if failed:
            self.message_user(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    _("%(action)s failed for %(count)d orders:") % {"action": spec.label, "count": len(failed)},
                    format_html("".join("<li>{}</li>" for __ in failed), *failed),
                ),
                messages.ERROR,
            )

    def _bulk_with_reason(self, request, queryset, action):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._run_bulk(request, queryset, action, {"reason": form.cleaned_data["reason"]})
            return None
        label = ORDER_ACTIONS[action].label
        return bulk_action_page(self, request, queryset, form, title=label, submit_label=label)

    @admin.action(description=gettext_lazy("Approve selected orders"), permissions=["approve"])
    def bulk_approve(self, request, queryset):
        self._run_bulk(request, queryset, "approve")

    @admin.action(description=gettext_lazy("Allocate stock to selected orders"), permissions=["allocate"])
    def bulk_allocate(self, request, queryset):
        self._run_bulk(request, queryset, "allocate")

    @admin.action(description=gettext_lazy("Put selected orders on hold…"), permissions=["hold"])
    def bulk_hold(self, request, queryset):
        return self._bulk_with_reason(request, queryset, "hold")

    @admin.action(description=gettext_lazy("Cancel selected orders…"), permissions=["cancel"])
    def bulk_cancel(self, request, queryset):
        return self._bulk_with_reason(request, queryset, "cancel")

    @admin.action(description=gettext_lazy("Merge selected orders (ship in one parcel)"), permissions=["merge"])
    def bulk_merge(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True)[: BULK_LIMIT + 1])
        try:
            master = services.order_merge(actor=request.user, order_ids=ids)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("%(count)d orders now ship together under %(order)s.") % {"count": len(ids), "order": master})

    def has_merge_permission(self, request):
        return request.user.has_perm("orders.merge_orders")

    def has_approve_permission(self, request):
        return request.user.has_perm("orders.approve_order")

    def has_allocate_permission(self, request):
        return request.user.has_perm("orders.allocate_order")

    def has_hold_permission(self, request):
        return request.user.has_perm("orders.hold_order")

    def has_cancel_permission(self, request):
        return request.user.has_perm("orders.cancel_order") or request.user.has_perm("orders.cancel_allocated_order")
