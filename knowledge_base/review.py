"""Knowledge review for a center's staff: every answer the bot can give with its kind,
sources and dates (``ippc kb export``), and what needs attention (``ippc kb check``): old
facts and center entries, sample data still shipped, answers without a source."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from knowledge_base.base import KnowledgeBase
from knowledge_base.eligibility import center_scope
from knowledge_base.schema import Answer, Source

DEFAULT_MAX_AGE_DAYS = 730
EXPORT_COLUMNS = ("key", "kind", "sources", "dates", "text")


@dataclass(frozen=True)
class ExportRow:
    key: str
    kind: str
    sources: str
    dates: str
    text: str


def _answer_sources(kb: KnowledgeBase, answer: Answer) -> list[Source]:
    origins = [kb.facts[f].origin for f in answer.fact_ids]
    return list(dict.fromkeys(o for o in origins if o is not None))


def export_rows(kb: KnowledgeBase) -> list[ExportRow]:
    """FAQ answers, snippets, each center's scope, the dispute routes and the contact card."""
    rows = []
    for section, answers in (("answer", kb.answers), ("snippet", kb.snippets)):
        for key, answer in answers.items():
            sources = _answer_sources(kb, answer)
            rows.append(
                ExportRow(
                    f"{section}:{key}",
                    answer.kind,
                    "; ".join(s.title for s in sources) or "-",
                    "; ".join(s.date or "undated" for s in sources) or "-",
                    kb.compose(answer),
                )
            )
    for center in kb.centers():
        rows.append(
            ExportRow(
                f"center:{center.name}",
                "policy",
                center.source_label() + (f" <{center.source_url}>" if center.source_url else ""),
                center.as_of.isoformat() if center.as_of else ("-" if center.seed else "undated"),
                center_scope(kb, center),
            )
        )
    for route in kb.disputes.routes:
        rows.append(
            ExportRow(
                f"dispute_route:{route.id}", "guidance", "-", "-", f"{route.name}：{route.why}"
            )
        )
    info = kb.center_info
    rows.append(
        ExportRow(
            "center_info",
            "sample" if info.sample else "policy",
            "center_info.yml",
            "-",
            f"{info.center} | {info.address} | {info.phone}",
        )
    )
    return rows


def export_markdown(kb: KnowledgeBase) -> str:
    parts = ["# Knowledge review: every answer the assistant can give\n"]
    for row in export_rows(kb):
        parts.append(
            f"## {row.key}\n\n- kind: {row.kind}\n- sources: {row.sources}\n- dates: {row.dates}\n\n"
            + "\n".join(f"    {line}" for line in row.text.splitlines())
            + "\n"
        )
    return "\n".join(parts)


def export_csv(kb: KnowledgeBase) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(kb):
        writer.writerow([row.key, row.kind, row.sources, row.dates, row.text])
    return out.getvalue()


def _source_date(source: Source | None) -> date | None:
    if source is None or not source.date:
        return None
    text = source.date if len(source.date) == 10 else source.date + "-01"
    return date.fromisoformat(text)


def check(
    kb: KnowledgeBase, max_age_days: int = DEFAULT_MAX_AGE_DAYS, today: date | None = None
) -> list[str]:
    """One line per finding, grouped by kind; an empty list means nothing to review."""
    today = today or date.today()
    findings: list[str] = []
    for fact in kb.facts.values():
        stated = _source_date(fact.origin)
        if stated is None:
            findings.append(f"undated fact: facts.yml:{fact.line}: {fact.id} ({fact.source})")
        elif (today - stated).days > max_age_days:
            findings.append(
                f"old fact: facts.yml:{fact.line}: {fact.id} stated {stated.isoformat()}"
            )
    for center in kb.centers():
        if center.seed:
            continue
        if center.as_of is None:
            findings.append(f"undated center: {center.name} (fields with no as_of date)")
        elif (today - center.as_of).days > max_age_days:
            findings.append(
                f"old center entry: {center.name} fields as of {center.as_of.isoformat()}"
            )
    if kb.center_info.sample:
        findings.append("sample data: center_info.yml is still sample data (sample: true)")
    for answers in (kb.answers, kb.snippets):
        for key, answer in answers.items():
            if answer.sample:
                findings.append(f"sample data: answers.yml:{answer.line}: {key}")
            if not answer.fact_ids:
                findings.append(f"no source: answers.yml:{answer.line}: {key} ({answer.kind})")
    own = kb.own_center()
    findings.append(
        f"deployment: IPPC_CENTER = {own.name}"
        if own
        else "deployment: IPPC_CENTER not set (national guide)"
    )
    return findings
