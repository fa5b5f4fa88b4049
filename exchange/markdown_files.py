"""Markdown files with YAML frontmatter, read as articles.

Advocacy sites often keep posts as files like this:

    ---
    title: Why we need AI Safety Summits
    description: One sentence for lists and previews.
    author: Jane Doe
    date: 2023-10-01
    image: covers/summit.jpg
    image_alt: Delegates around a round table
    slug: why-we-need-ai-safety-summits
    ---
    The post, in markdown…

`read_post` turns one file into the values of an Article (or a list of
problems naming the file); the command does the rest.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_slug
from django.utils.text import slugify
from frontmatter.default_handlers import YAMLHandler

from exchange.format import storage_problem

# Frontmatter key → Article field. `image_alt` goes with `image`: a cover
# image without a description for screen readers is not imported.
KNOWN_KEYS = {
    "title": "title",
    "description": "lede",
    "author": "author_name",
    "date": "published_at",
    "image": "cover_image",
    "image_alt": "cover_image_alt",
    "slug": "slug",
}
SUFFIXES = {".md", ".markdown"}


@dataclass
class Post:
    path: Path
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def slug(self):
        return self.values.get("slug")


def find_files(paths):
    """Markdown files named, or found (recursively, sorted) in folders named."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in SUFFIXES and p.is_file()
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(path)
    return found


def read_post(path):
    """Read one file; problems go to `post.errors`, never raise."""
    post = Post(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        post.errors.append("not UTF-8 text (is it a markdown file?)")
        return post
    except OSError as error:
        post.errors.append(f"cannot read it ({error.strerror})")
        return post
    if "\x00" in text:
        post.errors.append("contains NUL bytes (is it a markdown file?)")
        return post
    handler = YAMLHandler()
    if not handler.detect(text):
        post.errors.append(
            "no YAML frontmatter: the file must start with a block between "
            "'---' lines holding at least a title"
        )
        return post
    try:
        raw, body = handler.split(text)
        metadata = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        # The frontmatter text starts right after the opening "---".
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error)
        post.errors.append(f"the YAML frontmatter does not parse{at}: {problem}")
        return post
    except ValueError:
        post.errors.append("the YAML frontmatter is not closed by a '---' line")
        return post
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        post.errors.append("the frontmatter must be 'key: value' lines")
        return post
    read_metadata(post, metadata, body)
    return post


def text_value(post, metadata, key):
    value = metadata.get(key)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        post.errors.append(f"'{key}' must be text, not a list or mapping")
        return ""
    text = str(value).strip()
    if storage_problem(text):  # YAML can spell "\0" and "\ud800"
        post.errors.append(f"'{key}' holds a character text cannot store")
        return ""
    return text


def read_metadata(post, metadata, body):
    unknown = sorted(str(key) for key in metadata if key not in KNOWN_KEYS)
    if unknown:
        post.warnings.append(f"unknown frontmatter keys ignored: {', '.join(unknown)}")
    values = post.values
    values["title"] = text_value(post, metadata, "title")
    if not values["title"]:
        post.errors.append("no title: add 'title: …' to the frontmatter")
    values["slug"] = text_value(post, metadata, "slug") or slugify(post.path.stem)
    try:
        validate_slug(values["slug"])
    except ValidationError:
        post.errors.append(f"slug {values['slug']!r}: use letters, digits, hyphens")
    values["lede"] = text_value(post, metadata, "description")
    values["author_name"] = text_value(post, metadata, "author")
    values["body"] = body.strip() + "\n" if body.strip() else ""
    values["published_at"] = read_date(post, metadata.get("date"))
    read_image(post, metadata)


def read_date(post, value):
    """YAML gives a date, a datetime or text; the article wants UTC time."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            post.errors.append(f"date {value!r} is not an ISO date (YYYY-MM-DD)")
            return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), tzinfo=datetime.UTC)
    post.errors.append(f"date {value!r} is not a date")
    return None


def read_image(post, metadata):
    image = text_value(post, metadata, "image")
    alt = text_value(post, metadata, "image_alt")
    post.values["cover_image"] = ""
    post.values["cover_image_alt"] = ""
    if not image:
        return
    if "://" in image:
        post.warnings.append(
            f"image {image!r} is a URL; cover images must be in media storage: ignored"
        )
        return
    name = image.lstrip("/").removeprefix("media/")
    try:
        exists = default_storage.exists(name)
    except SuspiciousFileOperation:
        exists = False
    if not exists:
        post.warnings.append(f"image {image!r} is not in media storage: ignored")
        return
    if not alt:
        post.warnings.append(
            f"image {image!r} has no image_alt to describe it for screen readers: "
            "ignored"
        )
        return
    post.values["cover_image"] = name
    post.values["cover_image_alt"] = alt
