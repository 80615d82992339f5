from django.shortcuts import render

# A page shows this many of the selected rows; the action applies to all of them.
SHOWN_ROWS = 200


def reason_form_response(modeladmin, request, queryset, form, action_label):
    """The intermediate page of a bulk admin action that needs a reason."""
    count = queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": action_label,
        "action_label": action_label,
        "form": form,
        "action": request.POST.get("action"),
        "rows": [str(row) for row in queryset.order_by("pk")[:SHOWN_ROWS]],
        "more": count > SHOWN_ROWS,
        "selected": queryset.values_list("pk", flat=True),
        "count": count,
    }
    return render(request, "admin/bulk_reason_form.html", context)
