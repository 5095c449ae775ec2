"""Typed records of the knowledge base and the validation that builds them from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.yaml_lines import LineDict, LineList

ANSWER_KINDS = ("policy", "sample", "guidance")
FACT_SCOPES = ("national", "local")
DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
FACT_PLACEHOLDER = re.compile(r"\{fact:([a-z_0-9]+)\}")


class Reader:
    """Reads fields of one YAML mapping, raising errors that name file, line and field."""

    def __init__(self, path: Path, mapping: Any, where: str = "", line: int = 0) -> None:
        self.path, self.where = path, where
        if not isinstance(mapping, LineDict):
            raise KnowledgeBaseError(path, line or None, where or "entry", "must be a mapping")
        self.mapping = mapping

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, message: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(self.path, self.mapping.line_of(key), self._name(key), message)

    def text(self, key: str, *, required: bool = True, default: str | None = None) -> str | None:
        value = self.mapping.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, "must be text")
        value = str(value).strip()
        if required and not value:
            raise self.fail(key, "must not be empty")
        return value

    def texts(self, key: str, *, required: bool = False) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
                raise self.fail(key, f"items must be non-empty text, got {item!r}")
            items.append(str(item).strip())
        if required and not items:
            raise self.fail(key, "must not be empty")
        return items

    def flag(self, key: str) -> bool:
        value = self.mapping.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def items(self, key: str) -> list[Reader]:
        value = self.mapping.get(key)
        if not isinstance(value, LineList) or not value:
            raise self.fail(key, "must be a non-empty list")
        return [
            Reader(self.path, item, f"{self._name(key)}[{index}]", value.item_lines[index])
            for index, item in enumerate(value)
        ]

    def submapping(self, key: str) -> Reader:
        value = self.mapping.get(key)
        if value is None:
            raise self.fail(key, "is required")
        return Reader(self.path, value, self._name(key), self.mapping.line_of(key))

    def keys(self) -> list[str]:
        return [str(key) for key in self.mapping]


@dataclass(frozen=True)
class Center:
    """One center as a centers file lists it, with where it came from (for error messages)."""

    name: str
    province: str
    city: str | None
    fields: tuple[str, ...]
    as_of: date | None = None
    source: str | None = None  # a URL, or None for an entry of the seed table
    translated_from: str | None = None
    uncertain_fields: tuple[str, ...] = ()
    formal_name_unconfirmed: bool = False
    file: str = ""
    line: int = 0
    field_lines: int = 0


@dataclass(frozen=True)
class Field:
    name: str
    table_fields: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Province:
    name: str
    full_name: str
    municipality: bool = False
    aliases: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    counties: tuple[tuple[str, str], ...] = ()  # (place, the city it belongs to)


@dataclass(frozen=True)
class PatentType:
    name: str
    synonyms: tuple[str, ...]
    preexam_grant_time: str


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: the footnote shows the title and the date."""

    key: str
    title: str
    date: str = ""
    url: str = ""

    @property
    def label(self) -> str:
        return f"{self.title}（{self.date}）" if self.date else self.title


@dataclass(frozen=True)
class Fact:
    id: str
    text: str
    source: str  # the source's footnote label (title and date)
    origin: Source | None = None
    scope: str = "national"
    line: int = 0

    @property
    def is_local(self) -> bool:
        return self.scope == "local"


@dataclass(frozen=True)
class Answer:
    key: str
    kind: str
    text: str
    fact_ids: tuple[str, ...]
    guidance: str = ""
    sample: str = ""
    hint: str = ""
    line: int = 0


@dataclass(frozen=True)
class DisputeQuestion:
    slot: str
    ask: str
    options: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class DisputeRoute:
    id: str
    name: str
    why: str
    when: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class DisputeGuide:
    source_fact: str
    questions: dict[str, DisputeQuestion]
    routes: tuple[DisputeRoute, ...]
    evidence_tips: dict[str, str]


@dataclass(frozen=True)
class TrainingSession:
    title: str
    date: str
    form: str
    signup: str


@dataclass(frozen=True)
class CenterInfo:
    """This deployment's own center: contacts, hours and training (sample until filled in)."""

    sample: bool
    center: str
    address: str
    phone: str
    email: str
    website: str
    windows: tuple[str, ...]
    working_periods: tuple[str, ...]
    timezone: str
    training_sessions: tuple[TrainingSession, ...] = field(default_factory=tuple)


def _as_of(item: Reader, today: date) -> date | None:
    """The date an entry's fields were stated; a date in the future is an error."""
    value = item.mapping.get("as_of")
    if value is None:
        return None
    if isinstance(value, date):
        stated = value
    else:
        try:
            stated = date.fromisoformat(str(value).strip())
        except ValueError:
            raise item.fail("as_of", f"{value!r} is not a date (YYYY-MM-DD)") from None
    if stated > today:
        raise item.fail("as_of", f"{stated.isoformat()} is in the future")
    return stated


def parse_centers(
    path: Path, root: LineDict, *, today: date | None = None
) -> tuple[str | None, list[Center]]:
    """A centers file: the seed table (one ``source`` for all) or a file of dated, sourced
    entries (``as_of`` and ``source`` on each)."""
    today = today or date.today()
    reader = Reader(path, root)
    file_source = reader.text("source", required=False)
    centers, seen = [], set()
    for item in reader.items("centers"):
        name = item.text("name")
        if name in seen:
            raise item.fail("name", f"duplicate center {name!r}")
        seen.add(name)
        fields = tuple(item.texts("fields", required=True))
        translated = item.text("fields_translated_from", required=False)
        uncertain = tuple(item.texts("uncertain_translation"))
        for word in uncertain:
            if word not in fields:
                raise item.fail("uncertain_translation", f"{word!r} is not one of its fields")
        centers.append(
            Center(
                name=name,
                province=item.text("province"),
                city=item.text("city", required=False),
                fields=fields,
                as_of=_as_of(item, today),
                source=item.text("source", required=False),
                translated_from=translated,
                uncertain_fields=uncertain,
                formal_name_unconfirmed=item.flag("formal_name_unconfirmed"),
                file=path.name,
                line=item.mapping.line,
                field_lines=item.mapping.line_of("fields"),
            )
        )
    return file_source, centers


def parse_fields(path: Path, root: LineDict) -> list[Field]:
    reader = Reader(path, root)
    fields = [
        Field(
            name=item.text("name"),
            table_fields=tuple(item.texts("table_fields", required=True)),
            synonyms=tuple(item.texts("synonyms")),
            related=tuple(item.texts("related")),
        )
        for item in reader.items("fields")
    ]
    names = {f.name for f in fields}
    for item, f in zip(reader.items("fields"), fields, strict=True):
        for other in f.related:
            if other not in names:
                raise item.fail("related", f"unknown field {other!r}")
    return fields


def parse_regions(path: Path, root: LineDict) -> list[Province]:
    """Provinces with their cities; a place named twice in the file is an error (it would
    send users of one province to another's center)."""
    reader = Reader(path, root)
    provinces, seen = [], {}
    for item in reader.items("provinces"):
        name = item.text("name")
        cities = tuple(item.texts("cities"))
        counties_reader = item.submapping("counties") if "counties" in item.mapping else None
        counties = tuple(
            (place, counties_reader.text(place))
            for place in (counties_reader.keys() if counties_reader else [])
        )
        for place, city in counties:
            if city not in cities:
                raise counties_reader.fail(place, f"{city!r} is not a city of {name}")
        for place, key in [
            (name, "name"),
            *[(c, "cities") for c in cities],
            *[(p, "counties") for p, _ in counties],
        ]:
            if place in seen and not (place == name and key == "name"):
                raise item.fail(key, f"{place!r} is also listed under {seen[place]}")
            seen[place] = name
        provinces.append(
            Province(
                name=name,
                full_name=item.text("full_name"),
                municipality=item.flag("municipality"),
                aliases=tuple(item.texts("aliases")),
                cities=cities,
                counties=counties,
            )
        )
    return provinces


def parse_products(path: Path, root: LineDict, fields: set[str]) -> dict[str, str]:
    """Product or technology word → field; a word under two fields is an error."""
    reader = Reader(path, root)
    products_reader = reader.submapping("products")
    products: dict[str, str] = {}
    for field_name in products_reader.keys():
        if field_name not in fields:
            raise products_reader.fail(field_name, "unknown field (not in fields.yml)")
        for word in products_reader.texts(field_name, required=True):
            if products.get(word, field_name) != field_name:
                raise products_reader.fail(
                    field_name, f"{word!r} is already listed under {products[word]}"
                )
            products[word] = field_name
    return products


def parse_patent_types(path: Path, root: LineDict) -> list[PatentType]:
    reader = Reader(path, root)
    return [
        PatentType(
            name=item.text("name"),
            synonyms=tuple(item.texts("synonyms")),
            preexam_grant_time=item.text("preexam_grant_time"),
        )
        for item in reader.items("patent_types")
    ]


def parse_sources(reader: Reader) -> dict[str, Source]:
    sources_reader = reader.submapping("sources")
    sources = {}
    for key in sources_reader.keys():
        item = sources_reader.submapping(key)
        when = item.text("date", required=False) or ""
        if when and not DATE.fullmatch(when):
            raise item.fail("date", f"{when!r} is not YYYY-MM or YYYY-MM-DD")
        sources[key] = Source(key, item.text("title"), when, item.text("url", required=False) or "")
    return sources


def parse_facts(path: Path, root: LineDict) -> dict[str, Fact]:
    reader = Reader(path, root)
    sources = parse_sources(reader)
    facts: dict[str, Fact] = {}
    for item in reader.items("facts"):
        fact_id = item.text("id")
        if fact_id in facts:
            raise item.fail("id", f"duplicate fact id {fact_id!r}")
        source_key = item.text("source")
        if source_key not in sources:
            raise item.fail("source", f"unknown source {source_key!r}")
        scope = item.text("scope", required=False, default="national")
        if scope not in FACT_SCOPES:
            raise item.fail("scope", f"must be one of {', '.join(FACT_SCOPES)}")
        origin = sources[source_key]
        facts[fact_id] = Fact(
            fact_id, item.text("text"), origin.label, origin, scope, item.mapping.line
        )
    return facts


def parse_answers(
    path: Path, root: LineDict, facts: dict[str, Fact], section: str = "answers"
) -> dict[str, Answer]:
    """Answers of one section: ``answers`` (FAQ responses) or ``snippets`` (used by actions)."""
    reader = Reader(path, root)
    if section != "answers" and section not in reader.mapping:
        return {}
    answers_reader = reader.submapping(section)
    answers: dict[str, Answer] = {}
    for key in answers_reader.keys():
        item = answers_reader.submapping(key)
        kind = item.text("kind")
        if kind not in ANSWER_KINDS:
            raise item.fail("kind", f"must be one of {', '.join(ANSWER_KINDS)}")
        parts = {
            part: item.text(part, required=False, default="") or ""
            for part in ("text", "guidance", "sample", "hint")
        }
        if not (parts["text"] or parts["guidance"] or parts["sample"]):
            raise item.fail("text", "an answer needs a text, guidance or sample")
        for part in ("guidance", "sample", "hint"):
            if FACT_PLACEHOLDER.search(parts[part]):
                raise item.fail(part, "{fact:ID} belongs in text (only text is attributed)")
        fact_ids = tuple(dict.fromkeys(FACT_PLACEHOLDER.findall(parts["text"])))
        for fact_id in fact_ids:
            if fact_id not in facts:
                raise item.fail("text", f"unknown fact {fact_id!r}")
        if kind == "policy" and not fact_ids:
            raise item.fail("text", "a policy answer must cite at least one {fact:ID}")
        if kind == "sample" and not parts["sample"]:
            raise item.fail("sample", "a sample answer needs its sample text")
        answers[key] = Answer(
            key,
            kind,
            parts["text"],
            fact_ids,
            guidance=parts["guidance"],
            sample=parts["sample"],
            hint=parts["hint"],
            line=item.mapping.line,
        )
    return answers


def parse_disputes(path: Path, root: LineDict, facts: dict[str, Fact]) -> DisputeGuide:
    reader = Reader(path, root)
    source_fact = reader.text("source_fact")
    if source_fact not in facts:
        raise reader.fail("source_fact", f"unknown fact {source_fact!r}")
    questions: dict[str, DisputeQuestion] = {}
    questions_reader = reader.submapping("questions")
    for slot in questions_reader.keys():
        question = questions_reader.submapping(slot)
        options_reader = question.submapping("options")
        options = {
            option: tuple(options_reader.texts(option, required=True))
            for option in options_reader.keys()
        }
        questions[slot] = DisputeQuestion(slot, question.text("ask"), options)
    routes = []
    for item in reader.items("routes"):
        when_reader = item.submapping("when")
        when = {}
        for slot in when_reader.keys():
            if slot not in questions:
                raise when_reader.fail(slot, f"unknown question {slot!r}")
            values = when_reader.texts(slot, required=True)
            for value in values:
                if value not in questions[slot].options:
                    raise when_reader.fail(slot, f"unknown option {value!r}")
            when[slot] = tuple(values)
        routes.append(DisputeRoute(item.text("id"), item.text("name"), item.text("why"), when))
    tips_reader = reader.submapping("evidence_tips")
    tips = {key: tips_reader.text(key) for key in tips_reader.keys()}
    return DisputeGuide(source_fact, questions, tuple(routes), tips)


def parse_center_info(path: Path, root: LineDict) -> CenterInfo:
    reader = Reader(path, root)
    hours = reader.submapping("working_hours")
    periods = hours.texts("periods", required=True)
    for period in periods:
        if not re.fullmatch(r"\d{2}:\d{2}-\d{2}:\d{2}", period):
            raise hours.fail("periods", f"{period!r} is not HH:MM-HH:MM")
    sessions = tuple(
        TrainingSession(
            title=item.text("title"),
            date=item.text("date"),
            form=item.text("form"),
            signup=item.text("signup"),
        )
        for item in reader.items("training_sessions")
    )
    return CenterInfo(
        sample=reader.flag("sample"),
        center=reader.text("center"),
        address=reader.text("address"),
        phone=reader.text("phone"),
        email=reader.text("email", required=False, default="") or "",
        website=reader.text("website", required=False, default="") or "",
        windows=tuple(reader.texts("windows")),
        working_periods=tuple(periods),
        timezone=hours.text("timezone"),
        training_sessions=sessions,
    )
