"""Dates known to the day, the month or only the year.

A summit "in December 2024" or a ratification "in 2023" is a fact worth
recording even though its day is not known. Such a date is stored as two
columns: a `DateField` holding the first day of the period (so rows sort by
it on every database, a month date sorting within its month), and a
`<field>_precision` CharField saying how much of it is known. `PartialDate`
puts the two back together for display, comparison and exchange.

Nothing here names an app: models declare their pairs with
`precision_field()`, forms use `PartialDateFormField` through
`PartialDateFormMixin`, templates print them with the `time_element` tag
(`core/templatetags/partial_dates.py`).
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django import forms
from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


# "2024", "2024-12" or "2024-12-05": ISO 8601's reduced precision forms.
# ASCII digits only (\d would take "٢٠٢٤"), and the whole text (no newline).
PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
FORMAT_HELP = "A day (2024-12-05), a month (2024-12) or a year (2024)."


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date and how much of it is known; `date` is the period's first day."""

    date: datetime.date
    precision: str = Precision.DAY

    def __post_init__(self):
        # Normalise, so equal periods compare equal whatever day was passed.
        if self.precision == Precision.MONTH:
            object.__setattr__(self, "date", self.date.replace(day=1))
        elif self.precision == Precision.YEAR:
            object.__setattr__(self, "date", self.date.replace(month=1, day=1))
        elif self.precision != Precision.DAY:
            raise ValueError(f"unknown precision {self.precision!r}")

    @classmethod
    def parse(cls, text):
        """'2024', '2024-12' or '2024-12-05' → PartialDate; ValueError if not."""
        match = PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"{text!r} is not a date. {FORMAT_HELP}")
        year, month, day = match.groups()
        try:
            if day:
                return cls(datetime.date(int(year), int(month), int(day)))
            if month:
                return cls(datetime.date(int(year), int(month), 1), Precision.MONTH)
            return cls(datetime.date(int(year), 1, 1), Precision.YEAR)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date. {FORMAT_HELP}") from None

    @classmethod
    def of(cls, value, precision=None):
        """A PartialDate from a stored date and precision; None for no date."""
        if value is None:
            return None
        return cls(value, precision or Precision.DAY)

    @property
    def last_day(self):
        """The last day of the period the date covers."""
        if self.precision == Precision.YEAR:
            return self.date.replace(month=12, day=31)
        if self.precision == Precision.MONTH:
            days = calendar.monthrange(self.date.year, self.date.month)[1]
            return self.date.replace(day=days)
        return self.date

    def certainly_before(self, other):
        """True only when all of this period lies before all of `other`.

        "September 2024" is not before "5 September 2024": either may be first.
        """
        return self.last_day < other.date

    def isoformat(self):
        """'2024', '2024-12' or '2024-12-05': the exchange and <time> form."""
        if self.precision == Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    def display(self, short=False):
        """'5 September 2024' ('5 Sep 2024' if short), 'December 2024', '2023'."""
        month = self.date.strftime("%b" if short else "%B")
        if self.precision == Precision.YEAR:
            return str(self.date.year)
        if self.precision == Precision.MONTH:
            return f"{month} {self.date.year}"
        return f"{self.date.day} {month} {self.date.year}"

    def __str__(self):
        return self.display()


def precision_field(of):
    """The precision column that goes with the date field named `of`."""
    return models.CharField(
        f"{of.replace('_', ' ')} precision",
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text="How much of the date is known.",
    )


class PartialDateFormField(forms.Field):
    """A text input that accepts a day, a month or a year; cleans to PartialDate."""

    widget = forms.TextInput
    default_error_messages = {"invalid": FORMAT_HELP}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", FORMAT_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.update(placeholder="YYYY-MM-DD", size=10, maxlength=10)

    def prepare_value(self, value):
        if isinstance(value, PartialDate):
            return value.isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        if isinstance(value, PartialDate):
            return value
        try:
            return PartialDate.parse(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class PartialDateFormMixin:
    """For a ModelForm whose model pairs date fields with `<field>_precision`.

    List the date fields in `partial_date_fields`; each becomes a text input
    taking "2024", "2024-12" or "2024-12-05", and saving sets the date and
    its precision together. An error names the field the editor typed in.
    """

    partial_date_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.partial_date_fields:
            old = self.fields.get(name)
            if old is None:
                continue
            self.fields[name] = PartialDateFormField(
                required=old.required, label=old.label, help_text=old.help_text
            )
            self.fields[name].help_text = (
                f"{old.help_text} {FORMAT_HELP}" if old.help_text else FORMAT_HELP
            )
            # Initial in the field's own type, bound or not, so an untouched
            # date does not count as a change (revisions list only changes).
            if self.instance is not None:
                stored = getattr(self.instance, name, None)
                precision = getattr(self.instance, f"{name}_precision", None)
                self.initial[name] = PartialDate.of(stored, precision)

    def _post_clean(self):
        # Put date and precision on the instance before the model's clean()
        # compares stages, so its rules see the precision typed.
        for name in self.partial_date_fields:
            if name in self.cleaned_data:
                value = self.cleaned_data[name]
                setattr(self.instance, f"{name}_precision", (
                    value.precision if value else Precision.DAY
                ))  # fmt: skip
                self.cleaned_data[name] = value.date if value else None
        super()._post_clean()


class PartialDateProperty:
    """`summit.starts` → PartialDate from `starts_on` and `starts_on_precision`.

    A read-only attribute for templates and the exchange format, so neither
    pairs the two columns by hand.
    """

    def __init__(self, field_name):
        self.field_name = field_name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return PartialDate.of(
            getattr(instance, self.field_name),
            getattr(instance, f"{self.field_name}_precision"),
        )


def as_partial(value):
    """A PartialDate from a PartialDate, a date or a datetime (None stays None)."""
    if value is None or value == "" or isinstance(value, PartialDate):
        return value or None
    if isinstance(value, datetime.datetime):
        value = value.date()
    return PartialDate(value)


def format_range(start, end=None):
    """'1–2 November 2023', 'December 2024', '30 October – 1 November 2023'…

    Each end is shown at its own precision; what both ends share (the month,
    the year) is said once.
    """
    start, end = as_partial(start), as_partial(end)
    if start is None:
        return ""
    if end is None or end == start:
        return start.display()
    if start.precision == end.precision == Precision.DAY:
        if (start.date.year, start.date.month) == (end.date.year, end.date.month):
            return f"{start.date.day}–{end.display()}"
        if start.date.year == end.date.year:
            return f"{start.date.day} {start.date:%B} – {end.display()}"
    elif start.precision == end.precision == Precision.MONTH:
        if start.date.year == end.date.year:
            return f"{start.date:%B} – {end.display()}"
    elif start.precision == end.precision == Precision.YEAR:
        return f"{start.display()}–{end.display()}"
    return f"{start.display()} – {end.display()}"
