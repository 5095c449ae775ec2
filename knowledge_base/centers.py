"""Centers as users meet them: every usual form of a name, who counts as province-level,
how a dated or translated entry is shown, and the checks that keep the centers files
consistent with the regions and fields tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from knowledge_base import schema
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.texts import say
from knowledge_base.words import words

PLACE = "{place}"  # where a name form (words/knowledge.yml center_name) holds the place


def _place_in(name: str, forms: tuple[str, ...]) -> str | None:
    """The place ``name`` is built on, by the first of ``forms`` it has, or None."""
    for form in forms:
        before, _, after = form.partition(PLACE)
        if (
            len(name) > len(before) + len(after)
            and name.startswith(before)
            and name.endswith(after)
        ):
            return name[len(before) : len(name) - len(after)]
    return None


def _formal_place(name: str) -> str | None:
    return _place_in(name, words("knowledge.center_name.formal"))


def _forms(forms: tuple[str, ...], **values: str) -> list[str]:
    return [form.format(**values) for form in forms]


def name_core(name: str) -> str | None:
    """The place in a center's name: 中国（苏州）… → 苏州, 景德镇市… → 景德镇."""
    return _formal_place(name) or _place_in(name, words("knowledge.center_name.plain"))


@dataclass(frozen=True)
class CenterView:
    """A center with its fields as the source writes them and how far to trust them."""

    name: str
    province: str
    city: str | None
    table_fields: tuple[str, ...]
    canonical_fields: tuple[str, ...]
    as_of: date | None = None
    source_url: str | None = None
    translated_from: str | None = None
    uncertain_fields: tuple[str, ...] = ()
    formal_name_unconfirmed: bool = False
    seed: bool = True
    field_pairs: tuple[tuple[str, str], ...] = ()  # (the center's wording, canonical field)
    municipality: bool = False

    @property
    def area(self) -> str:
        return self.city or self.province

    @property
    def province_level(self) -> bool:
        """Serves the whole province (a municipality's own center counts as one)."""
        return self.city is None or self.city == self.province

    @property
    def short_name(self) -> str:
        """The name people use: 中国（大连）知识产权保护中心 → 大连知识产权保护中心."""
        place = _formal_place(self.name)
        return words("knowledge.center_name.short")[0].format(place=place) if place else self.name

    @property
    def dated(self) -> bool:
        """An entry of centers_more.yml: its fields are as of a date and may have changed."""
        return not self.seed

    def when(self) -> str:
        """When the fields were stated, as the answer says it ("2021年5月")."""
        if self.as_of is None:
            return say("knowledge.center.when_unknown")
        return say("knowledge.center.when", year=self.as_of.year, month=self.as_of.month)

    def fields_text(self) -> str:
        """The fields in the source's wording; a translation is marked as not official."""
        shown = [
            say("knowledge.center.uncertain", field=f) if f in self.uncertain_fields else f
            for f in self.table_fields
        ]
        text = say("knowledge.center.fields_separator").join(shown)
        if self.translated_from == "de":
            return text + say("knowledge.center.translated_de")
        if self.translated_from:
            return text + say("knowledge.center.translated")
        return text

    def area_text(self) -> str:
        if self.province_level:
            key = "municipality_area" if self.municipality else "province_area"
            return say(f"knowledge.center.{key}", province=self.province)
        return self.area

    def line(self) -> str:
        """One list line: name, area, fields (with their date when the entry is dated)."""
        values = {"name": self.short_name, "area": self.area_text(), "fields": self.fields_text()}
        if self.dated and self.as_of is None:
            return say("knowledge.center.line_undated", **values)
        if self.dated:
            return say("knowledge.center.line_dated", when=self.when(), **values)
        return say("knowledge.center.line", **values)

    def table_field_for(self, canonical: str) -> str | None:
        """The center's own wording of a canonical field, when it differs noticeably."""
        for table_field, field_name in self.field_pairs:
            if field_name == canonical:
                if table_field in canonical or canonical in table_field:
                    return None
                return table_field
        return None

    def source_label(self) -> str:
        """The footnote label of this entry's own source."""
        if self.seed:
            return say("knowledge.footnote.seed_centers")
        when = (
            say("knowledge.footnote.report_when", date=self.as_of.isoformat()) if self.as_of else ""
        )
        if not self.source_url:
            return say("knowledge.footnote.report_unknown", when=when)
        site = urlparse(self.source_url).hostname or self.source_url
        return say("knowledge.footnote.report", site=site.removeprefix("www."), when=when)


def center_terms(center: schema.Center, provinces: dict[str, schema.Province]) -> list[str]:
    """Every usual way to write the center's name (苏州中心, 苏州保护中心, 中国（苏州）…)."""
    terms = [center.name]
    core = name_core(center.name)
    if not core:
        return terms
    terms += _forms(words("knowledge.center_name.every"), place=core)
    province = provinces.get(core)
    if province is not None and center.city in (None, core):
        terms += _forms(words("knowledge.center_name.province"), province=province.full_name)
        if not province.municipality:
            terms += _forms(words("knowledge.center_name.province_short"), place=core)
    elif center.city == core:
        terms += _forms(words("knowledge.center_name.city"), place=core)
    return list(dict.fromkeys(terms))


def _error(
    directory: Path, center: schema.Center, key: str, message: str, line: int | None = None
) -> KnowledgeBaseError:
    return KnowledgeBaseError(directory / center.file, line or center.line, key, message)


def check_centers(
    directory: Path,
    centers: list[schema.Center],
    fields: list[schema.Field],
    provinces: list[schema.Province],
) -> None:
    """Contradictions between the centers files and the other tables stop loading: a center
    listed twice or placed in a province its city does not belong to, a field that no entry
    of fields.yml reaches, two centers answering to the same name."""
    reached = {t for f in fields for t in f.table_fields}
    province_of: dict[str, str] = {}
    for province in provinces:
        for place in province.cities:
            province_of[place] = province.name
    known_provinces = {p.name for p in provinces}
    by_province = {p.name: p for p in provinces}
    first_file: dict[str, str] = {}
    owner_of_term: dict[str, schema.Center] = {}
    for center in centers:
        if center.name in first_file:
            raise _error(
                directory,
                center,
                "name",
                f"{center.name!r} is also listed in {first_file[center.name]}",
            )
        first_file[center.name] = center.file
        if center.province not in known_provinces:
            raise _error(
                directory,
                center,
                "province",
                f"unknown province {center.province!r} (not in regions.yml)",
            )
        if center.city and center.city != center.province:
            belongs = province_of.get(center.city)
            if belongs is None:
                raise _error(
                    directory,
                    center,
                    "city",
                    f"{center.city!r} is not a city of {center.province} in regions.yml",
                )
            if belongs != center.province:
                raise _error(
                    directory,
                    center,
                    "province",
                    f"{center.name} is placed in {center.province}, but {center.city} is in "
                    f"{belongs} (regions.yml): a center in two provinces",
                )
        for table_field in center.fields:
            if table_field not in reached:
                raise _error(
                    directory,
                    center,
                    "fields",
                    f"{table_field!r} is reached by no field of fields.yml "
                    "(add it to a field's table_fields)",
                    center.field_lines,
                )
        for term in center_terms(center, by_province):
            other = owner_of_term.setdefault(term, center)
            if other.name != center.name:
                raise _error(
                    directory,
                    center,
                    "name",
                    f"{term!r} would name both {other.name} and {center.name}",
                )
