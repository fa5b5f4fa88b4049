"""The compare matrix: signatories (rows) × published declarations (columns).

Built from three queries whatever the size of the data: the published
declarations (columns, and the choices in the form), one query over the
signatures of the chosen columns with their signatories (cells and rows), and
nothing per cell. Rows are the signatories with a recorded position on at least
one chosen declaration; a signatory with none would be a row of blanks.

GET parameters are read leniently: an unknown kind or slug is ignored and the
default view is shown, so a hand-edited or stale link never errors. `group`
narrows the rows to a group's members (see `find_group`); the public groups
are read by the view once, for the form, and looked up here without a query.
"""

from dataclasses import dataclass, field

from summits.models import Declaration, Signatory, Signature, signature_counts

DEFAULT_KIND = Signatory.Kind.COUNTRY
ALL = "all"
# The default view stays readable on a phone; "all" is one filter away.
DEFAULT_COLUMNS = 8


@dataclass
class Column:
    declaration: Declaration
    signed: int = 0
    declined: int = 0
    withdrawn: int = 0
    attended: int = 0
    unknown: int = 0


@dataclass
class Row:
    signatory: Signatory
    cells: list = field(default_factory=list)  # one status (or None) per column


@dataclass
class Matrix:
    kind: str
    columns: list
    rows: list
    all_declarations: list
    chosen_slugs: set
    showing_all: bool
    defaulted: bool  # no valid choice was made, so the default columns show
    group: object = None  # the Group whose members are the rows, if chosen
    group_problem: str = ""  # said on the page when ?group= named no group

    @property
    def kind_label(self):
        return KIND_CHOICES[self.kind]


# The filter's choices, in the plural the page reads them in.
KIND_CHOICES = {
    Signatory.Kind.COUNTRY: "Countries",
    Signatory.Kind.ORGANISATION: "International organisations",
    Signatory.Kind.COMPANY: "Companies",
    Signatory.Kind.OTHER: "Other signatories",
    ALL: "All signatories",
}


def kind_choices():
    return list(KIND_CHOICES.items())


def parse_kind(value):
    return value if value in KIND_CHOICES else DEFAULT_KIND


def choose_declarations(all_declarations, requested):
    """The columns to show, oldest first, and whether the default was used.

    `all_declarations` is newest first (the model's ordering).
    """
    if ALL in requested:
        chosen, defaulted = list(all_declarations), False
    else:
        wanted = set(requested)
        chosen = [d for d in all_declarations if d.slug in wanted]
        defaulted = not chosen
        if defaulted:
            chosen = list(all_declarations[:DEFAULT_COLUMNS])
    # Read left to right in time, like a timeline; undated texts stay last.
    dated = [d for d in chosen if d.adopted_on]
    return dated[::-1] + [d for d in chosen if not d.adopted_on], defaulted


def drop_empty_columns(columns, rows):
    """Without the visitor's choice, hide declarations nobody of this kind took
    a position on (the companies' commitments in a view of countries): a column
    of blanks pushes the informative ones off a phone's screen."""
    keep = [
        i
        for i, c in enumerate(columns)
        if c.signed + c.declined + c.withdrawn + c.attended + c.unknown
    ]
    if not keep:
        return columns, rows
    for row in rows:
        row.cells = [row.cells[i] for i in keep]
    return [columns[i] for i in keep], rows


def find_group(params, groups):
    """(group, problem) for `?group=<slug>` among the public `groups`.

    An unknown or non-public slug is ignored, with a sentence saying so: a
    stale shared link shows everyone rather than an error.
    """
    slug = params.get("group", "")
    if not slug:
        return None, ""
    for group in groups:
        if group.slug == slug:
            return group, ""
    return None, f"There is no group “{slug[:100]}”: showing every signatory."


def build_matrix(params, groups=()):
    """Build the matrix from a QueryDict (request.GET) of `kind`, `d` and
    `group` values; `groups` are the public groups to choose from."""
    kind = parse_kind(params.get("kind", ""))
    group, group_problem = find_group(params, groups)
    # Only published declarations are ever candidates, so a draft's slug in
    # ?d= is ignored like any unknown slug and its signatures are never read.
    # Each column's header says when its list is partial ("4 of about 60
    # recorded"), so the signed count comes with the columns, in the same query.
    all_declarations = list(
        Declaration.objects.public()
        .only(
            "title",
            "slug",
            "adopted_on",
            "adopted_on_precision",
            "kind",
            "topic",
            "reported_signatory_count",
        )
        .annotate(**signature_counts())
        .order_by(*Declaration._meta.ordering)
    )
    chosen, defaulted = choose_declarations(all_declarations, params.getlist("d"))
    if defaulted:
        # Precedents (the Montreal Protocol…) are there to compare with on
        # request; the first view is about AI.
        ai = [d for d in all_declarations if d.topic == Declaration.Topic.AI]
        chosen, _ = choose_declarations(ai[:DEFAULT_COLUMNS], [ALL])
    columns = [Column(declaration) for declaration in chosen]
    position = {column.declaration.pk: i for i, column in enumerate(columns)}

    signatures = (
        Signature.objects.filter(declaration_id__in=position)
        .select_related("signatory")
        .only(
            "declaration_id",
            "status",
            "signatory__name",
            "signatory__slug",
            "signatory__kind",
        )
        .order_by("signatory__name", "signatory_id")
    )
    if kind != ALL:
        signatures = signatures.filter(signatory__kind=kind)
    if group is not None:
        # Members past and present: the group page dates each membership.
        signatures = signatures.filter(signatory__memberships__group=group)

    rows = []
    for signature in signatures:
        if not rows or rows[-1].signatory.pk != signature.signatory_id:
            rows.append(Row(signature.signatory, [None] * len(columns)))
        index = position[signature.declaration_id]
        rows[-1].cells[index] = signature.status
        column = columns[index]
        setattr(column, signature.status, getattr(column, signature.status) + 1)

    if defaulted:
        columns, rows = drop_empty_columns(columns, rows)

    return Matrix(
        kind=kind,
        columns=columns,
        rows=rows,
        all_declarations=all_declarations,
        chosen_slugs={column.declaration.slug for column in columns},
        showing_all=bool(all_declarations) and len(chosen) == len(all_declarations),
        defaulted=defaulted,
        group=group,
        group_problem=group_problem,
    )
