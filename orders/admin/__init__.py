from . import imports, orders, replenishment, sku_aliases  # noqa: F401 - registers the order admin, the import screens (issue 3), replenishment, SKU aliases
