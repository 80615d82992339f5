"""A scratch table on disk for joining two files by order id.

The Taobao/Tmall export is two files: the order report (one row per order)
and the item report (one row per item), joined by 订单编号. The item report is
written to a throw-away SQLite file first, then fetched by order id as the
order report streams past, so memory stays flat whatever the file size and
whatever order the two files are in. (A dict of all item rows would hold
~600 bytes per row: 100 MB for a 100,000-order export.) Rows are stored
with ``marshal`` (a dict of strings; this process writes and reads the
file): 4× faster than JSON here.
"""

import marshal
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

SQLITE_VARIABLES = 900  # per IN (...) lookup, within any SQLite build's limit


class RowStaging:
    def __init__(self):
        self._dir = tempfile.mkdtemp(prefix="orderdesk-staging-")
        # One reader uses it at a time; the generator holding it may be finished by another thread.
        self._db = sqlite3.connect(Path(self._dir) / "rows.sqlite3", isolation_level=None, check_same_thread=False)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
            "CREATE TABLE rows (key TEXT NOT NULL, line INTEGER NOT NULL, cells BLOB NOT NULL, used INTEGER NOT NULL DEFAULT 0);"
        )
        self._indexed = False

    def add(self, rows: Iterable[tuple[str, int, dict]], batch: int = 5000) -> int:
        """Store (key, line, cells) rows; returns how many."""
        count = 0
        iterator = iter(rows)
        self._db.execute("BEGIN")
        while chunk := list(islice(iterator, batch)):
            self._db.executemany(
                "INSERT INTO rows (key, line, cells) VALUES (?, ?, ?)",
                [(key, line, marshal.dumps(cells)) for key, line, cells in chunk],
            )
            count += len(chunk)
        self._db.execute("COMMIT")
        return count

    def _index(self):
        if not self._indexed:
            self._db.execute("CREATE INDEX rows_key ON rows (key)")
            self._indexed = True

    def take(self, keys: list[str]) -> dict[str, list[tuple[int, dict]]]:
        """The rows of these keys, in file order, marked as used."""
        self._index()
        found: dict[str, list[tuple[int, dict]]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), SQLITE_VARIABLES):
            part = unique[start : start + SQLITE_VARIABLES]
            marks = ", ".join("?" * len(part))
            for key, line, cells in self._db.execute(
                f"SELECT key, line, cells FROM rows WHERE key IN ({marks}) ORDER BY line", part  # noqa: S608 - placeholders only
            ):
                found.setdefault(key, []).append((line, marshal.loads(cells)))
            self._db.execute(f"UPDATE rows SET used = 1 WHERE key IN ({marks})", part)  # noqa: S608
        return found

    def unused(self) -> Iterator[tuple[str, list[tuple[int, dict]]]]:
        """Rows never taken, grouped by key, in file order."""
        self._index()
        current, group = None, []
        for key, line, cells in self._db.execute("SELECT key, line, cells FROM rows WHERE used = 0 ORDER BY key, line"):
            if group and key != current:
                yield current, group
                group = []
            current = key
            group.append((line, marshal.loads(cells)))
        if group:
            yield current, group

    def close(self):
        self._db.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
