from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Every app's models are loaded by now, so the page cache can find the
        # content models without core importing them.
        from core.fragments import connect_extra_signals
        from core.signals import connect_content_signals, connect_media_signals

        connect_content_signals()
        connect_media_signals()
        connect_extra_signals()
