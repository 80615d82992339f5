"""A form page of the stock admin: one form, one service call, a message."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from core.errors import DomainError


def form_page(modeladmin, request, *, form_class, label, run, back_url, obj=None, intro="", form_kwargs=None):
    """GET shows the form; POST runs ``run(cleaned_data)`` (a service call) and
    returns to ``back_url`` with its message, or shows the refusal with the input kept."""
    form_kwargs = form_kwargs or {}
    problems = []
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                message = run(form.cleaned_data)
            except DomainError as error:
                problems = getattr(error, "problems", None) or [str(error)]
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(back_url)
    else:
        form = form_class(**form_kwargs)
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": label,
        "action_label": label,
        "form": form,
        "object": obj,
        "intro": intro,
        "problems": problems,
        "back_url": back_url,
    }
    return TemplateResponse(request, "admin/inventory/form_page.html", context)
