"""Reading a large JSON document from a file without holding all its text.

`json.loads` needs the whole document as one string: 22 MB of UTF-8 is 44 MB
of text as soon as one character is beyond Latin-1 (a curly quote will do),
held together with its bytes and the parsed objects. `load_object` reads the
top-level object a megabyte at a time and parses each of its values, and each
item of a list value, with the json module's own decoder as soon as that
item's text has arrived: only a piece of the text is held at once.

For a well-formed JSON object the result is what `json.loads` returns. For
anything else (a syntax error, bytes that are not UTF-8, a top-level array,
data after the end) it raises `NotStreamable`, and the caller reads the
document the ordinary way, so every refusal says what it said before.
"""

import codecs
import json
import re

CHUNK_SIZE = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# What may come right after a value in JSON (after a key: the colon).
_AFTER = frozenset(" \t\n\r,:]}")
_DECODER = json.JSONDecoder()


class NotStreamable(Exception):
    """The document is not a well-formed JSON object: read it the usual way."""


def load_object(handle):
    """The JSON object in the binary file `handle`, read piece by piece."""
    reader = _Reader(handle)
    reader.expect("{")
    document = {}
    if reader.peek() == "}":
        reader.pos += 1
    else:
        while True:
            key = reader.value()
            if not isinstance(key, str):
                raise NotStreamable
            reader.expect(":")
            # A later duplicate key wins, as in json.loads.
            document[key] = reader.array() if reader.peek() == "[" else reader.value()
            if reader.separator("}"):
                break
    reader.skip_whitespace()
    if reader.pos < len(reader.text):
        raise NotStreamable  # data after the object
    return document


class _Reader:
    """Decoded text of a file, read as far as parsing needs and no further."""

    def __init__(self, handle):
        self.handle = handle
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.eof = False
        # One string object per distinct key, as json.loads shares them
        # across the document (10,000 articles, 15 keys each).
        self.keys = {}

    def more(self, size=None):
        """Read on; False at the end of the file. Drops what was parsed."""
        if self.eof:
            return False
        data = self.handle.read(size or CHUNK_SIZE)
        try:
            piece = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise NotStreamable from error
        self.eof = not data
        self.text = self.text[self.pos :] + piece
        self.pos = 0
        return True

    def skip_whitespace(self):
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text) or not self.more():
                return

    def peek(self):
        self.skip_whitespace()
        return self.text[self.pos : self.pos + 1]

    def expect(self, char):
        if self.peek() != char:
            raise NotStreamable
        self.pos += 1

    def separator(self, closing):
        """Step over a comma (False) or the closing bracket (True)."""
        char = self.peek()
        if char not in (",", closing):
            raise NotStreamable
        self.pos += 1
        return char == closing

    def value(self):
        """The next JSON value, reading more text until it is complete."""
        self.skip_whitespace()
        size = CHUNK_SIZE
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except (ValueError, RecursionError):
                end = None  # cut off by the end of the text read so far, or bad
            # Complete only if what follows may follow a value: "-1.5" cut
            # after "-1." parses as -1, and "12" may be the start of "1234".
            if end is not None and (self.eof or self.text[end : end + 1] in _AFTER):
                self.pos = end
                try:
                    return self.shared_keys(value)
                except RecursionError as error:  # nested about as deep as allowed
                    raise NotStreamable from error
            if not self.more(size):
                raise NotStreamable
            size *= 2  # an item bigger than a chunk: read on in larger steps

    def array(self):
        self.expect("[")
        items = []
        if self.peek() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            if self.separator("]"):
                return items

    def shared_keys(self, value):
        if isinstance(value, dict):
            keys = self.keys
            return {
                keys.setdefault(key, key): self.shared_keys(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.shared_keys(item) for item in value]
        return value
