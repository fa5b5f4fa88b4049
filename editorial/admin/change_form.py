"""The editorial change form: the app's own form with editorial additions."""

from django.template.loader import select_template


class EditorialChangeFormMixin:
    """Render the change form through `editorial/admin/change_form.html`.

    That template extends whichever change form the app's admin picked (its
    own `change_form_template`, or Django's per-app and per-model ones), so
    the app's buttons (e.g. "Bulk-add signatures") stay; it shows what the
    editorial mixins put in the context: `preview_links_url`, `conflict`.
    """

    editorial_change_form_template = "editorial/admin/change_form.html"

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        response = super().render_change_form(
            request, context, add, change, form_url, obj
        )
        # The response is not rendered yet: swap its template for ours and
        # hand ours the one it replaces, to extend.
        parent = select_template(
            [response.template_name]
            if isinstance(response.template_name, str)
            else response.template_name
        )
        response.context_data["editorial_parent_template"] = parent.template
        response.template_name = self.editorial_change_form_template
        return response
