"""Demo after-sales work for ``seed_demo``: the tickets the demo's order
histories opened, worked as far as their age allows — approved, goods back,
inspected into stock or quarantine, refunded and paid, replacements shipped,
closed — through the services, with past timestamps. Some are left where a
user picks them up: to approve, to receive, to inspect, or overdue."""

import random
from datetime import timedelta

from aftersales import services
from aftersales.models import GOODS_COME_BACK, ReturnRequest, ReturnStatus, TicketKind
from core.errors import DomainError
from finance import services as finance_services
from orders import services as order_services


class NotYet(Exception):
    """The ticket's next step lies in the future: it stays where it is."""


class TicketHistory:
    def __init__(self, ticket: ReturnRequest, *, staff, now, rng: random.Random):
        self.ticket, self.staff, self.now, self.rng = ticket, staff, now, rng
        self.t = ticket.created_at

    def later(self, low_hours: float, high_hours: float):
        self.t += timedelta(hours=self.rng.uniform(low_hours, high_hours))
        if self.t > self.now:
            raise NotYet
        return self.t

    def play(self) -> None:
        ticket, staff, rng, pk = self.ticket, self.staff, self.rng, self.ticket.pk
        if rng.random() < 0.05:
            services.return_reject(
                actor=staff.service, ticket_id=pk, reason="超出七天无理由退货期限", at=self.later(1, 20)
            )
            return
        services.return_approve(actor=staff.service, ticket_id=pk, at=self.later(0.5, 20))
        if ticket.kind in GOODS_COME_BACK:
            services.return_await(
                actor=staff.service, ticket_id=pk, carrier="顺丰速运", tracking_number=f"SF{rng.randint(10**11, 10**12 - 1)}",
                at=self.later(0.2, 3),
            )
            if rng.random() < 0.1:
                return  # the buyer never sends the parcel: the ticket runs overdue
            lines = list(ticket.lines.all())
            services.return_receive(
                actor=staff.warehouse, ticket_id=pk, quantities={line.pk: line.quantity for line in lines},
                at=self.later(30, 100),
            )
            if self.now - ticket.created_at < timedelta(days=8):
                return  # recent parcels wait on the warehouse's inspection bench
            results = {}
            for line in lines:
                damaged = sum(rng.random() < 0.2 for _ in range(line.quantity))
                results[line.pk] = (line.quantity - damaged, damaged)
            services.return_inspect(
                actor=staff.warehouse, ticket_id=pk, results=results, qc_reference=f"QC{self.t:%y%m%d}-{pk:04d}",
                qc_note="外包装压损" if any(damaged for _sellable, damaged in results.values()) else "",
                at=self.later(1, 26),
            )
        if ticket.kind in (TicketKind.RETURN, TicketKind.REFUND_ONLY):
            if self.now - ticket.created_at < timedelta(days=3):
                return  # customer service has yet to agree the amount with the buyer
            services.return_refund(actor=staff.service, ticket_id=pk, at=self.later(0.5, 8))
            refund = ticket.refunds.get()
            finance_services.refund_approve(actor=staff.finance, refund_id=refund.pk, at=self.later(2, 30))
            finance_services.refund_mark_paid(
                actor=staff.finance, refund_id=refund.pk, reference=f"RF{rng.randint(10**9, 10**10 - 1)}", at=self.later(1, 20)
            )
        else:
            step = services.return_exchange if ticket.kind == TicketKind.EXCHANGE else services.return_reship
            step(actor=staff.service, ticket_id=pk, at=self.later(0.5, 8))
            self.ship_replacement(ReturnRequest.objects.get(pk=pk).replacement_order_id)
        services.return_close(actor=staff.service, ticket_id=pk, at=self.later(1, 24))

    def ship_replacement(self, order_id: int) -> None:
        staff = self.staff
        order_services.order_approve(actor=staff.clerk, order_id=order_id, at=self.later(0.5, 4))
        order_services.order_allocate(actor=staff.warehouse, order_id=order_id, at=self.later(0.5, 6))
        order_services.order_start_picking(actor=staff.warehouse, order_id=order_id, at=self.later(0.5, 4))
        order_services.order_pack(actor=staff.warehouse, order_id=order_id, at=self.later(0.2, 2))
        order_services.order_ship(
            actor=staff.warehouse, order_id=order_id, carrier="顺丰速运",
            tracking_number=f"SF{self.rng.randint(10**11, 10**12 - 1)}", at=self.later(0.5, 4),
        )


def tickets_progress(*, staff, now, seed: int) -> dict[str, int]:
    """Work every demo ticket opened by the histories; returns tickets per status."""
    rng = random.Random(f"{seed}:aftersales")
    for ticket in ReturnRequest.objects.filter(status=ReturnStatus.REQUESTED).order_by("created_at", "pk"):
        try:
            TicketHistory(ticket, staff=staff, now=now, rng=rng).play()
        except NotYet:
            pass
        except DomainError:
            pass  # a legitimate refusal (no stock for a replacement, say): the ticket waits for a person
    counts = {}
    for status in ReturnRequest.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
