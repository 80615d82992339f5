"""After-sales screens: the tickets list for customer service (filters by
status, kind, owner and overdue), each ticket's page with exactly the steps
the user may take, and the warehouse's receive and inspect steps — without a
price or an amount for roles that may not see money."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.admin_pages import ObjectActionsMixin, ReadOnlyAdmin
from core.errors import DomainError
from finance.models import Refund
from orders import permissions
from core.list_lookups import ListFilterLookupsOnly
from orders.selectors import order_timeline

from ..models import ReturnLine, ReturnRequest, TicketSLA
from ..services import STEP_LABELS, check_step
from .actions import TICKET_ACTIONS, ticket_buttons


class OwnerFilter(admin.SimpleListFilter):
    title = gettext_lazy("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        owners = (
            get_user_model()
            .objects.filter(owned_tickets__isnull=False)
            .distinct()
            .order_by("username")
            .values_list("pk", "username")
        )
        return [("mine", _("Mine")), ("nobody", _("Nobody")), *((str(pk), name) for pk, name in owners)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.filter(owner=request.user)
        if value == "nobody":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("today", _("Due within 24 hours")), ("open", pgettext_lazy("tickets not yet closed", "Open"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.overdue(now)
        if self.value() == "today":
            return queryset.open().filter(due_at__gte=now, due_at__lt=now + timedelta(hours=24))
        if self.value() == "open":
            return queryset.open()
        return queryset


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    fields = ("order_line", "quantity", "received_quantity", "sellable_quantity", "damaged_quantity", "replacement_sku")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line", "replacement_sku")

    def has_add_permission(self, request, obj=None):
        return False


class RefundInline(admin.TabularInline):
    """Only for roles that may see amounts (not the warehouse)."""

    model = Refund
    fields = ("amount", "currency", "status", "created_at", "paid_at", "failure_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("refunds of this ticket")

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return permissions.can_see_amounts(request.user) and super().has_view_permission(request, obj)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ListFilterLookupsOnly, ObjectActionsMixin, ReadOnlyAdmin):
    list_display = ("number", "order", "kind", "reason", "status_badge", "owner", "due_column", "created_at")
    list_filter = ("status", "kind", OwnerFilter, OverdueFilter, "reason")
    list_select_related = ("order", "owner")
    list_per_page = 100
    show_full_result_count = False
    search_fields = ("number",)  # the real search is get_search_results: exact and indexed
    search_help_text = gettext_lazy("Exact ticket number, order number, platform order id or return tracking number.")
    inlines = [ReturnLineInline, RefundInline]
    object_actions = TICKET_ACTIONS
    fieldsets = (
        (None, {"fields": (("number", "status"), ("order", "kind", "reason"), ("owner", "created_at", "due_at"), "note")}),
        (
            gettext_lazy("Goods back"),
            {
                "fields": (
                    ("return_carrier", "return_tracking_number", "warehouse"),
                    ("received_at", "received_by"),
                    ("inspected_at", "inspected_by"),
                    ("qc_reference", "qc_note"),
                )
            },
        ),
        (gettext_lazy("Resolution"), {"fields": (("replacement_order", "resolution", "closed_at"),)}),
    )

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, ticket):
        return format_html('<span class="od-status od-ticket-{}">{}</span>', ticket.status, ticket.get_status_display())

    @admin.display(description=gettext_lazy("due"), ordering="due_at")
    def due_column(self, ticket):
        if ticket.due_at is None:
            return "-"
        due = timezone.localtime(ticket.due_at).strftime("%Y-%m-%d %H:%M")
        if ticket.is_overdue():
            return format_html('<span class="od-overdue">{} — {}</span>', due, _("overdue"))
        return due

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        match = (
            Q(number=term.upper())
            | Q(order__number=term.upper())
            | Q(order__platform_order_id=term)
            | Q(return_tracking_number=term)
        )
        return queryset.filter(match), False

    # --- the ticket page: its steps and its history ----------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, object_id)
        if ticket is not None and self.has_view_permission(request, ticket):
            # The order's timeline as this user may see it, this ticket's steps only.
            history = order_timeline(
                ticket.order, request.user, events=ticket.order.events.filter(parameters__ticket=ticket.number)
            )
            extra_context = {
                **(extra_context or {}),
                **self.object_page_context(request, ticket),
                "timeline": history,
                "is_overdue": ticket.is_overdue(),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def object_buttons(self, ticket, user):
        return ticket_buttons(ticket, user)

    def action_refused(self, request, ticket, name, action):
        # Say what stops the step (the ticket's status, a condition) before blaming the role.
        try:
            if name in STEP_LABELS:
                check_step(ticket, name, request.user)
        except DomainError as refusal:
            return str(refusal)
        return _("%(ticket)s: your role may not “%(action)s”.") % {"ticket": ticket, "action": action.label}


@admin.register(TicketSLA)
class TicketSLAAdmin(admin.ModelAdmin):
    """Supervisors edit how long each kind of ticket may take (tickets opened afterwards follow)."""

    list_display = ("kind", "hours")
    list_editable = ("hours",)
    fields = ("kind", "hours")

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

