from . import tickets  # noqa: F401 - registers the after-sales admin
