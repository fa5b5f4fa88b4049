"""Every response carries the security headers; the CSP allows no inline script."""

import pytest

from tests.factories import SummitFactory

pytestmark = pytest.mark.django_db


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def public_page(client):
    summit = SummitFactory()
    response = client.get(summit.get_absolute_url())
    assert response.status_code == 200
    return response


def test_a_public_page_sends_the_security_headers(public_page):
    assert public_page["X-Content-Type-Options"] == "nosniff"
    assert public_page["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert public_page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert public_page["X-Frame-Options"] == "DENY"
    assert "geolocation=()" in public_page["Permissions-Policy"]


def test_the_content_security_policy_allows_only_our_own_files(public_page):
    directives = csp_directives(public_page)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    header = public_page["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_public_pages_hold_no_inline_script_or_style(public_page):
    html = public_page.content.decode()
    # Every <script> must load a file; JSON-LD data blocks are not executed.
    for chunk in html.split("<script")[1:]:
        opening = chunk.split(">", 1)[0]
        assert "src=" in opening or 'type="application/ld+json"' in opening, opening
    assert " style=" not in html
    assert " onload=" not in html and " onclick=" not in html


def test_the_admin_login_page_is_under_the_same_policy(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert csp_directives(response)["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_http_only(staff_user, client):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": "editor-password"},
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"
    client.get("/admin/login/")
    page = client.get("/admin/")
    csrf_cookie = page.cookies.get("csrftoken") or client.cookies.get("csrftoken")
    assert csrf_cookie is not None and csrf_cookie["httponly"]


# Media served by Django while developing (config/urls.py adds static() under
# DEBUG) passes through SecurityMiddleware, so it carries nosniff too. In
# production the web server or object store serves media; README says to send
# nosniff there.
@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "uploads").mkdir()
    return tmp_path


def test_uploaded_media_is_served_with_nosniff_and_cache_headers(client, media_root):
    # With DEBUG off, as in production: the site serves /media/ itself.
    (media_root / "uploads" / "a.png").write_bytes(b"<html><script>x</script>")
    response = client.get("/media/uploads/a.png")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(
        "/media/uploads/a.png", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
    )
    assert again.status_code == 304


def test_media_never_serves_a_file_outside_the_media_folder(client, media_root):
    (media_root.parent / "secret.txt").write_text("secret")
    for path in ("/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/"):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert b"secret" not in response.content


class TestPolicyBuiltOnce:
    """core.csp: django-csp's middleware, its policy built once per process."""

    @pytest.fixture
    def middleware(self):
        from django.http import HttpResponse

        from core.csp import CSPMiddleware

        return CSPMiddleware(lambda request: HttpResponse("page"))

    def respond(self, middleware, rf, prepare=None, path="/"):
        from django.http import HttpResponse

        request = rf.get(path)
        middleware.process_request(request)
        response = HttpResponse("page")
        if prepare:
            prepare(request, response)
        return middleware.process_response(request, response)

    def test_the_header_is_django_csps_own(self, middleware, rf):
        from csp.middleware import CSPMiddleware as Original
        from django.http import HttpResponse

        original = Original(lambda request: HttpResponse("page"))
        ours = self.respond(middleware, rf)
        theirs = self.respond(original, rf)
        assert csp_directives(ours) == csp_directives(theirs)
        assert "Content-Security-Policy-Report-Only" not in ours

    def test_it_is_built_once_then_kept(self, middleware, rf, monkeypatch):
        import core.csp

        calls = []
        real = core.csp.build_policy

        def counting(**kwargs):
            calls.append(kwargs)
            return real(**kwargs)

        monkeypatch.setattr(core.csp, "build_policy", counting)
        first = self.respond(middleware, rf)
        built = len(calls)
        second = self.respond(middleware, rf)
        assert built == 2  # enforced and report-only
        assert len(calls) == built
        assert first["Content-Security-Policy"] == second["Content-Security-Policy"]

    def test_a_change_of_settings_is_seen(self, middleware, rf, settings):
        self.respond(middleware, rf)
        settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
        assert csp_directives(self.respond(middleware, rf))["default-src"] == ["'none'"]
        # Changed in place too.
        settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["default-src"] = ["'self'"]
        assert csp_directives(self.respond(middleware, rf))["default-src"] == ["'self'"]

    def test_a_nonce_is_in_its_own_responses_header_only(
        self, middleware, rf, settings
    ):
        from csp.constants import NONCE

        # Our policy uses no nonce; one that does puts each response's own in.
        settings.CONTENT_SECURITY_POLICY = {
            "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}
        }
        nonces = []

        def use_nonce(request, response):
            nonces.append(str(request.csp_nonce))

        with_nonce = self.respond(middleware, rf, use_nonce)
        again = self.respond(middleware, rf, use_nonce)
        plain = self.respond(middleware, rf)
        assert f"'nonce-{nonces[0]}'" in with_nonce["Content-Security-Policy"]
        assert f"'nonce-{nonces[1]}'" in again["Content-Security-Policy"]
        assert nonces[0] != nonces[1]
        assert "nonce-" not in plain["Content-Security-Policy"]

    def test_a_views_own_change_of_policy_is_kept(self, middleware, rf):
        def allow_style(request, response):
            response._csp_update = {"style-src": ["'sha256-abc'"]}

        changed = self.respond(middleware, rf, allow_style)
        plain = self.respond(middleware, rf)
        assert "'sha256-abc'" in csp_directives(changed)["style-src"]
        assert "'sha256-abc'" not in csp_directives(plain)["style-src"]

    def test_a_nonce_asked_after_the_header_is_written_is_an_error(
        self, middleware, rf
    ):
        from csp.exceptions import CSPNonceError

        request = rf.get("/")
        middleware.process_request(request)
        from django.http import HttpResponse

        middleware.process_response(request, HttpResponse("page"))
        with pytest.raises(CSPNonceError):
            str(request.csp_nonce)
