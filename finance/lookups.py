"""``field__any=[...]``: the ``__in`` lookup, sent to PostgreSQL as one array.

Settlement matching looks up 2,000 keys per chunk. As ``IN (%s, %s, …)``
psycopg re-parses each such query on the client (it caches no statement over
4 kB) and Django prepares 2,000 parameters: ~40 ms a query, 9 s of a
200,000-line import (benchmarks/reconcile.py). ``= ANY(%s)`` with a single
array parameter uses the same index. Other databases get the plain IN.
"""

from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class ArrayOnPostgres:
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


class AnyOf(ArrayOnPostgres, In):
    pass


class RelatedAnyOf(ArrayOnPostgres, RelatedIn):
    """The same for a foreign key (``order_id__any``, ``refund__order_id__any``)."""
