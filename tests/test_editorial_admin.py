"""The editorial tools are plain mixins that each content admin lists openly.

No admin class is built at run time, and the editorial admin knows no content
app: what a model follows and compares is said by its own admin.
"""

import ast
from pathlib import Path

import pytest
import reversion
from django.contrib import admin

from articles.admin import ArticleAdmin
from editorial.admin import (
    AuditTrailAdminMixin,
    EditConflictAdminMixin,
    HistoryAdminMixin,
    PreviewLinksAdminMixin,
)
from summits.admin import (
    DeclarationAdmin,
    SignatoryAdmin,
    SignatureAdmin,
    SummitAdmin,
)

ROOT = Path(__file__).resolve().parent.parent
CONTENT_APPS = {"summits", "articles", "home", "exchange"}

PUBLISHABLE_TOOLS = (
    HistoryAdminMixin,
    EditConflictAdminMixin,
    AuditTrailAdminMixin,
    PreviewLinksAdminMixin,
)
ADMINS = {
    ArticleAdmin: PUBLISHABLE_TOOLS,
    SummitAdmin: PUBLISHABLE_TOOLS,
    DeclarationAdmin: PUBLISHABLE_TOOLS,
    # No publishing state, so nothing to preview.
    SignatoryAdmin: PUBLISHABLE_TOOLS[:3],
    SignatureAdmin: PUBLISHABLE_TOOLS[:3],
}


@pytest.mark.parametrize("admin_class", ADMINS, ids=lambda cls: cls.__name__)
def test_each_content_admin_lists_its_editorial_tools_in_its_bases(admin_class):
    assert admin_class.__bases__[: len(ADMINS[admin_class])] == ADMINS[admin_class]
    model = next(m for m, a in admin.site._registry.items() if type(a) is admin_class)
    assert reversion.is_registered(model)


def test_a_model_without_a_publishing_state_offers_no_preview_links():
    assert not issubclass(SignatoryAdmin, PreviewLinksAdminMixin)
    assert not issubclass(SignatureAdmin, PreviewLinksAdminMixin)


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize(
    "path",
    [
        *sorted((ROOT / "editorial" / "admin").glob("*.py")),
        *sorted((ROOT / "editorial").glob("*.py")),
    ],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_editorial_imports_no_content_app(path):
    apps = {module.split(".")[0] for module in imported_modules(path)}
    assert not apps & CONTENT_APPS
    source = path.read_text()
    assert "_registry" not in source, "admins are registered by their apps"
    assert "except Exception" not in source
