from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from finance.models import MatchClass, SettlementSource
from finance.services import settlement_import
from core.errors import DomainError
from orders.models import Channel


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Import a platform settlement file and match its lines to orders, refunds and fees. "
            "Importing the same file again changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, choices=SettlementSource.values, help=_("Which platform's file it is."))
        parser.add_argument("--channel", help=_("The code of the shop (channel) the file is from."))
        parser.add_argument("file", help=_("The settlement file (CSV, TSV or XLSX)."))

    def handle(self, *args, source, file, channel=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        shop = None
        if channel:
            shop = Channel.objects.filter(code=channel).first()
            if shop is None:
                raise CommandError(_("No channel with the code “%(code)s”.") % {"code": channel})
        try:
            with path.open("rb") as binary:
                result = settlement_import(actor=None, source=source, file=binary, file_name=path.name, channel=shop)
        except DomainError as error:
            raise CommandError(str(error)) from error
        if not result.created:
            self.stdout.write(result.message)
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(file)s: %(new)s lines imported, %(skipped)s imported before.")
                % {"file": path.name, "new": result.new_lines, "skipped": result.skipped_lines}
            )
        )
        labels = dict(MatchClass.choices)
        for match_class in MatchClass.values:
            self.stdout.write(f"  {labels[match_class]:<34} {result.by_class.get(match_class, 0):>8}")
        if result.batch.notes:
            self.stdout.write(self.style.WARNING(result.batch.notes))
