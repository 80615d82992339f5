"""The warehouse screens (/warehouse/): pick queue, waves and pick lists,
packing with packing slips, shipping, receiving purchases.

Server-rendered, for a barcode scanner and a keyboard: every screen that takes
a scan has its field focused, Enter submits, targets are large. Only the
Warehouse role (and a Supervisor) may use them, and they never show a price,
an amount or a phone number: the querysets (orders.selectors) do not even
load those columns. Every change is a service call.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.errors import DomainError
from inventory import selectors as stock_selectors
from inventory import services as stock_services
from inventory.models import PurchaseRequest, Warehouse, Wave

from .. import selectors, services
from ..models import Order, OrderStatus
from .filters import PickQueueFilter

QUEUE_PAGE = 200


class WarehouseScreen(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "inventory.use_warehouse_screens"

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True  # logged in, wrong role: 403, not the login page again
        return super().handle_no_permission()

    def warehouse(self) -> Warehouse:
        return get_object_or_404(Warehouse, code=self.kwargs["warehouse"], is_active=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "warehouse" in self.kwargs:
            context["warehouse"] = self.warehouse()
        return context

    def refused(self, error: DomainError):
        messages.error(self.request, str(error))

    def elsewhere(self, order: Order) -> str:
        """Why this screen's warehouse may not handle ``order`` ("" when it may)."""
        here = self.warehouse()
        if order.warehouse_id == here.pk:
            return ""
        if order.warehouse_id is None:
            return _("%(order)s is not allocated to any warehouse yet.") % {"order": order.number}
        return _("%(order)s belongs to warehouse %(warehouse)s, not %(here)s: handle it there.") % {
            "order": order.number,
            "warehouse": Warehouse.objects.get(pk=order.warehouse_id).name,
            "here": here.name,
        }


class HomeView(WarehouseScreen):
    template_name = "warehouse/home.html"
    ALLOCATE_AT_ONCE = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        warehouses = list(Warehouse.objects.filter(is_active=True))
        context["warehouses"] = [(w, selectors.queue_counts(w)) for w in warehouses]
        context["to_allocate"] = selectors.orders_to_allocate().count()
        context["waiting_for_stock"] = selectors.orders_waiting_for_stock().count()
        context["may_allocate"] = self.request.user.has_perm("orders.allocate_order")
        return context

    def post(self, request, *args, **kwargs):
        """Allocate approved orders now, as the minute job does."""
        if not request.user.has_perm("orders.allocate_order"):
            raise PermissionDenied
        # The approved orders, and those waiting for stock that may have arrived since.
        ids = list(selectors.orders_to_allocate().values_list("pk", flat=True)[: self.ALLOCATE_AT_ONCE])
        ids += list(selectors.orders_waiting_for_stock().values_list("pk", flat=True)[: self.ALLOCATE_AT_ONCE])
        result = services.orders_allocate_approved(actor=request.user, order_ids=ids)
        messages.success(
            request,
            _("%(allocated)s orders allocated; %(not_allocated)s could not be (out of stock: flagged).") % result,
        )
        return redirect("warehouse:home")


class QueueView(WarehouseScreen):
    template_name = "warehouse/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        warehouse = context["warehouse"]
        queue = selectors.pick_queue(warehouse)
        carriers = sorted(set(queue.exclude(carrier="").values_list("carrier", flat=True).order_by()))
        filterset = PickQueueFilter(self.request.GET or None, queryset=queue, carriers=carriers)
        orders = list(filterset.qs[:QUEUE_PAGE])
        for order in orders:
            riders = list(order.merged_orders.all())
            order.all_lines = [line for o in (order, *riders) for line in o.lines.all()]
            order.units = sum(line.quantity for line in order.all_lines)
            order.riders = riders
        context.update(
            filter=filterset,
            orders=orders,
            counts=selectors.queue_counts(warehouse),
            page_size=QUEUE_PAGE,
            now=timezone.now(),
        )
        return context

    def post(self, request, *args, **kwargs):
        warehouse = self.warehouse()
        ids = [int(pk) for pk in request.POST.getlist("order") if pk.isdigit()]
        try:
            wave = services.wave_create(actor=request.user, warehouse=warehouse, order_ids=ids)
        except DomainError as error:
            self.refused(error)
            return redirect(request.get_full_path())
        messages.success(
            request, _("Wave %(wave)s: %(count)s orders to pick.") % {"wave": wave.number, "count": wave.wave_orders.count()}
        )
        return redirect("warehouse:wave", number=wave.number)


class WavesView(WarehouseScreen):
    template_name = "warehouse/waves.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["waves"] = (
            Wave.objects.filter(warehouse=context["warehouse"])
            .select_related("created_by")
            .annotate(
                order_count=Count("wave_orders"),
                picking=Count("wave_orders", filter=Q(wave_orders__order__status=OrderStatus.PICKING)),
            )[:50]
        )
        return context


class WaveView(WarehouseScreen):
    """The pick list: printable on A4, grouped by bin location and SKU."""

    template_name = "warehouse/wave.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        wave = get_object_or_404(Wave.objects.select_related("warehouse", "created_by"), number=self.kwargs["number"])
        rows = selectors.pick_list(wave)
        orders = selectors.warehouse_orders().filter(wave_order__wave=wave).order_by("id")
        context.update(
            wave=wave,
            warehouse=wave.warehouse,
            rows=rows,
            orders=orders,
            units=sum(row.quantity for row in rows),
        )
        return context


class PackScanView(WarehouseScreen):
    """Scan or type an order number: its parcel opens to be checked off."""

    template_name = "warehouse/pack_scan.html"

    def get(self, request, *args, **kwargs):
        scan = request.GET.get("scan", "").strip()
        if scan:
            order = selectors.find_order(scan)
            if order is None:
                messages.error(request, _("No order %(scan)s.") % {"scan": scan})
            elif refusal := self.elsewhere(order):
                messages.error(request, refusal)
            else:
                return redirect("warehouse:pack", number=order.number)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["picking"] = (
            selectors.warehouse_orders()
            .filter(warehouse=context["warehouse"], status=OrderStatus.PICKING, merged_into__isnull=True)
            .order_by("-priority", "promised_ship_by", "id")[:50]
        )
        return context


def _parcel_context(order):
    parcel = selectors.parcel(order)
    master = parcel[0] if not parcel[0].merged_into_id else order
    lines = [line for o in parcel for line in o.lines.all()]
    locations = stock_selectors.bin_locations(master.warehouse_id, {line.sku_id for line in lines if line.sku_id}) if master.warehouse_id else {}
    for line in lines:
        line.location = locations.get(line.sku_id, "")
        line.code = line.sku.code if line.sku_id else line.platform_sku_code
        line.barcode = line.sku.barcode if line.sku_id else ""
        line.checked = 0
    return {"parcel": parcel, "master": master, "lines": lines, "units": sum(line.quantity for line in lines)}


class PackView(WarehouseScreen):
    template_name = "warehouse/pack.html"

    def order(self) -> Order:
        order = selectors.warehouse_orders().filter(number=self.kwargs["number"]).first()
        if order is None:
            raise Http404
        return order

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.order()
        context.update(_parcel_context(order))
        context["warehouse"] = Warehouse.objects.filter(pk=order.warehouse_id).first()
        context["order"] = order
        return context

    def post(self, request, *args, **kwargs):
        order = self.order()
        checked = {int(name[5:]): value for name, value in request.POST.items() if name.startswith("line_") and value.isdigit()}
        checked = {line_id: int(value) for line_id, value in checked.items()}
        try:
            parcel = services.parcel_pack(actor=request.user, order_id=order.pk, checked=checked)
        except DomainError as error:
            self.refused(error)
            # The same page again with what was scanned so far: a recount from zero is what users met.
            context = self.get_context_data(**kwargs)
            for line in context["lines"]:
                line.checked = checked.get(line.pk, 0)
            return self.render_to_response(context)
        messages.success(request, _("%(orders)s packed.") % {"orders": ", ".join(o.number for o in parcel)})
        warehouse = Warehouse.objects.get(pk=parcel[0].warehouse_id)
        return redirect(reverse("warehouse:pack_scan", args=[warehouse.code]) + f"?slip={parcel[0].number}")


class SlipView(PackView):
    """The packing slip: never a price (a gift, or a buyer who asked, is served by default)."""

    template_name = "warehouse/slip.html"

    def post(self, request, *args, **kwargs):
        raise Http404


class ShipView(WarehouseScreen):
    """Scan the parcel (order number), then the tracking number; choose the carrier."""

    template_name = "warehouse/ship.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scan = self.request.GET.get("scan", "").strip()
        order = selectors.find_order(scan) if scan else None
        if scan and order is None:
            context["not_found"] = scan
        if order is not None and (refusal := self.elsewhere(order)):
            context["elsewhere"] = refusal
        elif order is not None:
            context.update(_parcel_context(order))
            context["order"] = context["master"]
        context["packed"] = (
            selectors.warehouse_orders()
            .filter(warehouse=context["warehouse"], status=OrderStatus.PACKED, merged_into__isnull=True)
            .order_by("-priority", "promised_ship_by", "id")[:50]
        )
        context["carriers"] = sorted(
            set(Order.objects.exclude(carrier="").values_list("carrier", flat=True).order_by()[:200])
        )
        return context

    def post(self, request, *args, **kwargs):
        warehouse = self.warehouse()
        order = selectors.warehouse_orders().filter(pk=request.POST.get("order", "0")).first()
        if order is None:
            raise Http404
        if refusal := self.elsewhere(order):
            messages.error(request, refusal)
            return redirect("warehouse:ship", warehouse=warehouse.code)
        try:
            parcel = services.parcel_ship(
                actor=request.user,
                order_id=order.pk,
                carrier=request.POST.get("carrier", ""),
                tracking_number=request.POST.get("tracking_number", ""),
            )
        except DomainError as error:
            self.refused(error)
            return redirect(reverse("warehouse:ship", args=[warehouse.code]) + f"?scan={order.number}")
        # The parcel's orders were read before the service shipped them: read back what it stored.
        shipped = Order.objects.only("carrier", "tracking_number").get(pk=parcel[0].pk)
        messages.success(
            request,
            _("%(orders)s shipped with %(carrier)s %(tracking)s.")
            % {"orders": ", ".join(o.number for o in parcel), "carrier": shipped.carrier, "tracking": shipped.tracking_number},
        )
        return redirect("warehouse:ship", warehouse=warehouse.code)


class ReceiveListView(WarehouseScreen):
    template_name = "warehouse/receive_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["purchases"] = stock_selectors.purchases_to_receive(context["warehouse"])
        return context


class ReceiveView(WarehouseScreen):
    template_name = "warehouse/receive.html"

    def purchase(self) -> PurchaseRequest:
        return get_object_or_404(PurchaseRequest.objects.select_related("warehouse", "supplier"), number=self.kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        purchase = self.purchase()
        lines = list(purchase.lines.select_related("sku").order_by("id"))
        locations = stock_selectors.bin_locations(purchase.warehouse, {line.sku_id for line in lines})
        for line in lines:
            line.location = locations.get(line.sku_id, "")
        context.update(purchase=purchase, lines=lines, warehouse=purchase.warehouse)
        return context

    def post(self, request, *args, **kwargs):
        purchase = self.purchase()
        quantities = {
            int(name[5:]): int(value)
            for name, value in request.POST.items()
            if name.startswith("line_") and value.strip().isdigit()
        }
        try:
            stock_services.purchase_request_receive(actor=request.user, purchase_request_id=purchase.pk, quantities=quantities)
        except DomainError as error:
            self.refused(error)
            return redirect("warehouse:receive", number=purchase.number)
        messages.success(
            request, _("%(number)s: %(units)s units received into stock.") % {"number": purchase.number, "units": sum(quantities.values())}
        )
        return redirect("warehouse:receive_list", warehouse=purchase.warehouse.code)
