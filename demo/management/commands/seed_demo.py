import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from demo.seed import (
    DEFAULT_ORDERS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    demo_orders_exist,
    demo_seed,
    demo_users_setup,
)
from orders.models import ExceptionReason, OrderStatus


class Command(BaseCommand):
    @property
    def help(self):
        # Translated when asked for: argparse cannot take lazy strings.
        return _(
            "Fill the database with demo users (password “demo”), shops, warehouses, stock and two months of orders. "
            "Runs only with DEBUG on; running it again adds nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders",
            type=int,
            default=DEFAULT_ORDERS,
            help=_("How many orders to create (default %(default)s)."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Random seed: the same seed gives the same data."),
        )

    def handle(self, *args, orders, seed, **options):
        if not settings.DEBUG:
            # The users it creates all have the password "demo": never on a real site.
            message = _(
                "seed_demo creates users whose password is “%(password)s”; it runs only with DEBUG on (DJANGO_DEBUG=1)."
            )
            raise CommandError(message % {"password": DEMO_PASSWORD})
        if orders < 1:
            raise CommandError(_("--orders must be at least 1."))
        staff, created = demo_users_setup()
        self.stdout.write(
            _("Roles and demo users ready, password “%(password)s”: %(users)s (new: %(created)s).")
            % {
                "password": DEMO_PASSWORD,
                "users": ", ".join(user.username for user in vars(staff).values()),
                "created": ", ".join(created) or "-",
            }
        )
        if demo_orders_exist():
            self.stdout.write(_("Demo orders exist already: no data added."))
            return

        started = time.monotonic()
        # DEBUG logs every query, and on SQLite it runs one more query for each
        # to quote its parameters: a fifth of the seeding time, for a log no one reads.
        with override_settings(DEBUG=False):
            summary = demo_seed(staff=staff, orders=orders, seed=seed, now=timezone.now(), progress=self._progress)
        elapsed = time.monotonic() - started

        self.stdout.write(
            self.style.SUCCESS(
                _("%(orders)s orders created in %(seconds).1f s.")
                % {"orders": sum(summary.statuses.values()), "seconds": elapsed}
            )
        )
        labels = dict(OrderStatus.choices)
        for status in OrderStatus.values:
            self.stdout.write(f"  {labels[status]:<16} {summary.statuses.get(status, 0):>6}")
        reasons = dict(ExceptionReason.choices)
        exceptions = ", ".join(
            f"{reasons[reason]} {count}" for reason, count in sorted(summary.open_exceptions.items())
        )
        self.stdout.write(
            _("Open exceptions: %(total)s (%(detail)s)")
            % {"total": sum(summary.open_exceptions.values()), "detail": exceptions or "-"}
        )
        self.stdout.write(
            _(
                "%(skus)s SKUs, %(receipts)s stock receipts, %(invoices)s invoices, %(refunds)s refunds, "
                "%(returns)s after-sales tickets."
            )
            % vars(summary)
        )
        for note in summary.finance_notes:
            self.stdout.write(f"  {note}")

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(_("  … %(done)s of %(total)s orders") % {"done": done, "total": total})
