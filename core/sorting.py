"""Sortable, filterable tables by query parameters: `?sort=name`, `?sort=-date`.

A view declares the keys a table sorts by (`Sorting(request.GET, keys,
default)`), sorts its rows with `sorting.apply(rows)` and prints each column
header with `{% sort_header sorting "name" "Signatory" %}`: a link to the same
address sorted by that column (reversed when it already is), with
`aria-sort` on the current one. It works without JavaScript and every order
is a URL that can be shared. A key outside the declared ones, or any other
value, is ignored and the default order is used: a hand-edited link never
errors.

Rows are sorted in Python, after the view's one query: the tables are small
(a declaration's signatories, a list of texts) and names must sort without
regard to case or accents (`core.names.fold`), which databases do
differently. Empty values (an undated position) go last in either direction.
"""

from core.names import fold

DESCENDING = "-"


def _key(value):
    """The key of a sort value: "-date" -> "date" (one "-" only)."""
    return value.removeprefix(DESCENDING)


def by_name(get):
    """A sort key from a name: case and accents folded ("Åland" near "Aruba")."""
    return lambda row: fold(get(row))


class Sorting:
    """The order a visitor chose for one table, among the allowed `keys`.

    `keys` maps each sort key to a function giving a row's value (None for
    "no value", sorted last). `default` is a key, with "-" for descending.
    """

    def __init__(self, params, keys, default, param="sort"):
        self.keys = keys
        self.param = param
        value = params.get(param, "")
        if not isinstance(value, str) or _key(value) not in keys:
            value = default
        self.value = value
        self.key = _key(value)
        self.descending = value.startswith(DESCENDING)
        self.is_default = value == default

    def apply(self, rows):
        """`rows` in the chosen order, as a new list; ties keep their order."""
        get = self.keys[self.key]
        with_value, without = [], []
        for row in rows:
            (without if get(row) is None else with_value).append(row)
        with_value.sort(key=get, reverse=self.descending)
        return with_value + without

    def link_value(self, key):
        """The `sort` value a column's header links to."""
        if key == self.key and not self.descending:
            return DESCENDING + key
        return key

    def state(self, key):
        """The column's `aria-sort`: "ascending", "descending" or ""."""
        if key != self.key:
            return ""
        return "descending" if self.descending else "ascending"


def choice(params, name, allowed):
    """A filter's value if it is one of `allowed`, else "" (no filter)."""
    value = params.get(name, "")
    return value if value in allowed else ""
