"""The former name of `rebuild_search_index`, kept for scripts that call it."""

from home.management.commands.rebuild_search_index import Command as Rebuild


class Command(Rebuild):
    help = "Same as rebuild_search_index (its former name)."
