"""Templates stay readable: no line in templates/ is over 160 characters."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LIMIT = 160


def test_no_template_line_is_longer_than_160_characters():
    too_long = [
        f"{path.relative_to(TEMPLATES)}:{number} ({len(line)} characters)"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > LIMIT
    ]
    assert too_long == []


def test_the_check_reads_the_templates():
    # An empty walk would pass the check above without reading anything.
    assert (TEMPLATES / "base.html").is_file()
