"""manage.py export_orders --user NAME [--channel CODE] [--status S] [--format csv|xlsx] [--bom] [--layout L] [-o FILE]"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from orders import exports
from core.errors import DomainError
from orders.models import Order, OrderStatus

from .import_orders import batch_user


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Export orders as CSV or XLSX, with the columns the given user's role may see "
            "(a Warehouse user's file has no phones and no money)."
        )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help=_("Export as this user: their role decides the columns."))
        parser.add_argument("--channel", action="append", default=[], help=_("Channel code (repeat for several)."))
        parser.add_argument("--status", action="append", default=[], choices=OrderStatus.values)
        parser.add_argument("--placed-from", help=_("First day (YYYY-MM-DD) the orders were placed."))
        parser.add_argument("--placed-to", help=_("Last day (YYYY-MM-DD) the orders were placed."))
        parser.add_argument("--format", choices=[exports.CSV, exports.XLSX], default=exports.CSV)
        parser.add_argument("--bom", action="store_true", help=_("CSV: UTF-8 with BOM, for Excel on Chinese Windows."))
        parser.add_argument("--layout", choices=sorted(exports.LAYOUTS), default="orders")
        parser.add_argument("-o", "--output", help=_("File to write (default: standard output)."))

    def handle(self, *args, user, channel, status, placed_from, placed_to, format, bom, layout, output, **options):
        orders = Order.objects.all()
        if channel:
            orders = orders.filter(channel__code__in=channel)
        if status:
            orders = orders.filter(status__in=status)
        for bound, lookup in ((placed_from, "placed_at__date__gte"), (placed_to, "placed_at__date__lte")):
            if bound:
                day = parse_date(bound)
                if day is None:
                    raise CommandError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": bound})
                orders = orders.filter(**{lookup: day})
        try:
            headers, rows = exports.export_table(batch_user(user), orders, layout)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if output:
            with open(output, "wb") as out:
                exports.write_file(headers, rows, file_format=format, out=out, bom=bom)
        else:
            exports.write_file(headers, rows, file_format=format, out=sys.stdout.buffer, bom=bom)
