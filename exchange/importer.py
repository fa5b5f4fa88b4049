"""Reading a summitwatch.export/2 (or /1) document back into the database.

Three stages, and nothing is written until the first two have passed for the
whole document:

1. `parse_document`: bytes → JSON (with line and column on failure), the
   `schema` version, then the JSON Schema (JSON path and message per error).
2. `Importer.check`: what the schema cannot see — duplicate slugs, references
   to unknown slugs, dates that match the pattern but do not exist, and each
   object's own model validation (`full_clean`).
3. `Importer.apply`: upsert by slug inside one transaction, saving only rows
   whose exported form would change, so a second import is a no-op; what it
   writes is one revision in the editors' history. Rendered
   HTML is rebuilt by the models' `save()`; the document never supplies it.
   New articles, the bulk of a large document, and the positions of new
   declarations are written in batches (`core.bulk.bulk_create`: what
   `save()` and its receivers do, in a few queries per batch), and each
   batch's versions go to the revision as it is written, so memory stays
   flat however long the document.

Every problem found becomes one line in `ImportErrors`, which the commands turn
into a `CommandError`: the database is left exactly as it was.
"""

import datetime
import json
from dataclasses import dataclass, field
from functools import cache

import jsonschema_rs
import reversion
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from articles.models import Article
from core import bulk
from core.cache import content_changes_batched
from core.names import fold
from editorial.revisions import import_revision
from exchange.format import (
    ARTICLE_FIELDS,
    ASSESSMENT_FIELDS,
    COMMITMENT_FIELDS,
    DECLARATION_FIELDS,
    GROUP_FIELDS,
    OTHER_NAME_FIELDS,
    PAGE_FIELDS,
    SCHEMA_ID,
    SERIES_FIELDS,
    SIGNATORY_FIELDS,
    SIGNATURE_FIELDS,
    SUMMIT_FIELDS,
    V1_SCHEMA_ID,
    comparable,
    decode,
    load_schema,
    load_v1_schema,
    plain_fields,
    storage_problem,
    upgrade_v1,
)
from exchange.reading import NotStreamable, load_object
from pages.models import Page
from summits.models import (
    NEEDS_EVIDENCE,
    Assessment,
    AssessmentEvidence,
    Commitment,
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)

MAX_REPORTED_ERRORS = 20

# New rows written per INSERT (and versions per write to the revision): big
# enough that round trips stop mattering, small enough to keep memory flat
# (a batch of articles is its rows, their HTML, their versions, and the SQL
# that carries them: about 10 MB at 500).
BATCH_SIZE = 200

# Which other sections each section's objects refer to by slug.
REFERENCES = {
    "groups": ("signatories",),
    "summits": ("series",),
    "declarations": ("summits", "signatories"),
    "articles": ("summits", "declarations"),
}

# Sections other sections refer to by slug: their ids are looked up once.
REFERRED_TO = {name for names in REFERENCES.values() for name in names}

# A reference's key in the document -> the kind of object it names.
REFERENCE_KINDS = {
    "summit": "summit",
    "summits": "summit",
    "series": "series",
    "declarations": "declaration",
}

# In the order they are written: each section refers only to earlier ones.
SECTION_MODELS = {
    "signatories": (Signatory, SIGNATORY_FIELDS),
    "groups": (Group, GROUP_FIELDS),
    "series": (Series, SERIES_FIELDS),
    "summits": (Summit, SUMMIT_FIELDS),
    "declarations": (Declaration, DECLARATION_FIELDS),
    "articles": (Article, ARTICLE_FIELDS),
    "pages": (Page, PAGE_FIELDS),
}


# An article's links, read as ids only: a whole summit or declaration per
# link would be a copy of its text for every article that links to it.
LINKS_BY_ID = (
    Prefetch("summits", queryset=Summit.objects.only("pk")),
    Prefetch("declarations", queryset=Declaration.objects.only("pk")),
)


class ImportErrors(Exception):
    """The document cannot be imported; `messages` says why, one per problem."""

    def __init__(self, messages, total=None):
        self.messages = list(messages)
        self.total = total if total is not None else len(self.messages)
        super().__init__("\n".join(self.messages))

    def report(self, source):
        lines = [f"{source}: nothing was imported."]
        lines += [f"  - {message}" for message in self.messages]
        if self.total > len(self.messages):
            lines.append(f"  … and {self.total - len(self.messages)} more.")
        return "\n".join(lines)


def parse_document(data):
    """Bytes, text or a binary file → a document that passed the JSON Schema,
    or ImportErrors. A file is read piece by piece (exchange.reading)."""
    document = read_file(data) if hasattr(data, "read") else load_json(data)
    return checked_document(document)


def read_file(handle):
    """The JSON value in a binary file, without holding all its text at once
    when it is a well-formed object; anything else is read whole, so that
    `load_json` says what is wrong with it."""
    try:
        handle.seek(0)
        try:
            return load_object(handle)
        except NotStreamable:
            handle.seek(0)
            return load_json(handle.read())
    except OSError as error:
        raise ImportErrors([f"cannot read it ({error.strerror or error})."]) from error


def load_json(data):
    """Bytes or text → the JSON value, or ImportErrors saying where it breaks."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportErrors(
                [f"not UTF-8 text (undecodable byte at offset {error.start})."]
            ) from error
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise ImportErrors(
            [f"not valid JSON: {error.msg} (line {error.lineno}, "
             f"column {error.colno})."]
        ) from error  # fmt: skip
    except RecursionError as error:
        raise ImportErrors(
            ["not a summitwatch document: nested too deeply."]
        ) from error
    except ValueError as error:
        # Python refuses integers of more than 4,300 digits as a DoS guard.
        raise ImportErrors([f"not a summitwatch document: {error}."]) from error
    return document


def checked_document(document):
    """A parsed JSON value → a document that passed the JSON Schema."""
    if not isinstance(document, dict):
        raise ImportErrors(["the document must be a JSON object."])
    version = document.get("schema")
    if version is None:
        raise ImportErrors(
            [f'no "schema" key: expected "schema": "{SCHEMA_ID}" at the top.']
        )
    schemas = {SCHEMA_ID: load_schema, V1_SCHEMA_ID: load_v1_schema}
    if not isinstance(version, str) or version not in schemas:
        raise ImportErrors(
            [f"unsupported schema {version!r}: this site reads {SCHEMA_ID!r} "
             f"(and {V1_SCHEMA_ID!r})."]
        )  # fmt: skip
    messages = []
    if not fast_validator(version).is_valid(document):
        # The compiled validator only says yes or no, in a hundredth of the
        # time (10,000 articles: 0.1 s against 6-12 s); the messages, and
        # the last word, are jsonschema's.
        validator = Draft202012Validator(schemas[version]())
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        # One mistake can break two rules (a pattern, and the oneOf around it).
        messages = list(dict.fromkeys(schema_message(error) for error in errors))
    messages += [f"{path}: {problem}" for path, problem in unstorable_text(document)]
    if messages:
        raise ImportErrors(messages[:MAX_REPORTED_ERRORS], total=len(messages))
    if version == V1_SCHEMA_ID:
        # Checked as version 1 (so its paths and rules apply), then read as
        # the version-2 document it means.
        messages = list(v1_date_problems(document))
        if messages:
            raise ImportErrors(messages[:MAX_REPORTED_ERRORS], total=len(messages))
        document = upgrade_v1(document)
    # `iso3` stays reserved (the code follows from `country`): a document
    # that fills it is refused, never silently dropped.
    unsupported = [
        f"$.signatories[{index}].iso3 (signatory {item['slug']!r}): this site "
        "does not store iso3 (it follows from country); nothing was imported."
        for index, item in enumerate(document["signatories"])
        if item.get("iso3")
    ]
    if unsupported:
        raise ImportErrors(unsupported)
    return with_optional_parts(document)


@cache
def fast_validator(version):
    """A compiled validator of the schema `version` (jsonschema-rs)."""
    schema = {SCHEMA_ID: load_schema, V1_SCHEMA_ID: load_v1_schema}[version]()
    return jsonschema_rs.validator_for(schema)


def with_optional_parts(document):
    """The document with version 2's optional lists filled in where absent:
    no series, no groups, no other names, summits in no series."""
    for signatory in document["signatories"]:
        signatory.setdefault("other_names", [])
    for summit in document["summits"]:
        summit.setdefault("series", None)
    document.setdefault("series", [])
    document.setdefault("groups", [])
    return document


def v1_date_problems(document):
    """Version-1 dates that match the pattern but do not exist (2023-02-30).

    Checked before the upgrade, so each is reported under the name the data
    user wrote: a position's `date` moves to the stage its status names.
    """

    def check(path, owner, value):
        if value is None:
            return
        try:
            datetime.date.fromisoformat(value)
        except ValueError as error:
            yield f"{path} ({owner}): {value!r} is not a valid date ({error})."

    for section in ("summits", "declarations", "articles"):
        for index, item in enumerate(document[section]):
            owner = f"{SINGULAR[section]} {item['slug']!r}"
            for key, value in item.items():
                if key.endswith("_on"):
                    yield from check(f"$.{section}[{index}].{key}", owner, value)
            for position, old in enumerate(item.get("signatures", ())):
                here = f"$.{section}[{index}].signatures[{position}]"
                whose = f"position of signatory {old['signatory']!r} on {owner}"
                for key in ("date", "ratified_on"):
                    yield from check(f"{here}.{key}", whose, old[key])


def unstorable_text(value, path="$"):
    """(JSON path, problem) for every string the database cannot store."""
    if isinstance(value, str):
        problem = storage_problem(value)
        if problem:
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unstorable_text(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unstorable_text(item, f"{path}[{index}]")


def schema_message(error):
    """One schema error as `$.path: message`, in words a data user can act on."""
    if error.context:
        # A oneOf "X or null" failed: what matters is why X failed, not that
        # the value is not null.
        reasons = [
            e
            for e in error.context
            if not (e.validator == "type" and e.validator_value == "null")
        ]
        if reasons:
            error = best_match(reasons)
    if error.validator == "pattern" and "description" in error.schema:
        message = f"{error.instance!r} is not in the expected form. "
        message += error.schema["description"]
    else:
        message = error.message
    if len(message) > 300:
        message = message[:300] + "…"
    return f"{error.json_path}: {message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def as_text(self):
        text = f"{self.created} created, {self.updated} updated, "
        text += f"{self.unchanged} unchanged"
        return text + (f", {self.deleted} deleted" if self.deleted else "")


@dataclass
class Result:
    counts: dict = field(
        default_factory=lambda: {section: Counts() for section in SECTION_MODELS}
    )
    warnings: list = field(default_factory=list)

    def lines(self):
        return [
            f"{section}: {counts.as_text()}" for section, counts in self.counts.items()
        ]


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


SINGULAR = {
    "signatories": "signatory",
    "groups": "group",
    "series": "series",
    "summits": "summit",
    "declarations": "declaration",
    "articles": "article",
    "pages": "page",
}


@dataclass(frozen=True, slots=True)
class Where:
    """Where a problem is: a JSON path, and whose it is in words.

    `where("summit")` reads `$.declarations[3].summit (declaration 'x')`.
    """

    path: str
    owner: str

    def __call__(self, name=None):
        return f"{self.path}{'.' + name if name else ''} ({self.owner})"

    def child(self, name):
        return Where(f"{self.path}.{name}", self.owner)


@dataclass(slots=True)  # one per object: 10,000 articles, 10,000 times
class Planned:
    """One document object, decoded, with the row it will update (if any).

    A new object's `instance` is made when it is written, not while the
    whole document is checked: 10,000 unsaved articles are memory for nothing.
    """

    where: Where
    values: dict
    instance: object
    existing: bool
    extra: dict = field(default_factory=dict)

    def row(self, model):
        """The row to write: the one found, or a new one made now."""
        if self.instance is None:
            self.instance = model()
        return self.instance


def no_progress(stage, done, total):
    pass


class Importer:
    """Checks a parsed document against the database, then applies it."""

    def __init__(self, document, prune=False, progress=no_progress):
        # Pages came within version 2: a document without the list adds no
        # pages, and --prune leaves the site's pages alone.
        self.absent = {section for section in SECTION_MODELS if section not in document}
        self.document = {**document, **{section: [] for section in self.absent}}
        self.prune = prune
        self.errors = []
        self.warnings = []
        self.plans = {section: [] for section in SECTION_MODELS}
        # progress(stage, done, total): "checking", then "writing", objects.
        self.progress = progress
        self.total = sum(len(self.document[section]) for section in SECTION_MODELS)
        self.done = 0
        self.revision = None

    def advance(self, stage, count=1):
        self.done += count
        self.progress(stage, self.done, self.total)

    def error(self, message):
        self.errors.append(message)

    # -- stage 2: checks -------------------------------------------------

    def check(self):
        """Find every problem in the document before anything is written."""
        for section in SECTION_MODELS:
            self.check_duplicates(section)
        if not self.errors:
            self.done = 0
            # Read before planning lets each parsed signatory go (see below).
            self.signatory_kinds()
            for section in SECTION_MODELS:
                self.plan_section(section)
            self.check_signatory_names()
            self.check_unique_names("series")
            self.check_unique_names("groups")
        if self.errors:
            messages = self.errors[:MAX_REPORTED_ERRORS]
            raise ImportErrors(messages, total=len(self.errors))

    def check_duplicates(self, section):
        seen = {}
        for index, item in enumerate(self.document[section]):
            slug = item["slug"]
            if slug in seen:
                self.error(
                    f"$.{section}[{index}].slug: duplicate {SINGULAR[section]} "
                    f"slug {slug!r} (also at $.{section}[{seen[slug]}])."
                )
            seen[slug] = index
        if section == "declarations":
            for index, item in enumerate(self.document[section]):
                signed = {}
                for position, signature in enumerate(item["signatures"]):
                    slug = signature["signatory"]
                    if slug in signed:
                        self.error(
                            f"$.declarations[{index}].signatures[{position}]: "
                            f"signatory {slug!r} appears twice on "
                            f"{item['slug']!r} (also at signatures[{signed[slug]}])."
                        )
                    signed[slug] = position
        if section == "groups":
            for index, item in enumerate(self.document[section]):
                listed = {}
                for position, member in enumerate(item["members"]):
                    slug = member["signatory"]
                    if slug in listed:
                        self.error(
                            f"$.groups[{index}].members[{position}]: signatory "
                            f"{slug!r} is listed twice in group {item['slug']!r} "
                            f"(also at members[{listed[slug]}])."
                        )
                    listed[slug] = position

    def existing(self, model, slugs):
        """Rows of `model` with these slugs, by slug, with what the upsert
        compares already fetched (in chunks: SQLite caps query parameters)."""
        related = {
            Signatory: ["aliases"],
            Group: ["memberships__signatory"],
            Declaration: ["signatures"],
            Article: LINKS_BY_ID,
        }.get(model, [])
        # Rebuilt by every save, compared by nothing: not worth holding for
        # thousands of rows (save() renders the HTML before writing the row).
        unread = [f.name for f in model._meta.fields if f.name == "search_vector"]
        unread += getattr(model, "markdown_fields", {}).values()
        slugs = list(slugs)
        found = {}
        for start in range(0, len(slugs), 500):
            chunk = slugs[start : start + 500]
            rows = model.objects.filter(slug__in=chunk).defer(*unread)
            for row in rows.prefetch_related(*related):
                found[row.slug] = row
        return found

    def known_slugs(self, section):
        """Slugs a reference may name: the document's, and without --prune
        the database's too (objects not in the document are left alone)."""
        model = SECTION_MODELS[section][0]
        slugs = {item["slug"] for item in self.document[section]}
        if not self.prune:
            slugs |= set(model.objects.values_list("slug", flat=True))
        return slugs

    def decode_values(self, where, model, fields, item):
        values = {}
        for name in plain_fields(fields):
            try:
                values |= decode(model, name, item[name])
            except ValueError as error:
                self.error(
                    f"{where(name)}: {item[name]!r} is not a valid date ({error})."
                )
        return values

    def plan_section(self, section):
        model, fields = SECTION_MODELS[section]
        items = self.document[section]
        rows = self.existing(model, (item["slug"] for item in items))
        known = {name: self.known_slugs(name) for name in REFERENCES.get(section, ())}
        for index, item in enumerate(items):
            where = Where(
                f"$.{section}[{index}]", f"{SINGULAR[section]} {item['slug']!r}"
            )
            values = self.decode_values(where, model, fields, item)
            instance = rows.get(item["slug"])
            plan = Planned(where, values, instance, instance is not None)
            if section == "signatories":
                plan.extra["other_names"] = self.plan_other_names(
                    where, item["other_names"]
                )
            if section == "groups":
                plan.extra["members"] = self.plan_members(
                    where, item["members"], known["signatories"]
                )
            if section == "summits":
                plan.extra["series"] = self.reference(
                    where, "series", item["series"], known["series"]
                )
            if section == "declarations":
                plan.extra["summit"] = self.reference(
                    where, "summit", item["summit"], known["summits"]
                )
                plan.extra["signatures"] = self.plan_signatures(
                    where, item["signatures"], known["signatories"], item["binding"]
                )
                # Optional: an older document leaves commitments as they are.
                if "commitments" in item:
                    plan.extra["commitments"] = self.plan_commitments(
                        where, item, values, known["signatories"]
                    )
            if section == "articles":
                for name in ("summits", "declarations"):
                    plan.extra[name] = sorted(
                        slug
                        for slug in item[name]
                        if self.reference(where, name, slug, known[name])
                    )
            self.validate(plan, model)
            self.plans[section].append(plan)
            # The plan holds what is written; later checks read only the
            # slug. Let the parsed object go now rather than after the
            # whole document: otherwise both are held at once.
            items[index] = {"slug": item["slug"]}
            self.advance("checking")

    def reference(self, where, name, slug, known):
        if slug is None:
            return None
        if slug not in known:
            kind = REFERENCE_KINDS[name]
            self.error(f"{where(name)}: unknown {kind} slug {slug!r}.")
            return None
        return slug

    def plan_other_names(self, where, other_names):
        """[(name, kind)]; the rules that need other rows are checked with
        the names (check_signatory_names), once the whole section is read."""
        planned = []
        for position, item in enumerate(other_names):
            here = where.child(f"other_names[{position}]")
            alias = SignatoryAlias(**{name: item[name] for name in OTHER_NAME_FIELDS})
            try:
                alias.clean_fields(exclude=["signatory", "folded"])
            except ValidationError as error:
                self.report_validation(here, error)
            planned.append((item["name"], item["kind"]))
        return planned

    def plan_members(self, where, members, known):
        """[(signatory slug, {"joined_on", "left_on"})] of a group's members."""
        planned = []
        for position, item in enumerate(members):
            here = where.child(f"members[{position}]")
            slug = item["signatory"]
            if slug not in known:
                self.error(f"{here('signatory')}: unknown signatory slug {slug!r}.")
                continue
            dates = []
            for key in ("from", "to"):
                try:
                    value = decode(GroupMembership, "joined_on", item[key])
                    dates.append(value["joined_on"])
                except ValueError as error:
                    self.error(
                        f"{here(key)}: {item[key]!r} is not a valid date ({error})."
                    )
                    dates.append(None)
            membership = GroupMembership(joined_on=dates[0], left_on=dates[1])
            try:
                membership.clean()
            except ValidationError:
                self.error(
                    f"{here('to')}: the membership ends ({item['to']}) before it "
                    f"starts ({item['from']})."
                )
            planned.append((slug, {"joined_on": dates[0], "left_on": dates[1]}))
        return planned

    def plan_signatures(self, where, signatures, known, binding):
        planned = []
        for position, item in enumerate(signatures):
            slug = item["signatory"]
            here = Where(
                f"{where.path}.signatures[{position}]",
                f"position of signatory {slug!r} on {where.owner}",
            )
            if slug not in known:
                self.error(f"{here('signatory')}: unknown signatory slug {slug!r}.")
                continue
            values = self.decode_values(here, Signature, SIGNATURE_FIELDS, item)
            # Checked against the declaration as the document has it (its
            # stages depend on whether the text is binding).
            signature = Signature(declaration=Declaration(binding=binding), **values)
            try:
                signature.full_clean(
                    exclude=["declaration", "signatory"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                self.report_validation(here, error)
            planned.append((slug, values))
        return planned

    def signatory_kinds(self):
        """{slug: kind} of every signatory a reference may name (one query)."""
        if not hasattr(self, "_signatory_kinds"):
            kinds = {}
            if not self.prune:
                kinds = dict(Signatory.objects.values_list("slug", "kind"))
            kinds |= {
                item["slug"]: item["kind"] for item in self.document["signatories"]
            }
            self._signatory_kinds = kinds
        return self._signatory_kinds

    def plan_commitments(self, where, item, values, known):
        """A declaration's commitments and their assessments, checked.

        Against the declaration as the document has it: a deadline not before
        its adoption, assessments only of signatories whose position in the
        document is "signed" and whom the commitment binds.
        """
        declaration = Declaration(
            adopted_on=values.get("adopted_on"),
            adopted_on_precision=values.get("adopted_on_precision", "day"),
        )
        positions = {p["signatory"]: p["status"] for p in item["signatures"]}
        planned, seen = [], {}
        for index, commitment_item in enumerate(item["commitments"]):
            slug = commitment_item["slug"]
            here = Where(
                f"{where.path}.commitments[{index}]",
                f"commitment {slug!r} of {where.owner}",
            )
            if slug in seen:
                self.error(
                    f"{here('slug')}: duplicate commitment slug {slug!r} "
                    f"(also at commitments[{seen[slug]}])."
                )
            seen[slug] = index
            commitment_values = self.decode_values(
                here, Commitment, COMMITMENT_FIELDS, commitment_item
            )
            commitment = Commitment(declaration=declaration, **commitment_values)
            try:
                commitment.full_clean(
                    exclude=["declaration"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                self.report_validation(here, error)
            assessments = self.plan_assessments(
                here, commitment, commitment_item["assessments"], positions, known
            )
            planned.append((commitment_values, assessments))
        return planned

    def plan_assessments(self, where, commitment, items, positions, known):
        planned, seen = [], set()
        kinds = self.signatory_kinds()
        for index, item in enumerate(items):
            slug = item["signatory"]
            here = Where(
                f"{where.path}.assessments[{index}]",
                f"assessment of signatory {slug!r} on {where.owner}",
            )
            if slug not in known:
                self.error(f"{here('signatory')}: unknown signatory slug {slug!r}.")
                continue
            if slug in seen:
                self.error(f"{here('signatory')}: {slug!r} is assessed twice here.")
            seen.add(slug)
            position = positions.get(slug)
            if position != Signature.Status.SIGNED:
                why = "has no position on it" if position is None else (
                    f"its position is {position!r}"
                )  # fmt: skip
                self.error(
                    f"{here('signatory')}: {slug!r} did not sign this declaration "
                    f"({why}): only a signatory's own promises are assessed."
                )
            elif commitment.applies_to not in ("all", kinds.get(slug)):
                self.error(
                    f"{here('signatory')}: the commitment binds "
                    f"{commitment.binds_label} only, and {slug!r} is a "
                    f"{kinds.get(slug)}."
                )
            values = self.decode_values(here, Assessment, ASSESSMENT_FIELDS, item)
            try:
                Assessment(**values).full_clean(
                    exclude=["commitment", "signatory"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                self.report_validation(here, error)
            evidence = []
            for position_index, link in enumerate(item["evidence"]):
                spot = Where(f"{here.path}.evidence[{position_index}]", here.owner)
                try:
                    AssessmentEvidence(**link).full_clean(exclude=["assessment"])
                except ValidationError as error:
                    self.report_validation(spot, error)
                evidence.append((link["source_url"], link["source_name"]))
            if item["result"] in NEEDS_EVIDENCE and not evidence:
                self.error(
                    f"{here('evidence')}: a finding of {item['result']!r} needs "
                    "at least one evidence link."
                )
            planned.append((slug, values, evidence))
        return planned

    def validate(self, plan, model):
        """The model's own rules (lengths, URLs, choices, clean()), per object.

        Relations are checked by slug above; unique slugs by the duplicate
        check and the lookup by slug, so no per-row uniqueness queries.
        """
        pk = plan.instance.pk if plan.existing else None
        candidate = model(pk=pk, **plan.values)
        exclude = ["summit"] if isinstance(candidate, Declaration) else []
        try:
            candidate.full_clean(
                exclude=exclude,
                validate_unique=False,
                validate_constraints=isinstance(candidate, Summit),
            )
        except ValidationError as error:
            self.report_validation(plan.where, error)
        image = plan.values.get("cover_image")
        try:
            missing = bool(image) and not default_storage.exists(image)
        except SuspiciousFileOperation:
            self.error(f"{plan.where('cover_image')}: {image!r} is outside media.")
            missing = False
        if missing:
            self.warnings.append(
                f"{plan.where('cover_image')}: {image!r} is not in media storage; "
                "copy the media files too."
            )

    def report_validation(self, where, error):
        for name, messages in error.message_dict.items():
            target = where() if name == "__all__" else where(name)
            self.error(f"{target}: {' '.join(messages)}")

    def check_signatory_names(self):
        """Names and other names are unique too, ignoring case and accents
        ("UK" cannot mean two parties): clashes inside the document and with
        rows it does not mention are caught here, not as an IntegrityError."""
        claimed = {}  # folded name -> (where it is claimed, by which slug)
        for plan in self.plans["signatories"]:
            slug = plan.values["slug"]
            spots = [(plan.values["name"], plan.where("name"))] + [
                (name, plan.where(f"other_names[{i}].name"))
                for i, (name, _kind) in enumerate(plan.extra["other_names"])
            ]
            for name, here in spots:
                key = fold(name)
                if key in claimed:
                    other_here, other_slug, _name = claimed[key]
                    whose = "this signatory" if other_slug == slug else other_here
                    self.error(f"{here}: {name!r} is already a name of {whose}.")
                    continue
                claimed[key] = (here, slug, name)
        slugs = {plan.values["slug"] for plan in self.plans["signatories"]}
        keys = list(claimed)
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            clashes = (
                Signatory.objects.exclude(slug__in=slugs)
                .filter(Q(folded_name__in=chunk) | Q(aliases__folded__in=chunk))
                .prefetch_related("aliases")
                .distinct()
            )
            for signatory in clashes:
                theirs = {signatory.folded_name} | {
                    a.folded for a in signatory.aliases.all()
                }
                for key in sorted(theirs & set(chunk)):
                    here, _slug, name = claimed[key]
                    self.error(
                        f"{here}: {name!r} is already the name of signatory "
                        f"{signatory.slug!r} ({signatory.name}) in the database, "
                        "ignoring case and accents."
                    )

    def check_unique_names(self, section):
        """A series' or group's name is unique, like its slug."""
        model = SECTION_MODELS[section][0]
        names = {}
        for plan in self.plans[section]:
            name = plan.values["name"]
            if name in names:
                self.error(
                    f"{plan.where('name')}: {name!r} is also the name of "
                    f"{names[name].owner}."
                )
            names[name] = plan.where
        slugs = {plan.values["slug"] for plan in self.plans[section]}
        for row in model.objects.filter(name__in=list(names)).exclude(slug__in=slugs):
            self.error(
                f"{names[row.name]('name')}: {row.name!r} is already the name of "
                f"{SINGULAR[section]} {row.slug!r} in the database."
            )

    # -- stage 3: apply --------------------------------------------------

    def apply(self, dry_run=False, comment="Imported"):
        """Write the document in one transaction; returns a Result.

        Everything written is one revision in the editors' history, with
        `comment`, so an import can be compared and undone like an admin
        edit. Pages go stale once, at the end, not once per row.
        """
        result = Result(warnings=self.warnings)
        try:
            with content_changes_batched(), transaction.atomic():
                with import_revision(comment, manage_manually=True) as revision:
                    self.revision = revision
                    self.apply_all(result)
                if dry_run:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        except IntegrityError as error:
            raise ImportErrors([f"the database refused the import: {error}"]) from error
        return result

    def apply_all(self, result):
        """Upsert section by section, pruning around the upserts.

        With --prune, articles and declarations not in the document go first
        (they only point at others). Summits and signatories go last: a kept
        declaration may still point at a doomed summit, or carry a signature
        of a doomed signatory (both PROTECTed), until its upsert changes that.
        """
        if self.prune:
            self.delete_missing("pages", result)
            self.delete_missing("articles", result)
            self.delete_missing("declarations", result)
        ids = {}
        self.release_other_names()
        self.done = 0
        for section in SECTION_MODELS:
            counts = result.counts[section]
            plans = self.plans[section]
            if section == "articles":
                new = [plan for plan in plans if not plan.existing]
                plans = [plan for plan in plans if plan.existing]
                for start in range(0, len(new), BATCH_SIZE):
                    batch = new[start : start + BATCH_SIZE]
                    self.create_articles(batch, ids)
                    counts.created += len(batch)
                    self.advance("writing", len(batch))
                    # Written and in the revision: nothing more to keep.
                    for plan in batch:
                        plan.instance = plan.values = plan.extra = None
            for plan in plans:
                outcome = self.apply_plan(section, plan, ids)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                self.advance("writing")
                # A declaration holds its positions, and their signatories.
                plan.instance = plan.values = plan.extra = None
                # Counted in versions: a declaration brings its positions.
                self.revision.write_pending(at_least=BATCH_SIZE)
            self.revision.write_pending()
            self.plans[section] = []
            if section in REFERRED_TO:
                model = SECTION_MODELS[section][0]
                ids[section] = dict(model.objects.values_list("slug", "pk"))
        if self.prune:
            self.delete_missing("groups", result)
            self.delete_missing("summits", result)
            self.delete_missing("series", result)
            self.delete_missing("signatories", result)

    def create_articles(self, plans, ids):
        """Write new articles, their links and their versions, as one batch."""
        articles = []
        for plan in plans:
            article = plan.row(Article)
            for name, value in plan.values.items():
                setattr(article, name, value)
            articles.append(article)
        bulk.bulk_create(Article, articles, batch_size=BATCH_SIZE)
        for name in ("summits", "declarations"):
            relation = Article._meta.get_field(name)
            through = relation.remote_field.through
            own = f"{relation.m2m_field_name()}_id"
            other = f"{relation.m2m_reverse_field_name()}_id"
            bulk.bulk_create(
                through,
                (
                    through(**{own: article.pk, other: ids[name][slug]})
                    for article, plan in zip(articles, plans, strict=True)
                    for slug in plan.extra[name]
                ),
                batch_size=2000,
            )
        # The versions list each article's links: read for the batch at once,
        # instead of two queries per article while serialising.
        prefetch_related_objects(articles, *LINKS_BY_ID)
        for article in articles:
            reversion.add_to_revision(article)
        self.revision.write_pending()

    def apply_plan(self, section, plan, ids):
        """Save one object if its exported form would change; say what happened."""
        instance = plan.row(SECTION_MODELS[section][0])
        changed = False
        for name, value in plan.values.items():
            if comparable(instance, name) != value:
                setattr(instance, name, value)
                changed = True
        if section == "declarations":
            summit_id = ids["summits"].get(plan.extra["summit"])
            if instance.summit_id != summit_id:
                instance.summit_id = summit_id
                changed = True
        if section == "summits":
            series_id = ids["series"].get(plan.extra["series"])
            if instance.series_id != series_id:
                instance.series_id = series_id
                changed = True
        if changed or not plan.existing:
            # save(), not bulk writes: the models render markdown and fill
            # derived fields there, and signal receivers expect it.
            instance.save()
        if section == "declarations":
            changed |= self.apply_signatures(plan, ids["signatories"])
            if "commitments" in plan.extra:
                changed |= self.apply_commitments(plan, ids["signatories"])
        elif section == "signatories":
            changed |= self.apply_other_names(plan)
        elif section == "groups":
            changed |= self.apply_members(plan, ids["signatories"])
        elif section == "articles":
            changed |= self.apply_links(plan, ids)
        if changed or not plan.existing:
            if section == "declarations":
                # The positions as they are now (what was read before the
                # import added or removed some is stale), each with the
                # signatory its version is named after: one query, not two
                # per position.
                read_before = getattr(instance, "_prefetched_objects_cache", {})
                read_before.pop("signatures", None)
                prefetch_related_objects(
                    [instance],
                    Prefetch(
                        "signatures",
                        queryset=Signature.objects.select_related("signatory"),
                    ),
                )
            # Once, complete with its relations (a declaration brings its
            # signatures along): see import_revision.
            reversion.add_to_revision(instance)
        if not plan.existing:
            return "created"
        return "updated" if changed else "unchanged"

    def apply_links(self, plan, ids):
        """Make an article's related summits and declarations match."""
        changed = False
        for name in ("summits", "declarations"):
            manager = getattr(plan.instance, name)
            wanted = {ids[name][slug] for slug in plan.extra[name]}
            current = {row.pk for row in manager.all()} if plan.existing else set()
            if wanted != current:
                manager.set(wanted)
                changed = True
        return changed

    def release_other_names(self):
        """Delete the other names the document takes away from its signatories
        first, so that a name moving from one signatory to another is free
        when the second is saved (other names are unique)."""
        for plan in self.plans["signatories"]:
            if not plan.existing:
                continue
            wanted = {fold(name) for name, _kind in plan.extra["other_names"]}
            gone = [a.pk for a in plan.instance.aliases.all() if a.folded not in wanted]
            if gone:
                SignatoryAlias.objects.filter(pk__in=gone).delete()
                plan.extra["released"] = True

    def apply_other_names(self, plan):
        """Make a signatory's other names the document's list."""
        signatory = plan.instance
        current = {}
        if plan.existing:
            current = {a.folded: a for a in signatory.aliases.all()}
        changed = plan.extra.get("released", False)
        for name, kind in plan.extra["other_names"]:
            alias = current.get(fold(name))
            if alias is None:
                alias = SignatoryAlias(signatory=signatory)
            elif alias.name == name and alias.kind == kind:
                continue
            alias.name, alias.kind = name, kind
            alias.save()
            changed = True
        return changed

    def apply_commitments(self, plan, signatory_ids):
        """Make a declaration's commitments, and their assessments and
        evidence, exactly the document's lists; save only what differs."""
        declaration = plan.instance
        current = {}
        if plan.existing:
            current = {
                c.slug: c
                for c in declaration.commitments.prefetch_related(
                    "assessments__evidence"
                )
            }
        changed = False
        for order, (values, assessments) in enumerate(plan.extra["commitments"]):
            commitment = current.pop(values["slug"], None)
            new = commitment is None
            if new:
                commitment = Commitment(declaration=declaration)
            if save_if_different(commitment, values | {"sequence": order}):
                reversion.add_to_revision(commitment)
                changed = True
            changed |= self.apply_assessments(
                commitment, new, assessments, signatory_ids
            )
        if current:
            Commitment.objects.filter(pk__in=[c.pk for c in current.values()]).delete()
            changed = True
        return changed

    def apply_assessments(self, commitment, new, assessments, signatory_ids):
        current = (
            {} if new else {a.signatory_id: a for a in commitment.assessments.all()}
        )
        changed = False
        for slug, values, evidence in assessments:
            signatory_id = signatory_ids[slug]
            assessment = current.pop(signatory_id, None)
            fresh = assessment is None
            if fresh:
                assessment = Assessment(
                    commitment=commitment, signatory_id=signatory_id
                )
            saved = save_if_different(assessment, values)
            links = (
                []
                if fresh
                else [(e.source_url, e.source_name) for e in assessment.evidence.all()]
            )
            if links != evidence:
                assessment.evidence.all().delete()
                AssessmentEvidence.objects.bulk_create(
                    AssessmentEvidence(
                        assessment=assessment,
                        source_url=url,
                        source_name=label,
                        sequence=index,
                    )
                    for index, (url, label) in enumerate(evidence)
                )
                saved = True
            if saved:
                reversion.add_to_revision(assessment)
                changed = True
        if current:
            Assessment.objects.filter(pk__in=[a.pk for a in current.values()]).delete()
            changed = True
        return changed

    def apply_members(self, plan, signatory_ids):
        """Make a group's memberships exactly the document's list."""
        group = plan.instance
        return sync_by_signatory(
            group.memberships.all() if plan.existing else [],
            plan.extra["members"],
            signatory_ids,
            lambda signatory_id: GroupMembership(
                group=group, signatory_id=signatory_id
            ),
        )

    def apply_signatures(self, plan, signatory_ids):
        """Make a declaration's signatures exactly the document's list."""
        declaration = plan.instance
        if not plan.existing:
            # A new declaration's positions are all new: one batch.
            bulk.bulk_create(
                Signature,
                (
                    Signature(
                        declaration=declaration,
                        signatory_id=signatory_ids[slug],
                        **values,
                    )
                    for slug, values in plan.extra["signatures"]
                ),
                batch_size=BATCH_SIZE,
            )
            return bool(plan.extra["signatures"])
        return sync_by_signatory(
            declaration.signatures.all() if plan.existing else [],
            plan.extra["signatures"],
            signatory_ids,
            lambda signatory_id: Signature(
                declaration=declaration, signatory_id=signatory_id
            ),
        )

    def doomed(self, section):
        """Primary keys of rows in `section` that the document does not contain."""
        if section in self.absent:
            return []
        model = SECTION_MODELS[section][0]
        keep = {item["slug"] for item in self.document[section]}
        return [
            pk
            for slug, pk in model.objects.values_list("slug", "pk")
            if slug not in keep
        ]

    def delete_missing(self, section, result):
        model = SECTION_MODELS[section][0]
        doomed = self.doomed(section)
        # In chunks: SQLite caps the number of parameters in one query.
        for start in range(0, len(doomed), 500):
            model.objects.filter(pk__in=doomed[start : start + 500]).delete()
        result.counts[section].deleted = len(doomed)

    def missing_counts(self):
        """How many rows --prune would delete, per section (for the prompt)."""
        return {section: len(self.doomed(section)) for section in SECTION_MODELS}


def save_if_different(instance, values):
    """Set `values` on `instance` and save it if any differs (or it is new)."""
    different = {
        name: value
        for name, value in values.items()
        if getattr(instance, name) != value
    }
    if not different and instance.pk is not None:
        return False
    for name, value in different.items():
        setattr(instance, name, value)
    instance.save()
    return True


def sync_by_signatory(rows, planned, signatory_ids, new_row):
    """Make `rows` (one per signatory: a declaration's positions, a group's
    memberships) exactly `planned`, [(signatory slug, {field: value})]:
    save what differs, create what is missing, delete the rest. True if
    anything changed."""
    current = {row.signatory_id: row for row in rows}
    changed = False
    for slug, values in planned:
        row = current.pop(signatory_ids[slug], None)
        if row is None:
            row = new_row(signatory_ids[slug])
        changed |= save_if_different(row, values)
    if current:
        leftover = list(current.values())
        type(leftover[0]).objects.filter(pk__in=[row.pk for row in leftover]).delete()
        changed = True
    return changed


def import_document(document, dry_run=False, prune=False, comment="Imported"):
    """Check and apply a parsed document; raises ImportErrors, returns Result."""
    importer = Importer(document, prune=prune)
    importer.check()
    return importer.apply(dry_run=dry_run, comment=comment)
