"""Write the public site as files a plain web server or a CDN can serve.

    manage.py publish_static DIR                  # publish (again: only changes)
    manage.py publish_static DIR --jobs 4         # render in 4 processes
    manage.py publish_static DIR --dry-run        # say what would change
    manage.py publish_static --check DIR          # does DIR equal the site?
    manage.py publish_static --nginx-config DIR --app-url http://127.0.0.1:8000
    manage.py publish_static --nginx-config DIR --listen 127.0.0.1:8080 \
        --standalone /tmp/nginx > /tmp/nginx/nginx.conf   # to try it locally

Every page, feed, CSV, the sitemap, robots.txt, the open-data downloads, the
404 page, the media the pages show and the static files, rendered by the
site's own public views for an anonymous visitor at SITE_URL: drafts and
scheduled items are never written. DIR becomes a link to the latest complete
output; a later run writes only the files whose content changed and swaps the
link atomically, so an interrupted run leaves the previous output whole
(staticsite/output.py). Run it from cron after publications (README.md,
"Static publishing"); search stays dynamic.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from staticsite import nginx, output, publishing
from staticsite.rendering import Renderer, RenderError, SiteURLError


class Command(BaseCommand):
    help = (
        "Publish the public site as static files into DIR (only what changed "
        "since the last run), check DIR against the site (--check), or print "
        "the nginx configuration that serves DIR (--nginx-config)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            metavar="DIR",
            help="The output: a new or empty folder the first time; "
            "publish_static then keeps it as a link to its latest output.",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--check",
            action="store_true",
            help="Compare every file in DIR with what the site serves now; list "
            "the differences and exit with status 1 if there are any.",
        )
        mode.add_argument(
            "--nginx-config",
            action="store_true",
            help="Print an nginx configuration serving DIR as the site does.",
        )
        mode.add_argument(
            "--dry-run",
            action="store_true",
            help="Render everything and say what would change; write nothing.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="Render pages in N processes (each with its own database "
            "connection); default 1.",
        )
        parser.add_argument(
            "--app-url",
            metavar="URL",
            help="With --nginx-config: the dynamic site (e.g. http://127.0.0.1:8000) "
            "that answers search, filtered views and anything DIR lacks.",
        )
        parser.add_argument(
            "--listen",
            metavar="ADDRESS",
            help="With --nginx-config: nginx's listen address (default 80).",
        )
        parser.add_argument(
            "--standalone",
            metavar="FOLDER",
            help="With --nginx-config: print a whole nginx.conf instead, for nginx "
            "in the foreground as any user (nginx -c FOLDER/nginx.conf -p FOLDER), "
            "its pid, logs and temporary files in FOLDER: to try the output.",
        )
        parser.add_argument(
            "--server-name",
            metavar="NAME",
            help="With --nginx-config: the server name (default: SITE_URL's host).",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        for name in ("app_url", "listen", "server_name", "standalone"):
            if options[name] and not options["nginx_config"]:
                flag = "--" + name.replace("_", "-")
                raise CommandError(f"{flag} goes with --nginx-config.")
        if not 1 <= options["jobs"] <= 64:
            raise CommandError("--jobs takes a number of processes from 1 to 64.")
        try:
            target = output.Output(options["directory"])
            renderer = Renderer(jobs=options["jobs"])
            with renderer.active():
                if options["nginx_config"]:
                    config = nginx.config(
                        target.path,
                        renderer,
                        listen=options["listen"] or "80",
                        server_name=options["server_name"],
                        app_url=options["app_url"],
                    )
                    if options["standalone"]:
                        config = nginx.standalone_config(
                            config, Path(options["standalone"]).resolve()
                        )
                    self.stdout.write(config, ending="")
                elif options["check"]:
                    self.check_output(target, renderer)
                else:
                    self.publish(target, renderer, dry_run=options["dry_run"])
        except (output.OutputError, SiteURLError, nginx.ConfigError) as error:
            raise CommandError(str(error)) from error
        except (RenderError, publishing.PublishError) as error:
            raise CommandError(
                f"{error} Nothing was published; the previous output is unchanged."
            ) from error
        except OSError as error:
            raise CommandError(
                f"Cannot write the output: {error}. The previous output is unchanged."
            ) from error

    def publish(self, target, renderer, dry_run):
        target.check_usable(dry_run=dry_run)
        report = publishing.publish(
            target,
            renderer,
            publishing.Report(),
            dry_run=dry_run,
            waiting=lambda: self.say(
                1, f"Another publish_static is writing {target.path}: waiting."
            ),
        )
        self.warn(report)
        verb = "Would publish" if dry_run else "Published"
        self.say(
            1,
            f"{verb} {report.files:,} files in {target.path} in "
            f"{report.seconds:.1f} s ({report.pages:,} pages and downloads, "
            f"{report.media:,} media files, {report.static:,} static files): "
            f"{len(report.new):,} new, {len(report.changed):,} changed, "
            f"{report.unchanged:,} unchanged, {len(report.removed):,} removed.",
        )
        if report.dynamic_links:
            self.say(
                1,
                f"{len(report.dynamic_links):,} linked addresses have a query "
                "string (filters, sort orders): the app answers them.",
            )
        for label, paths in (
            ("new", report.new),
            ("changed", report.changed),
            ("removed", report.removed),
        ):
            for path in paths:
                self.say(2, f"  {label}: {path}")

    def check_output(self, target, renderer):
        if not target.path.is_dir():
            raise output.OutputError(
                f"{target.path} is not a folder: nothing to check."
            )
        report = publishing.check(target.path, renderer, publishing.Report())
        self.warn(report)
        for difference in report.differences:
            self.stdout.write(difference)
        if report.differences:
            raise CommandError(
                f"{target.path} differs from the site in {len(report.differences):,} "
                "files (listed above). Publish again to update them."
            )
        self.say(
            1,
            f"All {report.files:,} files in {target.path} are what the site serves "
            f"({report.seconds:.1f} s).",
        )

    def say(self, level, message):
        if self.verbosity >= level:
            self.stdout.write(message)

    def warn(self, report):
        if self.verbosity >= 1:
            for message in report.warnings:
                self.stderr.write(f"Warning: {message}")
            if report.found_by_links:
                self.stderr.write(
                    "Found by following links, not listed by staticsite.addresses "
                    f"(published anyway): {', '.join(report.found_by_links)}"
                )
