from . import records, settlements  # noqa: F401 - registers the finance admin
