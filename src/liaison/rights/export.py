"""The subject access export (UK GDPR Art. 15): everything held about a person, as one ZIP.

- `record.json`: the person and every row that refers to them, found by walking the models'
  relations from Person (not listed by hand), so a model added tomorrow is exported tomorrow unless
  it is put in `NOT_EXPORTED` with the reason. Each row sits under the record it belongs to by its
  shortest path from the person (an episode's contacts under the episode).
- `access-log.csv`: every audit event naming the person, oldest first, ending with this export.
- `disclosures.csv`: every disclosure about the person: the disclosure log (`consent.Disclosure`: a
  report opened or downloaded, a referral sent; recipient, what, when, on which basis) and the audit
  events that disclosed something (`DISCLOSURES`: a justice partner's actions, exports), oldest first.
- `index.html` (with `style.css`): what is included, the request and its due date, in plain words.

Everything is built in memory; nothing is written to disk on the server.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from liaison.core.models import AuditEvent, Role
from liaison.core.presenters import audit_action_label, date_time, role_label
from liaison.people.models import Person
from liaison.people.queries import audit_events_for_person, team_names, user_names
from liaison.rights.models import SubjectAccessRequest
from liaison.rights.presenters import field_label, value_label

FORMAT = "liaison-subject-access/1"

# Models that refer to a person (directly or through another record) but are not part of the export,
# each with the reason. Everything else that refers to a person is exported.
NOT_EXPORTED: dict[str, str] = {
    # Derived data: rebuilt from the names and date of birth, which are exported.
    "matching.matchkey": "search keys derived from the person's names and date of birth",
    # Record-keeping about two records, for team leads: each names another record, and the rows
    # that were merged in are exported with the person's record itself.
    "matching.duplicatepair": "a possible duplicate record queued for review (names another record)",
    "matching.duplicatepairstatus": "the review history of a possible duplicate record",
    "matching.mergerecord": "which rows were moved when two records of the person were merged",
    # The demo generator's hidden ground truth: synthetic people only, never present in production.
    "demo.syntheticprofile": "synthetic demo data, never about a real person",
    # About a member of staff's use of records, for the team's privacy officer; it reaches the
    # person only through a break-glass grant, which is exported, as is every access in the log.
    "monitoring.privacyalert": "privacy alerts about staff use of records, for the team's privacy officer",
    # Records management about the record rather than information about the person; a hold for
    # litigation may also fall under the Data Protection Act 2018's legal-proceedings exemptions.
    "rights.legalhold": "legal holds on the record (records management; may be exempt for legal proceedings)",
    "rights.destructionproposal": "proposals to destroy the record past its retention date, and decisions",
    "rights.destructionrecord": "the log entry left when a record is destroyed",
}
# Columns that are the service's own workings, not information about the person (a rule task's
# `dedupe_key` only stops a rule making the same task twice; its `rule` says a rule made it, and stays).
INTERNAL_COLUMNS = frozenset({"version", "given_name_search", "family_name_search", "dedupe_key"})
# One model's columns left out the same way ("app.model.field"): a share link's `digest` is the SHA-256
# of the link's secret, a key to the report rather than information about the person; never exported.
INTERNAL_FIELDS = frozenset({"reports.sharelink.digest"})
# Coded columns with no choices of their own, and the words for their codes.
CODE_LABELS: dict[str, dict[str, str]] = {
    "consent.disclosure.basis": {
        "consent": "The person's consent",
        "lawful_basis": "A lawful basis for sharing without consent, approved by a team lead",
    },
}
# Columns holding an assessment need key ("housing", "basic:sleep_tonight"): followed by the need's name.
NEED_KEY_COLUMNS = frozenset(
    {
        "assessment.need.key",
        "assessment.planaction.need_key",
        "referrals.referral.need_key",
        "advice.advicerecord.need_key",
    }
)


def _drop_in_session(session: Any) -> str:
    when = timezone.localtime(session.starts_at)
    return f"Drop-in at {session.place}, {when:%-d %B %Y} from {when:%H:%M}"


# Records outside the export that have no name of their own, described in words where a row points at
# them, so the person reads what they were (only these columns: never the record's other details, such
# as a drop-in session's notes, which may be about other people).
DESCRIBED: dict[str, Any] = {
    "outreach.dropinsession": _drop_in_session,
}

# Disclosures (Art. 15(1)(c): to whom the data were disclosed). Sharing a report or sending a referral is
# logged as a `consent.Disclosure` row (recipient, what, basis), listed from there. Beside those, these
# audit events: what a justice partner did that names the person (they are outside the team), and every
# export that takes data out of Liaison. Not the disclosure log's own audit events (`disclosure.record`,
# `report_link.open`...): their rows are listed already.
# action -> whose doing makes it a disclosure: "partner" (only when a justice partner did it) or "any".
DISCLOSURES: dict[str, str] = {
    "referral.create": "partner",
    "referral.view": "partner",
    "referral.list": "partner",
    "screening.export": "any",
    "outcomes.fhir_export": "any",
    "outcomes.dataset_export": "any",
    "rights.sar_export": "any",
}


def is_disclosure(event: AuditEvent) -> bool:
    rule = DISCLOSURES.get(event.action)
    return rule == "any" or (rule == "partner" and event.role == Role.PARTNER)


# --- the walk -----------------------------------------------------------------------------------------


@dataclass
class Node:
    """One model in the export's tree: its rows are those whose `links` point at a parent row."""

    model: type[models.Model]
    key: str
    links: list[str] = field(default_factory=list)  # attnames of the foreign keys to the parent
    children: list[Node] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def _source(rel: models.ForeignObjectRel) -> type[models.Model]:
    """The model holding the foreign key of a reverse relation."""
    model = rel.related_model
    assert isinstance(model, type)  # noqa: S101 - resolved once the app registry is ready
    return model


def _reverse_relations(model: type[models.Model]) -> Iterator[models.ForeignObjectRel]:
    # include_hidden: relations named "+" (a partner referral's person) are relations all the same.
    for rel in model._meta.get_fields(include_hidden=True):
        if (
            isinstance(rel, models.ForeignObjectRel)
            and (rel.one_to_many or rel.one_to_one)
            and not _source(rel)._meta.auto_created
        ):
            yield rel


def _key(rel: models.ForeignObjectRel) -> str:
    if rel.related_name and not rel.related_name.endswith("+"):
        return str(rel.get_accessor_name())
    return slugify(str(_source(rel)._meta.verbose_name_plural)).replace("-", "_")


@cache
def export_plan() -> Node:
    """The tree of models to export, breadth first from Person: each model under its nearest parent."""
    return relation_plan(frozenset(NOT_EXPORTED))


@cache
def relation_plan(left_out: frozenset[str]) -> Node:
    """Every model with a foreign-key path to Person, breadth first, each under its nearest parent;
    models in `left_out` (and what hangs only from them) are not walked. Shared by the export and by
    destruction (`rights.destruction`), so neither can miss a model the other finds."""
    root = Node(Person, "person")
    placed: set[type[models.Model]] = {Person}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        found: dict[type[models.Model], Node] = {}
        relations = sorted(
            _reverse_relations(node.model), key=lambda r: (_source(r)._meta.label_lower, r.field.name)
        )
        for rel in relations:
            model = _source(rel)
            if (model in placed and model not in found) or model._meta.label_lower in left_out:
                continue
            child = found.setdefault(model, Node(model, _key(rel)))
            child.links.append(rel.field.attname)  # a model may point at its parent more than once
        for model, child in found.items():
            placed.add(model)
            node.children.append(child)
            queue.append(child)
    return root


@cache
def exported_models() -> frozenset[str]:
    labels: set[str] = set()
    stack = [export_plan()]
    while stack:
        node = stack.pop()
        labels.add(node.label)
        stack.extend(node.children)
    return frozenset(labels)


def _named(f: models.Field) -> bool:
    """A foreign key shown by what it points at (staff, team, site, flag) rather than by its id."""
    related = f.related_model
    return (
        isinstance(related, type)
        and related._meta.label_lower not in exported_models()
        and (related.__str__ is not models.Model.__str__ or related._meta.label_lower in DESCRIBED)
    )


def _name(f: models.Field, row: models.Model) -> str:
    related = getattr(row, f.name)
    describe = DESCRIBED.get(related._meta.label_lower)
    return describe(related) if describe else str(related)


@cache
def _need_label(key: str) -> str:
    from liaison.assessment.codes import codes

    return codes().label(key)


def _plain(model: type[models.Model], row: models.Model) -> dict[str, Any]:
    """A row's own columns: choices with their labels, staff and places by name, records by id."""
    out: dict[str, Any] = {}
    label = model._meta.label_lower
    for f in model._meta.concrete_fields:
        if f.name in INTERNAL_COLUMNS or f"{label}.{f.name}" in INTERNAL_FIELDS:
            continue
        if f.is_relation:
            raw = getattr(row, f.attname)
            if raw is not None and _named(f):
                out[f.name] = _name(f, row)
            else:
                out[f.attname] = raw  # another record in this export, or one with no name of its own
            continue
        value = getattr(row, f.attname)
        out[f.name] = value
        if f.choices and value not in (None, ""):
            out[f"{f.name}_label"] = str(getattr(row, f"get_{f.name}_display")())
        elif value and f"{label}.{f.name}" in NEED_KEY_COLUMNS:
            out[f"{f.name}_label"] = _need_label(value)
        elif value and f"{label}.{f.name}" in CODE_LABELS:
            out[f"{f.name}_label"] = CODE_LABELS[f"{label}.{f.name}"].get(value, value)
    for m2m in model._meta.many_to_many:
        out[m2m.name] = [str(item) for item in getattr(row, m2m.name).all()]
    return out


def _rows(node: Node, parent_ids: list[Any]) -> list[models.Model]:
    if not parent_ids:
        return []
    query = Q()
    for link in node.links:
        query |= Q(**{f"{link}__in": parent_ids})
    names = [f.name for f in node.model._meta.concrete_fields if f.is_relation and _named(f)]
    rows = node.model._default_manager.filter(query).select_related(*names).order_by("pk")
    if node.model._meta.many_to_many:
        rows = rows.prefetch_related(*(m.name for m in node.model._meta.many_to_many))
    return list(rows)


def person_record(person: Person) -> dict[str, Any]:
    """Everything held about the person, as nested plain data (one query per kind of record)."""
    record = _plain(Person, person)
    level: list[tuple[Node, list[models.Model], list[dict[str, Any]]]] = [(export_plan(), [person], [record])]
    while level:
        following = []
        for node, rows, outs in level:
            by_pk = {row.pk: out for row, out in zip(rows, outs, strict=True)}
            for child in node.children:
                children = _rows(child, list(by_pk))
                for out in by_pk.values():
                    out[child.key] = []
                child_outs = []
                for row in children:
                    out = _plain(child.model, row)
                    child_outs.append(out)
                    for link in child.links:
                        parent = by_pk.get(getattr(row, link))
                        if parent is not None:
                            parent[child.key].append(out)
                            break
                following.append((child, children, child_outs))
        level = following
    return record


# --- the logs -----------------------------------------------------------------------------------------

LOG_HEADER = ["event", "when", "who", "team", "role", "what", "via"]
# "logged as": where the row comes from, "disclosure log <id>" (record.json's `disclosures`) or
# "access log <id>" (the event in access-log.csv).
DISCLOSURE_HEADER = [
    "when",
    "to whom",
    "kind of recipient",
    "what",
    "information",
    "basis",
    "how",
    "who",
    "team",
    "role",
    "logged as",
]


def _cell(value: object) -> str:
    """Text for a spreadsheet cell; one that starts like a formula is made plain text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()  # the BOM tells spreadsheets it is UTF-8


@dataclass(frozen=True)
class Logs:
    access: list[list[str]]
    disclosures: list[list[str]]


def _recipient(event: AuditEvent, who: str) -> str:
    if event.action == "rights.sar_export":
        return "The person, or whoever asked for them (subject access request)"
    if event.action in ("screening.export", "outcomes.fhir_export"):
        return "Another system, as a standard (FHIR) record"
    if event.action == "outcomes.dataset_export":
        return "A national dataset file, for reporting outside the team"
    return f"{who} ({role_label(event.role)})"


def _basis_words(disclosure: Any) -> str:
    if disclosure.basis == "lawful_basis" and disclosure.sharing_basis is not None:
        basis = disclosure.sharing_basis
        return f"Without consent: {basis.get_basis_display().lower()}, approved by a team lead"
    if disclosure.basis == "consent":
        return "The person's consent"
    return CODE_LABELS["consent.disclosure.basis"].get(disclosure.basis, disclosure.basis)


def _content_words(kinds: list[str]) -> str:
    from liaison.consent.models import ContentKind

    order = {kind: n for n, kind in enumerate(ContentKind.values)}  # least to most, as the form lists them
    ordered = sorted(kinds, key=lambda k: (order.get(k, len(order)), k))
    return "; ".join(str(ContentKind(k).label) if k in order else k for k in ordered)


def _logged(disclosure: Any, users: dict[int, str]) -> list[str]:
    return [
        timezone.localtime(disclosure.at).isoformat(timespec="seconds"),
        disclosure.recipient_name,
        disclosure.get_recipient_kind_display(),
        disclosure.what,
        _content_words(disclosure.content_kinds),
        _basis_words(disclosure),
        disclosure.get_method_display(),
        users.get(disclosure.by_id, ""),
        disclosure.team.name,
        "",
        f"disclosure log {disclosure.pk}",
    ]


def logs_for(person: Person) -> Logs:
    from liaison.consent.queries import disclosures_for_person

    events = list(audit_events_for_person(person).order_by("at", "id"))
    logged = list(disclosures_for_person(person).order_by("at", "id"))
    users = user_names({e.actor_id for e in events if e.actor_id is not None} | {d.by_id for d in logged})
    teams = team_names({e.team_id for e in events if e.team_id is not None})
    access: list[list[str]] = []
    disclosed: list[tuple[Any, int, list[str]]] = [(d.at, 0, _logged(d, users)) for d in logged]
    for event in events:
        who = users.get(event.actor_id, event.actor_username) if event.actor_id else event.actor_username
        when = timezone.localtime(event.at).isoformat(timespec="seconds")
        team = teams.get(event.team_id, "") if event.team_id else ""
        role = role_label(event.role) if event.role else ""
        what = audit_action_label(event.action)
        access.append([str(event.id), when, who, team, role, what, str((event.detail or {}).get("via", ""))])
        if is_disclosure(event):
            row = [when, _recipient(event, who), "", what, "", "", "", who, team, role]
            disclosed.append((event.at, 1, [*row, f"access log {event.id}"]))
    disclosed.sort(key=lambda item: (item[0], item[1]))
    return Logs(access, [row for _, _, row in disclosed])


# --- the summary page and the ZIP --------------------------------------------------------------------

STYLE = Path(__file__).parent / "export_assets" / "style.css"


def _count(record: dict[str, Any], node: Node, counts: dict[str, int]) -> None:
    for child in node.children:
        for row in record.get(child.key, []):
            counts[child.label] = counts.get(child.label, 0) + 1
            _count(row, child, counts)


# What index.html calls each kind of record; one added later shows under its model's own name.
SECTION_NAMES = {
    "core.breakglass": "Break-the-glass grants: someone outside the team opened the record, and why",
    "people.alias": "Other names",
    "people.personcontact": "People to contact for them",
    "episodes.episode": "Episodes: each time the team worked with them",
    "episodes.episodestatus": "Stage changes",
    "episodes.contact": "Contacts with them",
    "episodes.task": "Tasks",
    "assessment.assessment": "Assessments",
    "assessment.need": "Needs",
    "assessment.planorder": "Changes to the order of the plan",
    "assessment.planaction": "Plan actions",
    "identification.arrival": "Entries on custody or court lists",
    "identification.arrivalflag": "Vulnerabilities noted on those lists",
    "identification.episodeflag": "Vulnerabilities noted",
    "screening.screening": "Screenings, with answers and results",
    "partners.partnerreferral": "Referrals from justice partners",
    "referrals.referral": "Referrals to other services, with what the team asked for",
    "referrals.referralstatus": "Each step of those referrals",
    "referrals.appointment": "Appointments with those services",
    "advice.advicerecord": "Housing and benefits advice",
    "advice.adviceaction": "What was done for them",
    "advice.adviceoutcome": "What came of it",
    "support.crisisplan": "Crisis plans, every version",
    "support.crisisevent": "Crises they told the team about",
    "outreach.dropinattendance": "Visits to drop-in sessions",
    "consent.consent": "Consents: to be assessed, and to share information (withdrawals included)",
    "consent.consentscope": "Who each consent to share covers, and with what information",
    "consent.sharingbasis": "Decisions to share information without consent, under a lawful basis",
    "consent.disclosure": "Information given to people outside the team (also in disclosures.csv)",
    "reports.report": "Reports to police, courts and probation",
    "reports.reportversion": "Every version of those reports",
    "reports.sharelink": "Links that shared a report with a named person",
    "reports.partnerfeedback": "What the people sent a report said about it",
    "rights.fieldchange": "Changes to their details",
    "rights.fielddispute": "Details they said were wrong",
    "rights.subjectaccessrequest": "Subject access requests",
}


def sections(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Each kind of record in the export and how many there are, in the tree's order (for index.html)."""
    counts: dict[str, int] = {}
    _count(record, export_plan(), counts)
    found = []
    stack = [(child, 1) for child in export_plan().children]
    while stack:
        node, depth = stack.pop(0)
        name = SECTION_NAMES.get(node.label) or str(node.model._meta.verbose_name_plural).capitalize()
        found.append(
            {
                "name": name,
                "key": node.key,
                "count": counts.get(node.label, 0),
                "depth": depth,
            }
        )
        stack[0:0] = [(child, depth + 1) for child in node.children]
    return found


def _disputes(record: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for dispute in record.get("field_disputes", []):
        rows.append(
            {
                "field": field_label(dispute["field"]),
                "recorded": value_label(dispute["field"], dispute["recorded_value"]),
                "person_says": dispute["person_says"],
                "raised": date_time(dispute["raised_at"]),
                "outcome": dispute.get("outcome_label", "") or "Open: not resolved yet",
                "note": dispute["outcome_note"],
            }
        )
    return rows


def index_html(sar: SubjectAccessRequest, record: dict[str, Any], logs: Logs, generated_at: Any) -> str:
    person = sar.person
    return render_to_string(
        "rights/export/index.html",
        {
            "sar": sar,
            "person": person,
            "generated_at": generated_at,
            "sections": sections(record),
            "disputes": _disputes(record),
            "access_count": len(logs.access),
            "disclosure_count": len(logs.disclosures),
            "not_exported": sorted(NOT_EXPORTED.values()),
        },
    )


def build_export(sar: SubjectAccessRequest) -> bytes:
    """The ZIP for a subject access request, built in memory."""
    person = sar.person
    generated_at = timezone.now()
    record = person_record(person)
    logs = logs_for(person)
    document = {
        "format": FORMAT,
        "generated_at": timezone.localtime(generated_at),
        "subject_access_request": sar.pk,
        "person": record,
        "not_included": NOT_EXPORTED,
    }
    files = {
        "index.html": index_html(sar, record, logs, generated_at).encode(),
        "style.css": STYLE.read_bytes(),
        "record.json": json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode(),
        "access-log.csv": _csv(LOG_HEADER, logs.access),
        "disclosures.csv": _csv(DISCLOSURE_HEADER, logs.disclosures),
    }
    stamp = timezone.localtime(generated_at).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def export_file_name(sar: SubjectAccessRequest) -> str:
    """No name, NHS number or date of birth: the file lands in a downloads folder."""
    return f"subject-access-request-{sar.pk}.zip"
