"""Admin lists answer only the filters they show.

Django's admin accepts any lookup on a model's own fields from the query
string (``?ship_phone__startswith=154``), and a list's "shown / not shown"
then answers questions about fields the user's role may not see: a Warehouse
user recovered a buyer's whole phone number in 80 requests that way. An admin
with this mixin accepts only the query parameters its own list filters (and
date hierarchy) produce; anything else is refused as Django refuses any
disallowed lookup (400 Bad Request)."""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path


class ListFilterLookupsOnly:
    def lookup_allowed(self, lookup, value, request):
        return lookup in self._filter_parameters(request)

    def _filter_parameters(self, request) -> frozenset[str]:
        # The parameter names depend on the filters, not on the data or the
        # user, so they are worked out once per list of filters.
        filters = tuple(self.get_list_filter(request))
        cache = self.__dict__.setdefault("_filter_parameters_cache", {})
        if filters not in cache:
            cache[filters] = frozenset(self._parameters_of(filters, request))
        return cache[filters]

    def _parameters_of(self, filters, request):
        if self.date_hierarchy:
            yield from (f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day", "week"))
        for item in filters:
            if isinstance(item, (list, tuple)):
                field_path, filter_class = item
                field = get_fields_from_path(self.model, field_path)[-1]
                spec = filter_class(field, request, {}, self.model, self, field_path=field_path)
            elif isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                spec = item(request, {}, self.model, self)
            else:
                field = get_fields_from_path(self.model, item)[-1]
                spec = admin.FieldListFilter.create(field, request, {}, self.model, self, field_path=item)
            yield from spec.expected_parameters()
