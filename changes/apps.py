from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """The public change log: what changed in the record, and when."""

    name = "changes"
    # The log shows on a public page and in feeds: new events make it stale.
    holds_content = True

    def ready(self):
        # Connects the receivers that write an event when public content changes.
        from changes import signals  # noqa: F401
