"""The roles (Django's groups) in the admin: an edit goes through
orders.roles.role_update, which records the permissions added and removed,
shown on the role's page."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy

from orders.roles import role_permission_changes, role_update

admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    readonly_fields = ("changes",)

    def get_fields(self, request, obj=None):
        return ["name", "permissions", *(["changes"] if obj else [])]

    @admin.display(description=gettext_lazy("changes (added + / removed −)"))
    def changes(self, group):
        rows = role_permission_changes(group)
        return format_html_join(
            "",
            "<div>{} · {}{}: {}</div>",
            (
                (
                    f"{timezone.localtime(row['at']):%Y-%m-%d %H:%M}",  # the seller's time, as every other page
                    row["actor"],
                    f" · {row['name'][0]} → {row['name'][1]}" if row["name"] else "",
                    " ".join([*(f"+{code}" for code in row["added"]), *(f"−{code}" for code in row["removed"])]),
                )
                for row in rows
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            role_update(
                actor=request.user,
                group_id=obj.pk,
                name=form.cleaned_data["name"],
                permissions=form.cleaned_data["permissions"],
            )
        else:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not change:  # a new role: its permissions set as given (an edit set them in role_update)
            super().save_related(request, form, formsets, change)
