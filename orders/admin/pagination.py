from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from orders.selectors import estimated_row_count


class EstimatedCountPaginator(Paginator):
    """Counts that stay cheap on a table of millions of orders.

    Unfiltered: the planner's estimate instead of COUNT(*) over the table.
    Filtered (a status, a date range): counted only up to ORDERDESK_COUNT_CAP
    rows past the page asked for; beyond that the list says "more than N"
    (``is_capped``). Counting 800,000 completed orders to show page 1
    cost a second per page load; nobody pages to the end of such a list.
    """

    def __init__(self, object_list, per_page, *args, page_hint: int = 1, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.page_hint = max(page_hint, 1)
        self.is_capped = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where:
            estimate = estimated_row_count(queryset.model)
            if estimate > settings.ORDERDESK_ESTIMATE_COUNT_ABOVE:
                return estimate
            return super().count
        cap = self.page_hint * self.per_page + settings.ORDERDESK_COUNT_CAP
        counted = queryset[: cap + 1].count()
        self.is_capped = counted > cap
        return min(counted, cap)
