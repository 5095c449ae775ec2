"""Answers with one short source footnote: the facts an answer states are numbered when the
answer also holds guidance, sample text or facts from several sources, so the footnote
covers only what its sources say; guidance and sample text are labelled as such."""

from __future__ import annotations

from knowledge_base import schema
from knowledge_base.texts import say

_CENTERS_FOOTNOTE_LIMIT = 3


def _merge_same_title(labels: list[str]) -> list[str]:
    """No title twice: "《T》" and "《T》表1" become "《T》（含表1）"."""
    merged: list[str] = []
    for label in dict.fromkeys(labels):
        for index, kept in enumerate(merged):
            shorter, longer = sorted((kept, label), key=len)
            if shorter.endswith("》") and longer.startswith(shorter):
                rest = longer[len(shorter) :]
                merged[index] = say("knowledge.footnote.merged", title=shorter, part=rest)
                break
        else:
            merged.append(label)
    return merged


class Footnotes:
    """Mixed into KnowledgeBase: rendering of answers and of their footnotes."""

    facts: dict[str, schema.Fact]
    answers: dict[str, schema.Answer]
    snippets: dict[str, schema.Answer]

    def render_answer(self, key: str) -> str:
        """The answer text with facts filled in, then one footnote line."""
        answer = self.answers.get(key) or self.snippets[key]
        return self.compose(answer)

    def compose(self, answer: schema.Answer) -> str:
        labels = list(dict.fromkeys(self.facts[f].source for f in answer.fact_ids))
        numbered = len(labels) > 1 or bool(answer.guidance or answer.sample)
        lines: list[str] = []
        if answer.text:
            body = schema.FACT_PLACEHOLDER.sub(
                lambda m: self._fact_text(m.group(1), labels if numbered else None), answer.text
            )
            lines.append(body)
            if any(self.facts[f].is_local for f in answer.fact_ids):
                lines.append(say("knowledge.answer.local_note"))
        if answer.sample:
            lines.append(say("knowledge.answer.sample", text=answer.sample))
        if answer.guidance:
            lines.append(say("knowledge.answer.guidance", text=answer.guidance))
        if answer.hint:
            lines.append(answer.hint)
        footnote = self.footnote(
            labels, numbered=numbered, kind=answer.kind, sample=bool(answer.sample)
        )
        return "\n".join(lines + ([footnote] if footnote else []))

    def _fact_text(self, fact_id: str, labels: list[str] | None) -> str:
        fact = self.facts[fact_id]
        if labels is None:
            return fact.text
        return fact.text + say("knowledge.footnote.marker", number=labels.index(fact.source) + 1)

    @staticmethod
    def footnote(
        labels: list[str], *, numbered: bool = False, kind: str = "policy", sample: bool = False
    ) -> str:
        """One line: 来源：[1] title（date）；… plus the guidance or sample mark; no duplicates."""
        labels = _merge_same_title(labels)
        parts = [
            (say("knowledge.footnote.marker", number=i) if numbered else "") + label
            for i, label in enumerate(labels, start=1)
        ]
        line = (
            say("knowledge.footnote.prefix") + say("knowledge.footnote.separator").join(parts)
            if parts
            else ""
        )
        if kind == "guidance":
            line += say("knowledge.footnote.mark", text=say("knowledge.footnote.guidance"))
        if sample or kind == "sample":
            line += say("knowledge.footnote.mark", text=say("knowledge.footnote.sample"))
        return line

    # ---- the older helpers, kept for the actions that call them -------------------------
    def source_line(self, kind: str, fact_ids: tuple[str, ...] = ()) -> str:
        labels = [self.facts[f].source for f in fact_ids]
        return self.footnote(labels, kind=kind)

    def sources_line(self, *fact_ids: str) -> str:
        """One footnote for an answer built on the centers table and some facts."""
        return self.footnote([self.centers_label(), *(self.facts[f].source for f in fact_ids)])

    def centers_label(self, centers: list | None = None) -> str:
        """The footnote label for a list of centers: the seed table and/or public reports."""
        shown = centers if centers is not None else self.centers()  # type: ignore[attr-defined]
        labels = list(dict.fromkeys(c.source_label() for c in shown))
        if len(labels) > _CENTERS_FOOTNOTE_LIMIT:
            reports = [c for c in shown if not c.seed]
            seed = [say("knowledge.footnote.seed_centers")] if len(reports) < len(shown) else []
            dates = sorted(c.as_of.isoformat() for c in reports if c.as_of)
            span = f"{dates[0][:4]}–{dates[-1][:4]}" if dates else ""
            when = say("knowledge.footnote.report_when", date=span) if span else ""
            labels = seed + [say("knowledge.footnote.reports", when=when)]
        return say("knowledge.footnote.separator").join(labels)

    def centers_footnote(self, centers: list, *fact_ids: str) -> str:
        labels = [self.centers_label(centers)] if centers else []
        return self.footnote(labels + [self.facts[f].source for f in fact_ids])

    @property
    def centers_table_source_line(self) -> str:
        return self.footnote([self.centers_label()])
