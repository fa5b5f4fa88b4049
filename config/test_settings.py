"""Settings for the test suite: the real settings with fast, isolated pieces.

DATABASE_URL and REDIS_URL still come from the environment, so CI runs the
same suite against PostgreSQL and Redis.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault(
    "SECRET_KEY", "test-only-secret-key-not-for-production-0123456789"
)

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Media on the local disk whatever S3_* says: the object-storage tests
    # switch to a bucket of their own (tests/object_storage.py).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
MEDIA_URL = "/media/"
SERVE_MEDIA = True
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="summitwatch-test-media-"))  # noqa: F405
DATA_ROOT = MEDIA_ROOT / "data"
# An existing, empty STATIC_ROOT: whitenoise warns about a missing one, and the
# test server finds static files through the finders anyway.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="summitwatch-test-static-"))  # noqa: F405
# Both go when the run ends, passed or failed: a run leaves nothing in /tmp.
for _folder in (MEDIA_ROOT, STATIC_ROOT):
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# The test server speaks plain HTTP: no redirect to HTTPS, and cookies a
# browser will send back over http://localhost. tests/test_security_deploy.py
# checks the production values in a subprocess with production variables.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        key: value
        for key, value in CONTENT_SECURITY_POLICY["DIRECTIVES"].items()  # noqa: F405
        if key != "upgrade-insecure-requests"
    }
}

# django-axes needs the request in authenticate(), which the test client's
# login() does not pass. Off for the suite; tests/test_security_axes.py turns
# it on for the lockout stories.
AXES_ENABLED = False

# The tests fetch feeds and pages from their own server on 127.0.0.1
# (tests/fetch_server.py): only that address; 10.0.0.1 and 169.254.169.254
# stay refused, which the redirect tests rely on.
FETCH_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
