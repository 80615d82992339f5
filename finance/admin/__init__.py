from . import order_page, records, settlements  # noqa: F401 - registers the finance admin and its order-page steps
