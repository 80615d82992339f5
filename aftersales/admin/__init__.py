from . import order_page, tickets  # noqa: F401 - registers the after-sales admin and its order-page step
