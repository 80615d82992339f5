# Registers the order, channel and customer admins, the import screens (issue 3), replenishment, roles, SKU aliases.
from . import imports, master_data, orders, replenishment, roles, sku_aliases  # noqa: F401
