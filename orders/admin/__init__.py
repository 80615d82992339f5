# Registers the order, channel and customer admins, the import screens (issue 3), replenishment, SKU aliases.
from . import imports, master_data, orders, replenishment, sku_aliases  # noqa: F401
