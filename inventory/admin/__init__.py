"""Stock screens in the admin. Master data (warehouses, SKUs, suppliers) is
edited here; stock, counts and purchases change only through inventory.services."""

from . import purchasing, stock  # noqa: F401 - registers the ModelAdmins
