"""Import markdown files with YAML frontmatter as articles.

    manage.py import_markdown posts/                 # a folder (recursively)
    manage.py import_markdown why-summits.md --publish
    manage.py import_markdown posts/ --dry-run

Frontmatter keys: title (required), description (→ lede), author, date (→
publication time), image and image_alt (→ cover image, a path in media
storage), slug (default: from the file name). Other keys are reported and
ignored. New articles are drafts unless --publish; re-importing a file
updates the article with the same slug and leaves its status alone unless
--publish. Every file is checked before anything is written; one bad file
stops the import and nothing changes.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from core.cache import content_changes_batched
from core.models import Status
from editorial.revisions import import_revision
from exchange.importer import Counts, DryRunRollback
from exchange.markdown_files import find_files, read_post


class Command(BaseCommand):
    help = (
        "Import markdown files (or folders of them) with YAML frontmatter as "
        "articles: drafts unless --publish, updated by slug when imported again."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the articles (at their frontmatter date, or now).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and report what would change; write nothing.",
        )

    def handle(self, *args, **options):
        try:
            files = find_files(options["paths"])
        except FileNotFoundError as error:
            raise CommandError(f"{error.args[0]}: no such file or folder.") from error
        if not files:
            raise CommandError("No .md or .markdown files found.")
        posts = [read_post(path) for path in files]
        self.check_posts(posts)
        for post in posts:
            for warning in post.warnings:
                self.stderr.write(self.style.WARNING(f"{post.path}: {warning}"))
        counts = Counts()
        try:
            with content_changes_batched(), transaction.atomic():
                with import_revision("Imported from markdown files"):
                    self.save_all(posts, counts, options)
                if options["dry_run"]:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        if options["verbosity"] >= 1:
            heading = "Dry run, nothing written" if options["dry_run"] else "Imported"
            self.stdout.write(f"{heading}: articles: {counts.as_text()}")

    def save_all(self, posts, counts, options):
        """Save every post, counting what happened to each."""
        for post in posts:
            outcome = self.save(post, options["publish"])
            setattr(counts, outcome, getattr(counts, outcome) + 1)
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {outcome}: {post.slug} ({post.path})")

    def check_posts(self, posts):
        """Every file's problems, all at once, before anything is written."""
        seen = {}
        for post in posts:
            if post.errors:
                continue
            if post.slug in seen:
                post.errors.append(
                    f"slug {post.slug!r} is also the slug of {seen[post.slug]}"
                )
            seen[post.slug] = post.path
            article = Article(kind=Article.Kind.POST, **post.values)
            try:
                article.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    post.errors.append(f"{name}: {' '.join(messages)}")
        problems = [
            f"  - {post.path}: {error}" for post in posts for error in post.errors
        ]
        if problems:
            raise CommandError("Nothing was imported:\n" + "\n".join(problems))

    def save(self, post, publish):
        """Create or update the article for one post; returns what happened."""
        article = Article.objects.filter(slug=post.slug).first()
        created = article is None
        if created:
            article = Article(kind=Article.Kind.POST, status=Status.DRAFT)
        values = dict(post.values)
        if not created and values["published_at"] is None:
            values["published_at"] = article.published_at  # keep, don't clear
        if publish:
            values["status"] = Status.PUBLISHED
            values["published_at"] = values["published_at"] or timezone.now()
        changed = False
        for name, value in values.items():
            current = getattr(article, name)
            if name == "cover_image":
                current = current.name or ""
            if current != value:
                setattr(article, name, value)
                changed = True
        if created or changed:
            article.save()
        return "created" if created else "updated" if changed else "unchanged"
