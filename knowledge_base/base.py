"""The knowledge base: loads and validates the YAML files, indexes them in SQLAlchemy tables
and answers the questions the actions, the NLU and the tests ask of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from core.paths import knowledge_dir
from core.settings import env
from knowledge_base import schema
from knowledge_base.centers import CenterView, center_terms, check_centers
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.footnotes import Footnotes
from knowledge_base.models import (
    CenterFieldRow,
    CenterRow,
    KnowledgeBaseModel,
    RegionRow,
    TermRow,
)
from knowledge_base.words import words
from knowledge_base.yaml_lines import load_yaml

CENTER_FILES = ("centers.yml", "centers_more.yml")  # the first stays the authority
FILES = (
    *CENTER_FILES,
    "fields.yml",
    "products.yml",
    "regions.yml",
    "patent_types.yml",
    "facts.yml",
    "answers.yml",
    "disputes.yml",
    "center_info.yml",
    "glossary.yml",
)
CENTER_SETTING = "IPPC_CENTER"
ENTITY_LABELS = ("center", "region", "tech_field", "patent_type")

__all__ = ["CenterView", "KnowledgeBase", "Region", "get_knowledge_base"]


@dataclass(frozen=True)
class Region:
    """A province, city or district the user named, with the province (and, for a district
    or county-level city, the city) it belongs to."""

    name: str
    province: str
    is_city: bool
    parent: str | None = None


class KnowledgeBase(Footnotes):
    """Read-only view of the knowledge base; build it with ``KnowledgeBase.load``."""

    def __init__(
        self,
        directory: Path,
        centers_source: str,
        fields: list[schema.Field],
        provinces: list[schema.Province],
        patent_types: list[schema.PatentType],
        facts: dict[str, schema.Fact],
        answers: dict[str, schema.Answer],
        disputes: schema.DisputeGuide,
        center_info: schema.CenterInfo,
        centers: list[schema.Center],
        glossary: tuple[str, ...] = (),
        snippets: dict[str, schema.Answer] | None = None,
        products: dict[str, str] | None = None,
        generated_rules: tuple[str, ...] = (),
    ) -> None:
        self.directory = directory
        self.centers_source = centers_source
        self.fields = {f.name: f for f in fields}
        self.provinces = {p.name: p for p in provinces}
        self.patent_types = {p.name: p for p in patent_types}
        self.facts = facts
        self.answers = answers
        self.disputes = disputes
        self.center_info = center_info
        self.glossary = glossary
        self.snippets = snippets or {}
        self.products = products or {}
        self.generated_rules = generated_rules
        self._centers = centers
        self._engine = create_engine(
            "sqlite://",
            future=True,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )
        KnowledgeBaseModel.metadata.create_all(self._engine)
        self._index(centers)

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, directory: Path | str | None = None, today: date | None = None) -> KnowledgeBase:
        """Load and validate every file; a broken or contradictory one raises
        KnowledgeBaseError naming file, line and field."""
        directory = Path(directory) if directory else knowledge_dir()
        raw = {name: load_yaml(directory / name) for name in FILES}
        path = {name: directory / name for name in FILES}
        centers: list[schema.Center] = []
        seed_source = ""
        for name in CENTER_FILES:
            source, listed = schema.parse_centers(path[name], raw[name], today=today)
            seed_source = seed_source or source or ""
            centers += listed
        facts = schema.parse_facts(path["facts.yml"], raw["facts.yml"])
        fields = schema.parse_fields(path["fields.yml"], raw["fields.yml"])
        provinces = schema.parse_regions(path["regions.yml"], raw["regions.yml"])
        check_centers(directory, centers, fields, provinces)
        answers_reader = schema.Reader(path["answers.yml"], raw["answers.yml"])
        kb = cls(
            directory=directory,
            centers_source=seed_source,
            fields=fields,
            provinces=provinces,
            patent_types=schema.parse_patent_types(
                path["patent_types.yml"], raw["patent_types.yml"]
            ),
            facts=facts,
            answers=schema.parse_answers(path["answers.yml"], raw["answers.yml"], facts),
            disputes=schema.parse_disputes(path["disputes.yml"], raw["disputes.yml"], facts),
            center_info=schema.parse_center_info(path["center_info.yml"], raw["center_info.yml"]),
            centers=centers,
            snippets=schema.parse_answers(
                path["answers.yml"], raw["answers.yml"], facts, "snippets"
            ),
            glossary=tuple(schema.Reader(path["glossary.yml"], raw["glossary.yml"]).texts("terms")),
            products=schema.parse_products(
                path["products.yml"], raw["products.yml"], {f.name for f in fields}
            ),
            generated_rules=tuple(answers_reader.texts("generated_rules")),
        )
        kb.own_center()  # an IPPC_CENTER that names no center stops here
        return kb

    def _index(self, centers: list[schema.Center]) -> None:
        table_to_canonical = {t: f.name for f in self.fields.values() for t in f.table_fields}
        with Session(self._engine) as session:
            for position, center in enumerate(centers):
                row = CenterRow(
                    name=center.name,
                    province=center.province,
                    city=center.city,
                    position=position,
                )
                for index, table_field in enumerate(center.fields):
                    row.fields.append(
                        CenterFieldRow(
                            table_field=table_field,
                            canonical_field=table_to_canonical[table_field],
                            position=index,
                        )
                    )
                session.add(row)
            for label, term, value in self._terms(centers):
                session.add(TermRow(label=label, term=term, value=value))
            for province in self.provinces.values():
                session.add(RegionRow(name=province.name, province=province.name, is_city=0))
                for city in province.cities:
                    session.add(RegionRow(name=city, province=province.name, is_city=1))
                for place, city in province.counties:
                    session.add(
                        RegionRow(name=place, province=province.name, is_city=1, parent=city)
                    )
            session.commit()

    def _terms(self, centers: list[schema.Center]) -> list[tuple[str, str, str]]:
        """Every (label, term, canonical value) the NLU should recognise."""
        terms: list[tuple[str, str, str]] = []
        for center in centers:
            terms += [
                ("center", term, center.name) for term in center_terms(center, self.provinces)
            ]
        for f in self.fields.values():
            for term in (f.name, *f.table_fields, *f.synonyms):
                terms.append(("tech_field", term, f.name))
        for word, field_name in self.products.items():
            terms.append(("tech_field", word, field_name))
        province_suffixes = words("knowledge.region_name.province_suffixes")
        no_suffix_after = words("knowledge.region_name.no_suffix_after")
        municipality_suffixes = words("knowledge.region_name.municipality_place_suffixes")
        place_suffixes = words("knowledge.region_name.place_suffixes")
        for province in self.provinces.values():
            for term in (province.name, province.full_name, *province.aliases):
                terms.append(("region", term, province.name))
            if not province.municipality:
                for suffix in province_suffixes:
                    if province.full_name.endswith(suffix):
                        terms.append(("region", province.name + suffix, province.name))
            suffixes = municipality_suffixes if province.municipality else place_suffixes
            for place in (*province.cities, *(p for p, _ in province.counties)):
                terms.append(("region", place, place))
                if not place.endswith(no_suffix_after):
                    terms += [("region", place + suffix, place) for suffix in suffixes]
        for patent_type in self.patent_types.values():
            for term in (patent_type.name, *patent_type.synonyms):
                terms.append(("patent_type", term, patent_type.name))
        # One value per (label, term); the first one written wins (e.g. a table field).
        unique: dict[tuple[str, str], str] = {}
        for label, term, value in terms:
            unique.setdefault((label, term), value)
        return [(label, term, value) for (label, term), value in unique.items()]

    # ----------------------------------------------------------------- queries
    def entity_terms(self) -> list[tuple[str, str, str]]:
        """(label, term, canonical value) for the entity ruler and the jieba dictionary."""
        with Session(self._engine) as session:
            rows = session.execute(select(TermRow.label, TermRow.term, TermRow.value)).all()
        return [(r.label, r.term, r.value) for r in rows]

    def _lookup(self, label: str, text: str | None) -> str | None:
        if not text:
            return None
        text = text.strip()
        with Session(self._engine) as session:
            return session.execute(
                select(TermRow.value).where(TermRow.label == label, TermRow.term == text)
            ).scalar()

    def normalise_field(self, text: str | None) -> str | None:
        """Canonical field for a user's word (人工智能, 无人机 → a field of fields.yml), or None."""
        return self._lookup("tech_field", text)

    def find_field(self, text: str | None) -> str | None:
        """The field of the longest known word inside free text ("我们做光伏组件的" → 新能源)."""
        if not text:
            return None
        exact = self.normalise_field(text)
        if exact:
            return exact
        words = sorted(
            ((term, value) for label, term, value in self.entity_terms() if label == "tech_field"),
            key=lambda pair: -len(pair[0]),
        )
        return next((value for term, value in words if len(term) > 1 and term in text), None)

    def normalise_patent_type(self, text: str | None) -> str | None:
        return self._lookup("patent_type", text)

    def normalise_center(self, text: str | None) -> str | None:
        return self._lookup("center", text)

    def region(self, text: str | None) -> Region | None:
        """The province or city a user's word names (深圳市 → 深圳, in 广东), or None."""
        name = self._lookup("region", text)
        if name is None:
            return None
        with Session(self._engine) as session:
            row = session.execute(select(RegionRow).where(RegionRow.name == name)).scalar()
        return Region(row.name, row.province, bool(row.is_city), row.parent) if row else None

    def centers(self) -> list[CenterView]:
        with Session(self._engine) as session:
            rows = session.execute(select(CenterRow).order_by(CenterRow.position)).scalars()
            return [self._view(row) for row in rows]

    def center(self, name: str | None) -> CenterView | None:
        """The center a user's or a file's name means (every usual form), or None."""
        canonical = self.normalise_center(name) if name else None
        return next((c for c in self.centers() if c.name == canonical), None)

    def own_center(self) -> CenterView | None:
        """This deployment's center (``IPPC_CENTER``), or None for a national guide."""
        wanted = env(CENTER_SETTING)
        if not wanted:
            return None
        center = self.center(wanted)
        if center is None:
            raise KnowledgeBaseError(
                CENTER_SETTING, None, "setting", f"{wanted!r} names no center of the knowledge base"
            )
        return center

    def centers_serving(self, region: Region) -> list[CenterView]:
        """Centers whose service area includes ``region``: for a city, its own center and
        the province-level one; for a province, every center in it. Province-level first."""
        with Session(self._engine) as session:
            query = select(CenterRow).where(CenterRow.province == region.province)
            rows = session.execute(query.order_by(CenterRow.position)).scalars()
            views = [self._view(row) for row in rows]
        if region.is_city:
            own = {region.name, region.parent}
            views = [v for v in views if v.province_level or v.city in own]
        return sorted(views, key=lambda v: not v.province_level)

    def centers_with_field(self, field: str) -> list[CenterView]:
        """Centers whose pre-examination scope contains the canonical ``field``."""
        with Session(self._engine) as session:
            rows = session.execute(
                select(CenterRow)
                .join(CenterFieldRow)
                .where(CenterFieldRow.canonical_field == field)
                .order_by(CenterRow.position)
                .distinct()
            ).scalars()
            return [self._view(row) for row in rows]

    def related_fields(self, field: str) -> tuple[str, ...]:
        known = self.fields.get(field)
        return known.related if known else ()

    def _view(self, row: CenterRow) -> CenterView:
        entry = next(c for c in self._centers if c.name == row.name)
        return CenterView(
            name=row.name,
            province=row.province,
            city=row.city,
            table_fields=tuple(f.table_field for f in row.fields),
            canonical_fields=tuple(dict.fromkeys(f.canonical_field for f in row.fields)),
            as_of=entry.as_of,
            source_url=entry.source,
            translated_from=entry.translated_from,
            uncertain_fields=entry.uncertain_fields,
            formal_name_unconfirmed=entry.formal_name_unconfirmed,
            seed=entry.file == CENTER_FILES[0],
            field_pairs=tuple((f.table_field, f.canonical_field) for f in row.fields),
            municipality=self.provinces[row.province].municipality,
        )

    def reach(self) -> dict[str, int]:
        """How many centers, places and fields users can reach (for the closing figures)."""
        terms = self.entity_terms()
        places = [
            place
            for p in self.provinces.values()
            for place in (p.name, *p.cities, *(c for c, _ in p.counties))
        ]
        return {
            "centers": len(self.centers()),
            "center_name_forms": sum(1 for label, *_ in terms if label == "center"),
            "provinces": len(self.provinces),
            "cities": sum(len(p.cities) for p in self.provinces.values()),
            "county_level_places": sum(len(p.counties) for p in self.provinces.values()),
            "places_served_by_a_listed_center": sum(
                1 for place in places if self.centers_serving(self.region(place))
            ),
            "fields": len(self.fields),
            "field_and_product_words": sum(1 for label, *_ in terms if label == "tech_field"),
        }


@lru_cache(maxsize=4)
def get_knowledge_base(directory: str | None = None) -> KnowledgeBase:
    """The knowledge base of ``directory`` (default: ``knowledge_dir()``), loaded once."""
    return KnowledgeBase.load(directory or knowledge_dir())
