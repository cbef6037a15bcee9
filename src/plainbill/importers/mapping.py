"""Mapping files, `imports/<tool>.yaml`: the tool's names -> the book's slugs.

Read with located YAML (load/yamlnodes.py) and checked against the book's team,
clients, projects and activities, both by `plainbill check` (load/__init__.py
calls `check_mapping_files`) and by `plainbill import` before it reads an export.
`resolve` turns a Record's names into a ledger target, activity, person and tags,
and collects every name the file does not map (docs/import.md, "Mapping file").
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, SourceRef, error, warning
from ..load.source import decode
from ..load.yamlnodes import Reader, compose, short, suggest
from ..model import Client, Settings
from .common import DATE_FORMATS, Record
from .zones import zone

KEYS = ("timezone", "date_format", "person", "client", "activity",
        "people", "clients", "projects", "tasks", "tags")
SECTIONS = ("people", "clients", "projects", "tasks", "tags")
TAG_RE = re.compile(r"^[^\s#=]+$")


@dataclass
class Mapping:
    """One mapping file, checked: section -> {the tool's name: the book's value or None}."""

    tool: str
    path: str
    timezone: str = ""
    date_format: str | None = None
    person: str = ""
    client: str = ""
    activity: str = ""
    names: dict[str, dict[str, str | None]] = field(default_factory=lambda: {s: {} for s in SECTIONS})
    refs: dict[tuple[str, str], SourceRef] = field(default_factory=dict)

    def has(self, section: str, name: str) -> bool:
        return name in self.names[section]

    def get(self, section: str, name: str) -> str | None:
        return self.names[section].get(name)


def mapping_path(tool: str) -> str:
    return f"imports/{tool}.yaml"


def load_mapping(tool: str, data: bytes | str | None, settings: Settings, clients,
                 diags: list[Diagnostic]) -> Mapping:
    """The mapping of `tool` (empty when the book has no file for it), problems into diags."""
    path = mapping_path(tool)
    mapping = Mapping(tool, path)
    if data is None:
        return mapping
    src = decode(path, data)
    diags += src.diagnostics
    r = Reader(src, diags)
    m = r.mapping(compose(src, diags), KEYS, path)
    people = {p.slug for p in settings.team}
    activities = {a.slug for a in settings.activities}
    by_slug = {c.slug: c for c in clients}
    if "timezone" in m:
        name = r.text(m["timezone"], "timezone").strip()
        if zone(name) is None:
            r.fail("invalid-value", m["timezone"], f"timezone `{short(name)}` is not a time zone plainbill knows",
                   "write an IANA time zone name such as Europe/Rome or UTC")
        else:
            mapping.timezone = name
    mapping.date_format = r.choice(m.get("date_format"), DATE_FORMATS, "date_format")
    mapping.person = _known(r, m.get("person"), "person", people, "unknown-person")
    mapping.client = _known(r, m.get("client"), "client", set(by_slug), "unknown-client")
    mapping.activity = _known(r, m.get("activity"), "activity", activities, "unknown-activity")
    checks = {"people": lambda n, v: _required(r, n, v) and _known(r, n, "person", people, "unknown-person"),
              "clients": lambda n, v: _required(r, n, v) and _known(r, n, "client", set(by_slug), "unknown-client"),
              "projects": lambda n, v: _target(r, n, by_slug),
              "tasks": lambda n, v: _known(r, n, "activity", activities, "unknown-activity"),
              "tags": lambda n, v: _tag(r, n)}
    for section in SECTIONS:
        node = m.get(section)
        if node is None:
            continue
        for name, value in r.mapping(node, (), section).items():
            key = r.key_of[id(value)]
            mapping.refs[(section, name)] = r.ref(key)
            mapping.names[section][name] = checks[section](value, name) or None
    return mapping


def _required(r: Reader, node, name: str) -> bool:
    if r.is_null(node):
        r.fail("invalid-value", node, f"`{short(name)}` maps to nothing",
               "write the book's slug it stands for (only projects, tasks and tags may map to ~)")
        return False
    return True


def _known(r: Reader, node, what: str, known: set[str], code: str) -> str:
    slug = r.slug(node, what) if node is not None and not r.is_null(node) else None
    if slug and slug not in known:
        r.fail(code, node, f"unknown {what} `{slug}`", suggest(slug, known) or f"define the {what} in the book first")
        return ""
    return slug or ""


def _target(r: Reader, node, clients: dict[str, Client]) -> str:
    """`client` or `client/project`, both known to the book."""
    text = r.scalar(node, "project")
    if text is None:
        return ""
    client, _, project = text.strip().partition("/")
    if client not in clients:
        r.fail("unknown-client", node, f"unknown client `{short(client)}`",
               suggest(client, clients) or "write CLIENT or CLIENT/PROJECT with the book's slugs")
        return ""
    if project and clients[client].project(project) is None:
        known = [p.slug for p in clients[client].projects]
        r.fail("unknown-project", node, f"client `{client}` has no project `{short(project)}`",
               suggest(project, known) or f"add it under `projects:` in clients/{client}.yaml")
        return ""
    return text.strip()


def _tag(r: Reader, node) -> str:
    text = r.scalar(node, "tag")
    if text is None:
        return ""
    text = text.strip().lstrip("#")
    if not TAG_RE.match(text):
        r.fail("invalid-value", node, f"`{short(text)}` cannot be a ledger tag",
               "write one word without spaces, `#` or `=`, e.g. nobill or afterhours (or ~ to drop the tag)")
        return ""
    return text


def check_mapping_files(files: dict, settings: Settings, clients) -> list[Diagnostic]:
    """What `plainbill check` says about imports/: each known tool's file checked, any other
    file an `ignored-file` warning."""
    from . import FORMATS

    diags: list[Diagnostic] = []
    for path, data in files.items():
        if not path.startswith("imports/"):
            continue
        name = path[len("imports/"):]
        tool = name[:-len(".yaml")] if name.endswith(".yaml") else ""
        if "/" in name or tool not in FORMATS:
            known = ", ".join(f"imports/{t}.yaml" for t in FORMATS)
            diags.append(warning("ignored-file", SourceRef(path, 1, 1), "this file is not read",
                                 f"mapping files are {known}; move or rename it"))
            continue
        load_mapping(tool, data, settings, clients, diags)
    return diags


# ---------------------------------------------------------------- resolving a record


@dataclass(frozen=True)
class Resolved:
    client: str
    project: str
    activity: str
    person: str
    tags: tuple[str, ...]


@dataclass
class Unmapped:
    """Names of an export the mapping does not know, each with where it is first seen."""

    seen: dict[tuple[str, str], tuple[SourceRef, int]] = field(default_factory=dict)
    tag_targets: bool = False   # Timewarrior, Watson: a tag may name an activity, project or client

    def routed(self, settings: Settings, clients) -> dict[tuple[str, str], tuple[SourceRef, int]]:
        """The names by the section they most likely belong in: with `tag_targets`, a tag
        that looks like an activity, project or client is asked for there."""
        if not self.tag_targets:
            return dict(self.seen)
        out = {}
        for (section, name), value in self.seen.items():
            if section == "tags":
                section = next((s for s in ("tasks", "projects", "clients")
                                if guess_value(s, name, settings, clients)), "tags")
            out[(section, name)] = value
        return out

    def add(self, section: str, name: str, ref: SourceRef) -> None:
        first, n = self.seen.get((section, name), (ref, 0))
        self.seen[(section, name)] = (first, n + 1)

    def diagnostics(self, mapping: Mapping, settings: Settings, clients) -> list[Diagnostic]:
        out = []
        for (section, name), (ref, n) in sorted(self.routed(settings, clients).items(), key=lambda kv: kv[1][0]):
            if section == "defaults":
                out.append(error("unmapped-name", ref, f"{n} {'entry has' if n == 1 else 'entries have'} no "
                                 f"{_NONE[name]} and {mapping.path} gives no default `{name}`",
                                 f"add `{name}: {_PLACEHOLDER[name]}` to {mapping.path}, with the book's slug"))
                continue
            guess = guess_value(section, name, settings, clients) or _PLACEHOLDER[section]
            close = difflib.get_close_matches(name, list(mapping.names[section]), n=1, cutoff=0.75)
            times = f" ({n} entries)" if n > 1 else ""
            what = {"people": "user", "clients": "client", "projects": "project", "tasks": "task",
                    "tags": "tag"}[section]
            hint = f"add it under `{section}:` in {mapping.path}, e.g. `{_yaml_key(name)}: {guess}`"
            if close:
                hint = f"{mapping.path} maps `{close[0]}`: a typo in the tool or in the file? Or " + hint
            out.append(error("unmapped-name", ref, f"{what} `{short(name, 60)}` is not mapped{times}", hint))
        return out

    def snippet(self, settings: Settings, clients) -> str:
        """The YAML to paste into the mapping file, with guesses where the book suggests one
        (a placeholder such as PERSON where it suggests nothing, which `check` refuses)."""
        seen = self.routed(settings, clients)
        lines = [f"{name}: {_PLACEHOLDER[name]}" for s, name in sorted(seen) if s == "defaults"]
        for section in SECTIONS:
            names = sorted({n for s, n in seen if s == section})
            if names:
                lines.append(f"{section}:")
                lines += [f"  {_yaml_key(n)}: {guess_value(section, n, settings, clients) or _PLACEHOLDER[section]}" for n in names]
        return "\n".join(lines)


_NONE = {"person": "user", "client": "client (nor a project mapped to one)", "activity": "task"}
_PLACEHOLDER = {"person": "PERSON", "client": "CLIENT", "activity": "ACTIVITY", "people": "PERSON",
                "clients": "CLIENT", "projects": "CLIENT/PROJECT", "tasks": "ACTIVITY", "tags": "TAG"}


def _yaml_key(name: str) -> str:
    plain = re.fullmatch(r"[\w][\w .'&()@+-]*", name) and not name.endswith(" ") \
        and name.lower() not in ("y", "n", "yes", "no", "on", "off", "true", "false", "null", "~")
    return name if plain else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fold(text: str) -> str:
    """Lower case without accents, for guessing: `Zoë Müller` ~ `zoe muller`."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


def guess_value(section: str, name: str, settings: Settings, clients) -> str:
    """The book's slug that looks most like `name` (by slug or by its name), or ''."""
    if section == "people":
        pool = {p.slug: (p.slug, p.name) for p in settings.team}
    elif section in ("clients", "projects"):
        pool = {c.slug: (c.slug, c.party.name) for c in clients}
        if section == "projects":
            pool.update({f"{c.slug}/{p.slug}": (f"{c.slug}/{p.slug}", p.slug, getattr(p, "name", "") or p.slug)
                         for c in clients for p in c.projects})
    elif section == "tasks":
        pool = {a.slug: (a.slug, *getattr(a, "names", {}).values()) for a in settings.activities}
    else:
        return name if TAG_RE.match(name) else _fold(name).replace(" ", "-")
    target = _fold(name.split("@")[0] if "@" in name else name)
    best, score = "", 0.0
    for slug, names in sorted(pool.items()):
        for candidate in names:
            s = difflib.SequenceMatcher(None, target, _fold(str(candidate))).ratio()
            if s > score:
                best, score = slug, s
    return best if score >= 0.75 else ""


def resolve(record: Record, mapping: Mapping, unmapped: Unmapped, tag_targets: bool = False) -> Resolved | None:
    """The book's names for a record, or None when something is not mapped (noted in
    `unmapped`). With `tag_targets` (Timewarrior, Watson), a tag may also name a client,
    project or activity: it is looked up in `clients`, `projects` and `tasks` first."""
    before = len(unmapped.seen), sum(n for _, n in unmapped.seen.values())
    person = _person(record, mapping, unmapped)
    client, project, activity = "", "", ""
    if record.project and not mapping.has("projects", record.project) and mapping.has("clients", record.project):
        client = mapping.get("clients", record.project) or ""   # Watson: a project that is a client
    elif record.project:
        client, project = _project(record.project, record.ref_of("project"), mapping, unmapped, "projects")
    project_unmapped = bool(record.project) and not client and not mapping.has("projects", record.project) \
        and not mapping.has("clients", record.project)
    if not client and record.client and not project_unmapped:   # a project mapped says the client
        client = _lookup("clients", record.client, record.ref_of("client"), mapping, unmapped) or ""
    if record.task:
        activity = _lookup("tasks", record.task, record.ref_of("task"), mapping, unmapped) or ""
    tags: list[str] = []
    unknown_tags = [t for t in record.tags if tag_targets and not any(
        mapping.has(s, t) for s in ("tasks", "projects", "clients", "tags"))]   # may name any of them
    for tag in record.tags:
        if tag_targets and mapping.has("tasks", tag):
            activity = activity or mapping.get("tasks", tag) or ""
        elif tag_targets and mapping.has("projects", tag):   # a project says its client too
            if not project:
                client, project = _project(tag, record.ref_of("tags"), mapping, unmapped, "projects")
        elif tag_targets and mapping.has("clients", tag):
            client = client or mapping.get("clients", tag) or ""
        else:
            value = _lookup("tags", tag, record.ref_of("tags"), mapping, unmapped)
            if value:
                tags.append(value)
    client = client or mapping.client
    activity = activity or mapping.activity
    if not client and not project_unmapped and not unknown_tags \
            and not (record.client and not mapping.has("clients", record.client)):
        unmapped.add("defaults", "client", record.ref_of("client"))
    if not activity and not unknown_tags and not (record.task and not mapping.has("tasks", record.task)):
        unmapped.add("defaults", "activity", record.ref_of("task"))
    if (len(unmapped.seen), sum(n for _, n in unmapped.seen.values())) != before:
        return None
    return Resolved(client, project, activity, person, tuple(dict.fromkeys(tags)))


def _person(record: Record, mapping: Mapping, unmapped: Unmapped) -> str:
    for name in (record.user, record.email):
        if name and mapping.has("people", name):
            return mapping.get("people", name) or ""
    if not record.user and not record.email:
        if not mapping.person:
            unmapped.add("defaults", "person", record.ref_of("user"))
        return mapping.person
    unmapped.add("people", record.user or record.email, record.ref_of("user"))
    return ""


def _project(name: str, ref: SourceRef, mapping: Mapping, unmapped: Unmapped, section: str) -> tuple[str, str]:
    if not mapping.has(section, name):
        unmapped.add(section, name, ref)
        return "", ""
    client, _, project = (mapping.get(section, name) or "").partition("/")
    return client, project


def _lookup(section: str, name: str, ref: SourceRef, mapping: Mapping, unmapped: Unmapped) -> str | None:
    if not mapping.has(section, name):
        unmapped.add(section, name, ref)
        return None
    return mapping.get(section, name)
