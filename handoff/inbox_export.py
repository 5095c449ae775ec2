"""From staff labels to the model (``ippc inbox export``).

- Labelled messages become Rasa NLU examples in ``bot/data/nlu/reviewed/<topic>.yml`` (one
  file per topic; a comment above each block says who labelled it and when), which the next
  ``ippc train`` learns from (Rasa reads bot/data recursively).
- Drafted answers go to ``knowledge_base/data/answer_drafts.yml``, marked ``status: draft``.
  The knowledge-base loader does not read that file, so ``ippc train`` never publishes a
  draft. Once an admin approved a draft in the console, the export publishes it: for a topic
  whose answers are FAQ sub-intents (fasttrack_process/…) it becomes a new sub-intent
  ``<topic>/reviewed_<id>`` with its questions as examples and the answer (with its source)
  as the response in ``bot/domain/reviewed_answers.yml``; approved drafts of other topics
  stay in the review file for a developer to place (listed by the command).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.paths import DATA_DIR, DOMAIN_DIR, knowledge_dir
from handoff.inbox import bot_intents
from handoff.masking import mask_sensitive
from handoff.models import AnswerDraft, MissedMessage
from handoff.similarity import canonical
from knowledge_base.texts import say
from nlu.topics import topic_label, topic_of

MARKER = "# Written by `ippc inbox export`"
DRAFTS_FILE = "answer_drafts.yml"
REVIEWED_DOMAIN_FILE = "reviewed_answers.yml"


def reviewed_dir() -> Path:
    return DATA_DIR / "nlu" / "reviewed"


@dataclass
class ExportResult:
    examples: dict[str, int] = field(default_factory=dict)  # per topic
    skipped: int = 0  # already an example of the bot's data
    drafts: int = 0
    published: list[str] = field(default_factory=list)  # sub-intents of approved drafts
    unplaced: list[int] = field(default_factory=list)  # approved drafts left for a developer
    files: list[Path] = field(default_factory=list)


def _example(text: str) -> str:
    """One line of a Rasa examples block."""
    return " ".join(mask_sensitive(text).split())


def _existing_examples(nlu_dir: Path) -> set[str]:
    """Canonical forms of every example the bot's own NLU data has (not our files)."""
    found: set[str] = set()
    for path in nlu_dir.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") and not stripped.startswith("- intent:"):
                found.add(canonical(stripped[2:]))
    return found


def _retrieval_topics() -> set[str]:
    return {name.split("/", 1)[0] for name in bot_intents() if "/" in name}


def _block(intent: str, who: str, when: str, examples: list[str]) -> str:
    lines = [f"  # labelled by {who} on {when} (UTC)", f"  - intent: {intent}", "    examples: |"]
    lines += [f"      - {example}" for example in examples]
    return "\n".join(lines)


def _write_nlu(out_dir: Path, blocks: dict[str, list[str]], result: ExportResult) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.yml"):
        if old.read_text(encoding="utf-8").startswith(MARKER):
            old.unlink()  # rewritten below from the database, the one source of truth
    for topic, parts in sorted(blocks.items()):
        path = out_dir / f"{topic}.yml"
        page = say("console.inbox_page")
        header = (
            f"{MARKER} from the staff console's labels ({page}); edits here are "
            f"overwritten.\n# topic: {topic} {topic_label(topic)}\n"
        )
        path.write_text(
            header + 'version: "3.1"\nnlu:\n' + "\n".join(parts) + "\n", encoding="utf-8"
        )
        result.files.append(path)


def export(
    session: Session,
    nlu_dir: Path | None = None,
    drafts_path: Path | None = None,
    domain_path: Path | None = None,
) -> ExportResult:
    """Write labelled messages and drafts from the database; returns what was written."""
    nlu_dir = nlu_dir or reviewed_dir()
    result = ExportResult()
    known = _existing_examples(nlu_dir.parent)
    labelled = session.execute(
        select(MissedMessage)
        .where(MissedMessage.status == "labelled", MissedMessage.label_topic.is_not(None))
        .order_by(MissedMessage.label_topic, MissedMessage.labelled_at, MissedMessage.id)
    ).scalars()
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    seen: set[str] = set()
    for message in labelled:
        key = canonical(message.text)
        if not key or key in known or key in seen:
            result.skipped += 1
            continue
        seen.add(key)
        when = message.labelled_at.strftime("%Y-%m-%d %H:%M") if message.labelled_at else "?"
        grouped[(message.label_topic, message.labelled_by or "?", when)].append(
            _example(message.text)
        )
    blocks: dict[str, list[str]] = defaultdict(list)
    for (intent, who, when), examples in grouped.items():
        topic = topic_of(intent) or intent
        blocks[topic].append(_block(intent, who, when, examples))
        result.examples[topic] = result.examples.get(topic, 0) + len(examples)

    drafts = list(session.execute(select(AnswerDraft).order_by(AnswerDraft.id)).scalars())
    retrieval = _retrieval_topics()
    responses: dict[str, list[dict[str, str]]] = {}
    entries: list[dict[str, Any]] = []
    for draft in drafts:
        questions = list(
            session.execute(
                select(MissedMessage.text).where(MissedMessage.draft_id == draft.id)
            ).scalars()
        )
        entries.append(_draft_entry(draft, questions))
        if draft.status != "approved":
            continue
        if draft.topic not in retrieval:
            result.unplaced.append(draft.id)
            continue
        intent = f"{draft.topic}/reviewed_{draft.id}"
        examples = list(dict.fromkeys(_example(q) for q in questions + [draft.question]))
        who = draft.approved_by or "?"
        when = draft.approved_at.strftime("%Y-%m-%d %H:%M") if draft.approved_at else "?"
        blocks[draft.topic].append(_block(intent, who, when, examples))
        responses[f"utter_{intent}"] = [
            {"text": f"{draft.text}\n{say('knowledge.footnote.prefix')}{draft.source}"}
        ]
        result.published.append(intent)
    _write_nlu(nlu_dir, blocks, result)
    result.drafts = len(entries)
    drafts_path = drafts_path or knowledge_dir() / DRAFTS_FILE
    page = say("console.inbox_page")
    _write_yaml(
        drafts_path,
        f"# Answers staff drafted in the console ({page}) for questions the bot could not\n"
        "# answer. DRAFTS: the knowledge base does not read this file; `ippc train` publishes an\n"
        "# entry only after an admin approved it in the console (status: approved) and\n"
        f"# `ippc inbox export` ran. {MARKER[2:]}; edits here are overwritten.\n",
        {"drafts": entries},
    )
    result.files.append(drafts_path)
    domain_path = domain_path or DOMAIN_DIR / REVIEWED_DOMAIN_FILE
    if responses:
        _write_yaml(
            domain_path,
            f"{MARKER}: answers approved by an admin in the staff console.\n",
            {"version": "3.1", "responses": responses},
        )
        result.files.append(domain_path)
    elif domain_path.exists() and domain_path.read_text(encoding="utf-8").startswith(MARKER):
        domain_path.unlink()
    return result


def _draft_entry(draft: AnswerDraft, questions: list[str]) -> dict[str, Any]:
    return {
        "id": draft.id,
        "status": draft.status,
        "topic": draft.topic,
        "topic_label": topic_label(draft.topic),
        "center": draft.center,
        "question": draft.question,
        "answer": draft.text,
        "source": draft.source,
        "drafted_by": draft.created_by,
        "drafted_at": draft.created_at.isoformat() + "Z",
        "approved_by": draft.approved_by,
        "approved_at": draft.approved_at.isoformat() + "Z" if draft.approved_at else None,
        "examples": [mask_sensitive(q) for q in questions],
    }


def _write_yaml(path: Path, header: str, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(header + body, encoding="utf-8")
