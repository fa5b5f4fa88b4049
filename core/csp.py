"""django-csp's middleware, with each policy built once per process.

django-csp builds both headers (enforced and report-only) from the settings
on every response: 0.15 ms here, an eighth of a page made of cached
fragments and a third of a page served whole from the cache. Unless a view
changed the policy (`csp_update`, `csp_replace`, `csp_exempt` and the
other decorators set attributes on the response) or the response used a
nonce, the policy depends on the settings alone, so it is built once and
kept with the text of the settings it was built from: a change of settings
(a test's `override_settings`) builds it again. Everything else is the parent's
own code path.
"""

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings

# Attributes csp.decorators set on a response to change its policy.
VIEW_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class CSPMiddleware(csp_middleware.CSPMiddleware):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._built = None  # (the settings' text, [(header, value, policy)])

    def process_response(self, request, response):
        plain = getattr(request, "_csp_nonce", None) is None and not any(
            hasattr(response, name) for name in VIEW_ATTRIBUTES
        )
        if not plain or (response.status_code in (404, 500) and settings.DEBUG):
            return super().process_response(request, response)
        for header, value, policy in self._policies():
            prefixes = tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())
            if header not in response and not request.path_info.startswith(prefixes):
                response[header] = value
        # As the parent does: a nonce asked for after the header is written
        # would not be in it.
        request.csp_nonce = csp_middleware.CheckableLazyObject(
            self._csp_nonce_post_response
        )
        return response

    def _policies(self):
        """[(header, value, its settings)] for the settings as they are now."""
        enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        report_only = report_only or {}
        # By their text, not their identity: a dict changed in place counts.
        key = repr((enforced, report_only))
        built = self._built
        if built is None or built[0] != key:
            policies = []
            for header, policy, flag in (
                (HEADER, enforced, False),
                (HEADER_REPORT_ONLY, report_only, True),
            ):
                value = build_policy(report_only=flag)
                if value:
                    policies.append((header, value, policy))
            built = self._built = (key, policies)
        return built[1]
