"""The markdown editor of every markdown field in the admin.

django-markdownx's admin widget (live preview, drag-and-drop upload) plus a
toolbar, keyboard shortcuts, an "Insert image" button that asks for alt text,
and a chooser for images already in the library. All behaviour is in
static/js/markdown-editor.js, loaded through the widget's Media: the CSP
allows no inline script.
"""

from django.urls import reverse
from markdownx.widgets import AdminMarkdownxWidget

TOOLBAR = [
    # (action, label, shortcut shown in the tooltip)
    ("heading", "Heading", ""),
    ("bold", "Bold", "Ctrl+B"),
    ("italic", "Italic", "Ctrl+I"),
    ("link", "Link", "Ctrl+K"),
    ("bulleted", "Bulleted list", ""),
    ("numbered", "Numbered list", ""),
    ("quote", "Quote", ""),
]


class MarkdownEditorWidget(AdminMarkdownxWidget):
    # In core/templates: widgets render with the form renderer, which reads
    # the apps' template folders, not the project's.
    template_name = "core/widgets/markdown_editor.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["toolbar"] = TOOLBAR
        context["upload_url"] = reverse("markdownx_upload")
        context["library_url"] = reverse("markdown_image_library")
        return context

    class Media:
        css = {"all": ["css/markdown-editor.css"]}
        js = ["js/markdown-editor.js"]
