from . import orders  # noqa: F401 - registers the order admin
