from . import imports, orders, sku_aliases  # noqa: F401 - registers the order admin, the import screens (issue 3), SKU aliases
