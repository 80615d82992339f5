from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from orders.selectors import estimated_row_count


class EstimatedCountPaginator(Paginator):
    """Pages an unfiltered big table on an estimated total instead of COUNT(*);
    filtered lists (usually far smaller, and on indexed columns) are counted."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where:
            estimate = estimated_row_count(queryset.model)
            if estimate > settings.ORDERDESK_ESTIMATE_COUNT_ABOVE:
                return estimate
        return super().count
