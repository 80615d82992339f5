"""The pick queue's filters (django-filter): carrier, priority, promised ship-by, channel."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Channel, Order, Priority

NO_CARRIER = "-"


class PickQueueFilter(django_filters.FilterSet):
    carrier = django_filters.ChoiceFilter(label=_("Carrier"), method="filter_carrier", empty_label=_("Any carrier"))
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices, empty_label=_("Any priority"))
    ship_by = django_filters.ChoiceFilter(
        label=_("Promised ship-by"),
        method="filter_ship_by",
        empty_label=_("Any time"),
        choices=[("late", _("Late already")), ("today", _("By end of today")), ("tomorrow", _("By end of tomorrow"))],
    )
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"), queryset=Channel.objects.filter(is_active=True), empty_label=_("Any channel")
    )

    class Meta:
        model = Order
        fields = ["carrier", "priority", "ship_by", "channel"]

    def __init__(self, *args, carriers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["carrier"].extra["choices"] = [(NO_CARRIER, _("Not chosen yet")), *[(c, c) for c in carriers]]
        for name in self.form.fields:
            self.form.fields[name].widget.attrs.update({"onchange": "this.form.submit()"})

    def filter_carrier(self, queryset, name, value):
        return queryset.filter(carrier="" if value == NO_CARRIER else value)

    def filter_ship_by(self, queryset, name, value):
        now = timezone.localtime()
        end_of_today = now.replace(hour=23, minute=59, second=59, microsecond=999999)
        if value == "late":
            return queryset.filter(promised_ship_by__lt=now)
        if value == "today":
            return queryset.filter(promised_ship_by__lte=end_of_today)
        if value == "tomorrow":
            return queryset.filter(promised_ship_by__lte=end_of_today + timedelta(days=1))
        return queryset

