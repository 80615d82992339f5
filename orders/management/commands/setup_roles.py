from django.core.management.base import BaseCommand

from orders.roles import roles_setup


class Command(BaseCommand):
    help = "Create or correct the role groups (Clerk, Warehouse, Customer service, Finance, Supervisor)."

    def handle(self, *args, **options):
        for name, group in roles_setup().items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
