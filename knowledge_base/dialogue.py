"""What a message does to the conversation, read from its text with the cue words of
knowledge_base/data/words/dialogue.yml: stops the current question,
corrects an earlier answer, negates a value ("不是A，是B"), or is only a bare answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from knowledge_base.words import word_groups, words

# Clause boundaries: a negation never reaches past them.
PUNCTUATION = re.compile(r"[，,。.;；!！?？、\s~～…]")
BARE_STOP_MAX_REST = 2  # "算了吧" is bare; "算了，备案要什么材料" carries a question
BARE_ANSWER_MAX_REST = 4  # "我们在广州那边" is a bare answer, a whole question is not


def _contains_cue(text: str, cues: Iterable[str]) -> str | None:
    breakers = words("dialogue.cue_breakers")
    for cue in cues:
        position = text.find(cue)
        # "不用了解" is not "不用了".
        end = position + len(cue)
        if position >= 0 and not any(
            cue.endswith(word[0]) and text.startswith(word[1:], end) for word in breakers
        ):
            return cue
    return None


def is_question(text: str) -> bool:
    """Ends with a question word or mark (spaces aside)."""
    return text.rstrip().endswith(words("dialogue.question_end"))


def _negation_cues() -> dict[str, str]:
    """Negation cue → the affirmative word that ends what it negates, longest cue first."""
    groups = word_groups("dialogue.negation")
    return {cue: groups[cue][0] for cue in sorted(groups, key=len, reverse=True)}


def _rest(text: str, removed: Iterable[str]) -> str:
    rest = text
    for word in removed:
        rest = rest.replace(word, "")
    return PUNCTUATION.sub("", rest)


def stop_cue(text: str | None) -> str | None:
    """The leave-the-form phrase in ``text`` ("算了", "不查了" ...), or None."""
    return _contains_cue(text or "", words("dialogue.stop", longest=True))


def is_bare_stop(text: str | None) -> bool:
    """Only a stop phrase and filler: the user wants out and asks nothing else."""
    cue = stop_cue(text)
    if cue is None:
        return False
    stop, filler = words("dialogue.stop", longest=True), words("dialogue.filler", longest=True)
    rest = _rest(text or "", (cue, *stop, *filler, *words("dialogue.stop_filler")))
    return len(rest) <= BARE_STOP_MAX_REST


def is_correction(text: str | None) -> bool:
    """ "不对 / 说错了 / 其实是 / 改成 ..." or a negation "不是A，是B"."""
    text = text or ""
    correction = words("dialogue.correction", longest=True)
    return _contains_cue(text, correction) is not None or bool(negated_spans(text))


def negated_spans(text: str | None) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that a negation cue denies: from the cue to the next
    punctuation or to the next affirmative word ("不是北京是上海" denies only 北京)."""
    text = text or ""
    spans: list[tuple[int, int]] = []
    taken: list[tuple[int, int]] = []
    for cue, affirmative in _negation_cues().items():
        for match in re.finditer(re.escape(cue), text):
            start, end = match.start(), match.end()
            if any(s <= start < e for s, e in taken):
                continue  # part of a longer cue already seen ("并不是" before "不是")
            taken.append((start, end))
            stop = len(text)
            boundary = PUNCTUATION.search(text, end)
            if boundary:
                stop = boundary.start()
            again = text.find(affirmative, end)
            if 0 <= again < stop:
                stop = again
            for conj in words("dialogue.contrast"):
                other = text.find(conj, end)
                if 0 <= other < stop:
                    stop = other
            spans.append((end, stop))
    return spans


def is_negated(text: str | None, start: int, end: int) -> bool:
    """Whether the mention at ``text[start:end]`` lies in a negated span."""
    return any(s <= start and end <= e for s, e in negated_spans(text))


def affirmed(text: str | None, mentions: Sequence[tuple[str, int, int]]) -> list[str]:
    """The values of ``mentions`` (value, start, end) that the text does not negate, in the
    order they appear."""
    spans = negated_spans(text)
    kept = [m for m in mentions if not any(s <= m[1] and m[2] <= e for s, e in spans)]
    return [value for value, _, _ in sorted(kept, key=lambda m: m[1])]


def is_bare_answer(text: str | None, mentions: Sequence[tuple[int, int]]) -> bool:
    """Only values (and filler, cue words): "广东深圳", "我们在广州", "发明的", "不是专利，是商标"."""
    text = text or ""
    if not mentions or is_question(text):
        return False  # "你是机器人吗" names a product but asks something else
    rest = "".join(
        char for index, char in enumerate(text) if not any(s <= index < e for s, e in mentions)
    )
    cues = (*words("dialogue.correction", longest=True), *_negation_cues())
    rest = _rest(rest, (*cues, *words("dialogue.filler", longest=True)))
    return len(rest) <= BARE_ANSWER_MAX_REST


def greeting_rest(text: str | None) -> str:
    """``text`` without greeting words and punctuation: what was asked besides hello."""
    return _rest(text or "", words("dialogue.greeting", longest=True))
