from . import imports, orders  # noqa: F401 - registers the order admin and the import screens (issue 3)
