"""`{% editor_dashboard %}`: the editor's work on the admin home."""

from django import template

from editorial.dashboard import dashboard

register = template.Library()


@register.inclusion_tag("editorial/admin/dashboard.html", takes_context=True)
def editor_dashboard(context):
    return dashboard(context["request"])
