"""Files nobody closed: CPython says so with a ResourceWarning when it
finalises their handle, at the latest when the garbage collector runs."""

import gc
import warnings
from contextlib import contextmanager


@contextmanager
def no_file_left_open():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
        gc.collect()
    unclosed = [str(warning.message) for warning in caught if issubclass(warning.category, ResourceWarning)]
    assert not unclosed, unclosed
