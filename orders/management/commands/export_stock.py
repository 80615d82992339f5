"""manage.py export_stock --channel CODE --user NAME [--format csv|xlsx] [-o FILE]"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orders import exports
from core.errors import DomainError
from orders.models import Channel

from .import_orders import batch_user


class Command(BaseCommand):
    @property
    def help(self):
        return _("Write a channel's available-to-sell file: units per platform SKU code, to push stock back to the platform.")

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, help=_("The channel's code."))
        parser.add_argument("--user", required=True, help=_("Export as this user."))
        parser.add_argument("--format", choices=[exports.CSV, exports.XLSX], default=exports.CSV)
        parser.add_argument("-o", "--output", help=_("File to write (default: standard output)."))

    def handle(self, *args, channel, user, format, output, **options):
        try:
            channel_obj = Channel.objects.get(code=channel)
        except Channel.DoesNotExist:
            raise CommandError(_("No channel with the code “%(code)s”.") % {"code": channel}) from None
        try:
            headers, rows = exports.stock_table(batch_user(user), channel_obj)
        except DomainError as error:
            raise CommandError(str(error)) from None
        out = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115 - closed below
        try:
            exports.write_file(headers, rows, file_format=format, out=out, bom=True, title="stock")
        finally:
            if output:
                out.close()
