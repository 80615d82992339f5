"""manage.py demo_order_files [--out DIR]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.order_files import write_taobao_pair, write_tracking_file
from orders.models import Channel


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Write platform files to try the imports on the demo: a Taobao/Tmall order report and item report "
            "for the 天猫旗舰店 shop, and a tracking file for the packed orders."
        )

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "demo_imports"))
        parser.add_argument("--channel", default="tmall", help=_("The demo channel's code."))

    def handle(self, *args, out, channel, **options):
        if not Channel.objects.filter(code=channel).exists():
            raise CommandError(_("No channel “%(code)s”: run seed_demo first.") % {"code": channel})
        for path in write_taobao_pair(Path(out), channel_code=channel):
            self.stdout.write(str(path))
        tracking = write_tracking_file(Path(out))
        if tracking:
            self.stdout.write(str(tracking))
