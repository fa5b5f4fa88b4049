"""Media storage for the tests: the local disk, or a real S3-compatible server.

The S3 server runs on loopback: `S3_TEST_ENDPOINT` names one (CI starts
`moto_server` and sets it); unset, the test session starts moto's own
threaded server on a free port, so `make test` on a fresh clone runs the
object-storage tests too. Each test gets a new bucket, readable by anyone
as the README tells operators to make theirs, and the site's settings built
from S3_* variables exactly as production builds them
(config.object_storage).

The fixtures (`local_media`, `s3_media`, `media_storage` for both) are
registered in tests/conftest.py; they hand a test a `MediaStore`, so one
test body checks the files on either.
"""

import io
import json
import logging
import os
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import pytest

from config.object_storage import media_storage

ENDPOINT_VARIABLE = "S3_TEST_ENDPOINT"
REGION = "us-east-1"
# Any key pair: the server checks signatures' shape, not who signed.
ACCESS_KEY = "summitwatch-test"
SECRET_KEY = "summitwatch-test-secret"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(endpoint):
    """Does an S3 server answer at `endpoint`? (Any HTTP answer will do.)"""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(endpoint, timeout=3).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@contextmanager
def s3_server():
    """The endpoint of an S3-compatible server on loopback, for a session."""
    endpoint = os.environ.get(ENDPOINT_VARIABLE, "").strip().rstrip("/")
    if endpoint:
        if not answers(endpoint):
            pytest.fail(
                f"{ENDPOINT_VARIABLE}={endpoint} does not answer: start the server "
                f"(.venv/bin/moto_server -H 127.0.0.1 -p PORT) or unset "
                f"{ENDPOINT_VARIABLE} to let the tests start their own."
            )
        yield endpoint
        return
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        pytest.skip(
            "no S3 server: moto is not installed (`make venv` installs it from "
            f"requirements.txt) and {ENDPOINT_VARIABLE} is not set"
        )
    # One line per request otherwise, in every failing test's output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def public_read_policy(bucket):
    """The bucket policy an operator sets so that anyone may read the media."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def bucket_environment(endpoint, bucket):
    """The S3_* variables a site on this bucket is configured with."""
    return {
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }


@contextmanager
def new_bucket(endpoint):
    """A fresh, publicly readable bucket; emptied and removed afterwards."""
    client = s3_client(endpoint)
    name = f"summitwatch-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    client.put_bucket_policy(Bucket=name, Policy=public_read_policy(name))
    try:
        yield name
    finally:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)


def use_storage(settings, environ):
    """Switch the site's media to the storage these S3_* variables configure."""
    storage, media_url = media_storage(environ)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_URL = media_url


def closed_port_endpoint():
    """An endpoint where nothing listens: a store that is down."""
    return f"http://127.0.0.1:{free_port()}"


class MediaStore:
    """What a test asks of the media storage, on the disk or in a bucket."""

    kind = ""

    def names(self):
        """Every stored name, renditions included, sorted."""
        raise NotImplementedError

    def read(self, name):
        raise NotImplementedError

    def uploads(self):
        """The stored uploads, without their renditions (core.renditions)."""
        return [n for n in self.names() if not n.startswith("renditions/")]

    def name_of(self, url):
        """The stored name behind a media URL the site printed."""
        from django.conf import settings

        assert url.startswith(settings.MEDIA_URL), (url, settings.MEDIA_URL)
        return unquote(url.removeprefix(settings.MEDIA_URL))

    def open_image(self, name):
        from PIL import Image

        return Image.open(io.BytesIO(self.read(name)))


class LocalMedia(MediaStore):
    kind = "filesystem"

    def __init__(self, root):
        self.root = Path(root)

    def names(self):
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file()
        )

    def read(self, name):
        return (self.root / name).read_bytes()


class BucketMedia(MediaStore):
    kind = "s3"

    def __init__(self, endpoint, bucket):
        self.endpoint, self.bucket = endpoint, bucket
        self.client = s3_client(endpoint)

    def names(self):
        names = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket):
            names.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(names)

    def read(self, name):
        return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def head(self, name):
        """The object's stored metadata (Cache-Control, content type…)."""
        return self.client.head_object(Bucket=self.bucket, Key=name)
