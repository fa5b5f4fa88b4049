"""django-axes' login records, for superusers only.

Failed logins name people and addresses: security work, not editing. Editors
with a broad "view everything" grant must not find them on their dashboard,
so each axes admin answers to superusers alone, whatever the permissions say.
"""

from axes import admin as axes_admin  # registers the axes admins first
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


class SuperusersOnlyMixin:
    """Every permission of this admin is "is a superuser"."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_delete_permission(
            request, obj
        )


class AccessAttemptAdmin(SuperusersOnlyMixin, axes_admin.AccessAttemptAdmin):
    """Login attempts and lockouts."""


class AccessLogAdmin(SuperusersOnlyMixin, axes_admin.AccessLogAdmin):
    """Logins and logouts."""


class AccessFailureLogAdmin(SuperusersOnlyMixin, axes_admin.AccessFailureLogAdmin):
    """Failed logins."""


for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    # Registered only where axes registered its own (AXES_ENABLE_ADMIN).
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
