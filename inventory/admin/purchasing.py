"""Purchase requests in the admin: lists, one form page per step, each a call
to inventory.services. (The replenishment suggestions they are drafted from
are computed from orders' demand: their screen is orders.admin.replenishment.)"""

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_pages import run_form_page
from core.errors import DomainError
from core.fsm import may_run

from .. import services
from ..models import SKU, PurchaseRequest, PurchaseRequestLine, Supplier, Warehouse


class PurchaseRequestLineInline(admin.TabularInline):
    model = PurchaseRequestLine
    fields = ("sku", "quantity", "received_quantity")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


LINE = re.compile(r"^\s*(\S+)[\s,;×x*]+(\d+)\s*$")


class PurchaseRequestCreateForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.filter(is_active=True))
    supplier = forms.ModelChoiceField(label=gettext_lazy("Supplier"), queryset=Supplier.objects.all(), required=False)
    lines = forms.CharField(
        label=gettext_lazy("SKUs and quantities"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "TEA-LJ-50G 24\nTEA-TGY-100G 12"}),
        help_text=gettext_lazy("One SKU code and a quantity per line (pasting two columns from Excel works)."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)

    def clean_lines(self):
        wanted, problems = {}, []
        for number, text in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not text.strip():
                continue
            match = LINE.match(text)
            if not match:
                problems.append(_("Line %(line)s: “%(text)s” is not a SKU code and a quantity.") % {"line": number, "text": text})
                continue
            wanted[match[1]] = wanted.get(match[1], 0) + int(match[2])
        skus = {sku.code: sku for sku in SKU.objects.filter(code__in=wanted)}
        problems += [_("Unknown SKU: %(code)s") % {"code": code} for code in wanted if code not in skus]
        if problems:
            raise forms.ValidationError(problems)
        return {skus[code]: quantity for code, quantity in wanted.items()}


class ReasonForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class PlaceForm(forms.Form):
    expected_at = forms.DateField(
        label=gettext_lazy("Expected on"),
        required=False,
        help_text=gettext_lazy("Empty: today plus the supplier's lead time."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReceiveForm(forms.Form):
    def __init__(self, *args, purchase_request, **kwargs):
        super().__init__(*args, **kwargs)
        for line in purchase_request.lines.select_related("sku"):
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.sku.code} — {_('expected')} {line.outstanding} / {line.quantity}",
                min_value=0,
                max_value=line.outstanding,
                initial=line.outstanding,
            )



@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "warehouse", "supplier", "created_by", "created_at", "decided_by", "expected_at")
    list_filter = ("status", "warehouse", "supplier")
    list_select_related = ("warehouse", "supplier", "created_by", "decided_by")
    search_fields = ("number",)
    inlines = [PurchaseRequestLineInline]
    fields = (
        ("number", "status"),
        ("warehouse", "supplier"),
        "note",
        ("created_by", "created_at", "submitted_at"),
        ("decided_by", "decided_at", "decision_note"),
        ("ordered_at", "expected_at", "received_at", "cancelled_at"),
    )
    readonly_fields = [
        "number", "status", "warehouse", "supplier", "note", "created_by", "created_at", "submitted_at",
        "decided_by", "decided_at", "decision_note", "ordered_at", "expected_at", "received_at", "cancelled_at",
    ]

    STEPS = {
        # transition name: (service, form asking what it needs)
        "submit": (services.purchase_request_submit, None),
        "approve": (services.purchase_request_approve, NoteForm),
        "reject": (services.purchase_request_reject, ReasonForm),
        "place": (services.purchase_request_place, PlaceForm),
        "cancel": (services.purchase_request_cancel, ReasonForm),
        "mark_received": (services.purchase_request_receive, ReceiveForm),
    }

    def has_change_permission(self, request, obj=None):
        return False  # changed only by the steps below

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("new/", self.admin_site.admin_view(self.create_view), name="inventory_purchaserequest_create"),
            path(
                "<path:object_id>/do/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="inventory_purchaserequest_action",
            ),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return self.create_view(request)

    def create_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        created = {}

        def run(data):
            created["request"] = services.purchase_request_create(
                actor=request.user, warehouse=data["warehouse"], supplier=data["supplier"], lines=data["lines"], note=data["note"]
            )
            return _("%(number)s drafted. Submit it for approval.") % {"number": created["request"].number}

        response = run_form_page(
            self,
            request,
            PurchaseRequestCreateForm,
            title=_("New purchase request"),
            run=run,
            back_url=reverse("admin:inventory_purchaserequest_changelist"),
        )
        if "request" in created:
            response["Location"] = reverse("admin:inventory_purchaserequest_change", args=[created["request"].pk])
        return response

    def _steps_for(self, purchase_request, user) -> list[dict]:
        steps = []
        for name in self.STEPS:
            if may_run(purchase_request, name, user):
                steps.append({"name": name, "label": services.PURCHASE_ACTION_LABELS[name]})
        return steps

    def change_view(self, request, object_id, form_url="", extra_context=None):
        purchase_request = self.get_object(request, object_id)
        if purchase_request is not None:
            extra_context = {**(extra_context or {}), "purchase_buttons": self._steps_for(purchase_request, request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def step_view(self, request, object_id, step):
        purchase_request = self.get_object(request, object_id)
        if purchase_request is None or step not in self.STEPS:
            raise Http404
        if not self.has_view_permission(request, purchase_request):
            raise PermissionDenied
        service, form_class = self.STEPS[step]
        label = services.PURCHASE_ACTION_LABELS[step]
        back = reverse("admin:inventory_purchaserequest_change", args=[purchase_request.pk])
        form_kwargs = {}
        if form_class is None:

            class Confirm(forms.Form):
                pass

            form_class = Confirm
        if form_class is ReceiveForm:
            form_kwargs = {"purchase_request": purchase_request}

        def run(data):
            if step == "mark_received":
                quantities = {int(name[5:]): units for name, units in data.items() if name.startswith("line_")}
                service(actor=request.user, purchase_request_id=purchase_request.pk, quantities=quantities)
            else:
                service(actor=request.user, purchase_request_id=purchase_request.pk, **{k: v for k, v in data.items()})
            return _("%(number)s: %(action)s — done.") % {"number": purchase_request.number, "action": label}

        return run_form_page(
            self,
            request,
            form_class,
            title=label,
            run=run,
            back_url=back,
            obj=purchase_request,
            form_kwargs=form_kwargs,
        )
