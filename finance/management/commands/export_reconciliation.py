from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from finance.models import SettlementSource
from finance.reconciliation import reconciliation_workbook


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": text}) from None


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Write the reconciliation sheet (XLSX) of one settlement source for a period: a summary, "
            "one sheet per class of line, and the paid orders not settled."
        )

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, choices=SettlementSource.values)
        parser.add_argument("--from", dest="date_from", required=True, help=_("First day, YYYY-MM-DD."))
        parser.add_argument("--to", dest="date_to", required=True, help=_("Last day (included), YYYY-MM-DD."))
        parser.add_argument("-o", "--output", required=True, help=_("The .xlsx file to write."))

    def handle(self, *args, source, date_from, date_to, output, **options):
        first, last = _day(date_from), _day(date_to)
        if last < first:
            raise CommandError(_("--to is before --from."))
        if not output.lower().endswith(".xlsx"):
            raise CommandError(_("The output file must end in .xlsx."))
        totals = reconciliation_workbook(source=source, date_from=first, date_to=last, output=output)
        self.stdout.write(self.style.SUCCESS(_("Written: %(file)s") % {"file": output}))
        for currency in totals.currencies:
            self.stdout.write(
                _("%(currency)s: gross %(gross)s, refunds %(refunds)s, fees %(fees)s, other %(other)s, net %(net)s; "
                  "%(unsettled)s paid orders not settled")
                % {
                    "currency": currency,
                    **totals.settled(currency),
                    "unsettled": totals.not_settled[currency].lines if currency in totals.not_settled else 0,
                }
            )
