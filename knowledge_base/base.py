"""The knowledge base: loads and validates the YAML files, indexes them in SQLAlchemy tables
and answers the questions the actions, the NLU and the tests ask of it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from core.paths import knowledge_dir
from knowledge_base import schema
from knowledge_base.models import (
    CenterFieldRow,
    CenterRow,
    KnowledgeBaseModel,
    RegionRow,
    TermRow,
)
from knowledge_base.yaml_lines import load_yaml

FILES = (
    "centers.yml",
    "fields.yml",
    "regions.yml",
    "patent_types.yml",
    "facts.yml",
    "answers.yml",
    "disputes.yml",
    "center_info.yml",
    "glossary.yml",
)
CENTER_SUFFIX = "知识产权保护中心"
ENTITY_LABELS = ("center", "region", "tech_field", "patent_type")


@dataclass(frozen=True)
class Region:
    """A province or city the user named, with the province it belongs to."""

    name: str
    province: str
    is_city: bool


@dataclass(frozen=True)
class CenterView:
    name: str
    province: str
    city: str | None
    table_fields: tuple[str, ...]
    canonical_fields: tuple[str, ...]

    @property
    def area(self) -> str:
        return self.city or self.province


class KnowledgeBase:
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
    def load(cls, directory: Path | str | None = None) -> KnowledgeBase:
        """Load and validate every file; a broken one raises KnowledgeBaseError."""
        directory = Path(directory) if directory else knowledge_dir()
        raw = {name: load_yaml(directory / name) for name in FILES}
        path = {name: directory / name for name in FILES}
        centers_source, centers = schema.parse_centers(path["centers.yml"], raw["centers.yml"])
        facts = schema.parse_facts(path["facts.yml"], raw["facts.yml"])
        return cls(
            directory=directory,
            centers_source=centers_source,
            fields=schema.parse_fields(path["fields.yml"], raw["fields.yml"]),
            provinces=schema.parse_regions(path["regions.yml"], raw["regions.yml"]),
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
        )

    def _index(self, centers: list[schema.Center]) -> None:
        table_to_canonical = {t: f.name for f in self.fields.values() for t in f.table_fields}
        with Session(self._engine) as session:
            for position, center in enumerate(centers):
                row = CenterRow(
                    name=center.name, province=center.province, city=center.city, position=position
                )
                for index, table_field in enumerate(center.fields):
                    # A field the normalisation table does not know stands for itself.
                    canonical = table_to_canonical.get(table_field, table_field)
                    row.fields.append(
                        CenterFieldRow(
                            table_field=table_field, canonical_field=canonical, position=index
                        )
                    )
                session.add(row)
            for label, term, value in self._terms(centers, table_to_canonical):
                session.add(TermRow(label=label, term=term, value=value))
            for province in self.provinces.values():
                session.add(RegionRow(name=province.name, province=province.name, is_city=0))
                for city in province.cities:
                    session.add(RegionRow(name=city, province=province.name, is_city=1))
            known = {r for p in self.provinces.values() for r in (p.name, *p.cities)}
            for center in centers:  # a city written in the centers table is a region too
                if center.city and center.city not in known:
                    session.add(RegionRow(name=center.city, province=center.province, is_city=1))
            session.commit()

    def _terms(
        self, centers: list[schema.Center], table_to_canonical: dict[str, str]
    ) -> list[tuple[str, str, str]]:
        """Every (label, term, canonical value) the NLU should recognise."""
        terms: list[tuple[str, str, str]] = []
        for center in centers:
            terms.append(("center", center.name, center.name))
            prefix = center.name.removesuffix(CENTER_SUFFIX)
            if prefix != center.name and prefix:
                for suffix in ("中心", "保护中心", "知保中心"):
                    terms.append(("center", prefix + suffix, center.name))
                province = self.provinces.get(prefix)
                if province and province.full_name != prefix:
                    terms.append(("center", province.full_name + CENTER_SUFFIX, center.name))
                elif center.city == prefix:
                    terms.append(("center", prefix + "市" + CENTER_SUFFIX, center.name))
        canonical_fields = {f.name for f in self.fields.values()} | {
            table_to_canonical.get(t, t) for c in centers for t in c.fields
        }
        for name in canonical_fields:
            terms.append(("tech_field", name, name))
        for f in self.fields.values():
            for term in (*f.table_fields, *f.synonyms):
                terms.append(("tech_field", term, f.name))
        for province in self.provinces.values():
            for term in (province.name, province.full_name, *province.aliases):
                terms.append(("region", term, province.name))
            if not province.municipality and province.full_name.endswith("省"):
                terms.append(("region", province.name + "省", province.name))
            for city in province.cities:
                terms.extend([("region", city, city), ("region", city + "市", city)])
        for center in centers:
            if center.city:
                terms.extend([("region", center.city, center.city)])
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
        """Canonical field for a user's word (人工智能 → 新一代信息技术), or None."""
        return self._lookup("tech_field", text)

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
        return Region(row.name, row.province, bool(row.is_city)) if row else None

    def centers(self) -> list[CenterView]:
        with Session(self._engine) as session:
            rows = session.execute(select(CenterRow).order_by(CenterRow.position)).scalars()
            return [self._view(row) for row in rows]

    def center(self, name: str | None) -> CenterView | None:
        canonical = self.normalise_center(name) if name else None
        return next((c for c in self.centers() if c.name == canonical), None)

    def centers_serving(self, region: Region) -> list[CenterView]:
        """Centers whose service area includes ``region`` (province-wide ones and the city's)."""
        with Session(self._engine) as session:
            query = select(CenterRow).where(CenterRow.province == region.province)
            if region.is_city:
                query = query.where((CenterRow.city.is_(None)) | (CenterRow.city == region.name))
            rows = session.execute(query.order_by(CenterRow.position)).scalars()
            return [self._view(row) for row in rows]

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

    @staticmethod
    def _view(row: CenterRow) -> CenterView:
        return CenterView(
            name=row.name,
            province=row.province,
            city=row.city,
            table_fields=tuple(f.table_field for f in row.fields),
            canonical_fields=tuple(dict.fromkeys(f.canonical_field for f in row.fields)),
        )

    # ----------------------------------------------------------------- answers
    def render_answer(self, key: str) -> str:
        """The answer text with facts filled in and a visible source or sample line."""
        answer = self.answers.get(key) or self.snippets[key]
        text = schema.FACT_PLACEHOLDER.sub(lambda m: self.facts[m.group(1)].text, answer.text)
        return text + "\n" + self.source_line(answer.kind, answer.fact_ids)

    def source_line(self, kind: str, fact_ids: tuple[str, ...] = ()) -> str:
        if kind == "sample":
            return "（示例内容：各中心做法不同，请以本中心公布为准）"
        sources = list(dict.fromkeys(self.facts[f].source for f in fact_ids))
        if kind == "guidance":
            line = "（一般性指引，不构成法律意见）"
            return line + (f" 来源：{'；'.join(sources)}" if sources else "")
        return f"来源：{'；'.join(sources)}"

    @property
    def centers_table_source_line(self) -> str:
        return f"来源：{self.centers_source}"

    def sources_line(self, *fact_ids: str) -> str:
        """One source line for an answer built on the centers table and some facts."""
        sources = [self.centers_source] + [self.facts[f].source for f in fact_ids]
        return "来源：" + "；".join(dict.fromkeys(sources))


@lru_cache(maxsize=4)
def get_knowledge_base(directory: str | None = None) -> KnowledgeBase:
    """The knowledge base of ``directory`` (default: ``knowledge_dir()``), loaded once."""
    return KnowledgeBase.load(directory or knowledge_dir())
