"""Names compared the way people type them: without regard to case or accents.

"Türkiye", "TURKIYE" and "turkiye" fold to the same key. The folded form is
stored next to each name (a db-indexed column), so matching is a plain
equality on every database; PostgreSQL's `unaccent` is not needed for it.
"""

import unicodedata


def fold(text):
    """`text` case-folded, without accents, its spaces tidied: a matching key."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
