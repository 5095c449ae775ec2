"""Stratified k-fold cross-validation of the NLU pipeline on the project's own training data.

The same measurement as ``rasa test nlu --cross-validation`` (the predicted intent, fallback
included, against the labelled one; folds stratified on the full intent), made quicker to
iterate with on two shared cores: the folds are fixed by a seed (two runs compare), ``--only N``
trains just the first N folds, and nothing is evaluated on the training part.

    PYTHONPATH=. .venv/bin/python -m nlu.crossval --folds 5 --only 1 --out /tmp/cv1

prints intent accuracy, out_of_scope F1, per-intent F1, the top confusion pairs, and writes
every prediction to ``OUT/predictions.jsonl``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from core.paths import CONFIG_FILE, DATA_DIR
from core.settings import RASA_ENV
from nlu.topics import FALLBACK_INTENT

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Prediction:
    """One held-out example: what it is labelled and what the pipeline said."""

    fold: int
    text: str
    target: str
    predicted: str
    confidence: float
    target_key: str
    predicted_key: str
    best: str = ""  # the best intent other than the fallback, to try other thresholds offline
    best_confidence: float = 0.0
    second_confidence: float = 0.0  # for the fallback's ambiguity threshold


def f1_scores(pairs: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of every target label of ``(target, predicted)``."""
    labels = sorted({t for t, _ in pairs})
    scores = {}
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        fp = sum(1 for t, p in pairs if t != label and p == label)
        fn = sum(1 for t, p in pairs if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return scores


def summary(predictions: list[Prediction], top: int = 15) -> dict:
    """Accuracy, weighted F1, per-intent scores and the most frequent confusions."""
    pairs = [(p.target, p.predicted) for p in predictions]
    scores = f1_scores(pairs)
    total = len(pairs) or 1
    confusions = Counter((t, p) for t, p in pairs if t != p)
    keyed = [p for p in predictions if "/" in p.target_key]
    return {
        "examples": len(pairs),
        "accuracy": sum(t == p for t, p in pairs) / total,
        "weighted_f1": sum(s["f1"] * s["support"] for s in scores.values()) / total,
        "out_of_scope_f1": scores.get(OUT_OF_SCOPE, {}).get("f1"),
        "response_key_accuracy": (
            sum(p.target_key == p.predicted_key for p in keyed) / len(keyed) if keyed else None
        ),
        "per_intent": scores,
        "confusions": [
            {"target": t, "predicted": p, "count": n} for (t, p), n in confusions.most_common(top)
        ],
    }


def format_summary(result: dict) -> str:
    """The summary as a Markdown table and a list, for a terminal or a report."""
    lines = [
        f"examples {result['examples']}  intent accuracy {result['accuracy']:.3f}  "
        f"weighted F1 {result['weighted_f1']:.3f}  out_of_scope F1 "
        f"{(result['out_of_scope_f1'] or 0):.3f}"
        + (
            f"  response key accuracy {result['response_key_accuracy']:.3f}"
            if result["response_key_accuracy"] is not None
            else ""
        ),
        "",
        "| intent | precision | recall | F1 | n |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, s in sorted(result["per_intent"].items(), key=lambda item: item[1]["f1"]):
        lines.append(
            f"| {label} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} "
            f"| {s['support']} |"
        )
    lines += ["", "top confusions (target -> predicted: count):"]
    lines += [f"  {c['target']} -> {c['predicted']}: {c['count']}" for c in result["confusions"]]
    return "\n".join(lines)


def _load_data(data_dir: Path):  # noqa: ANN202 - rasa's TrainingData, imported lazily
    from rasa.shared.importers.importer import TrainingDataImporter

    return TrainingDataImporter.load_from_dict(training_data_paths=[str(data_dir)]).get_nlu_data()


def _folds(data, n: int, seed: int):  # noqa: ANN001, ANN202 - rasa types, imported lazily
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    examples = data.intent_examples
    labels = [example.get_full_intent() for example in examples]
    splitter = StratifiedKFold(n_splits=n, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(examples, labels):
        yield (
            TrainingData(
                training_examples=[examples[i] for i in train_index],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
                responses=data.responses,
            ),
            [examples[i] for i in test_index],
        )


async def _evaluate_fold(fold: int, model_file: str, test: list) -> list[Prediction]:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT

    agent = Agent.load(model_file)
    predictions = []
    for example in test:
        parse = await agent.parse_message(example.get(TEXT))
        intent = parse.get("intent") or {}
        predicted = str(intent.get("name") or "")
        predicted_key = predicted
        real = [i for i in parse.get("intent_ranking") or [] if i.get("name") != FALLBACK_INTENT]
        best = real[0] if real else intent
        for selector in (parse.get("response_selector") or {}).values():
            if not isinstance(selector, dict):  # "all_retrieval_intents" is a list
                continue
            key = (selector.get("response") or {}).get("intent_response_key") or ""
            if key.split("/", 1)[0] == predicted:
                predicted_key = key
        predictions.append(
            Prediction(
                fold=fold,
                text=example.get(TEXT),
                target=example.get(INTENT),
                predicted=predicted,
                confidence=float(intent.get("confidence") or 0.0),
                target_key=example.get(INTENT_RESPONSE_KEY) or example.get(INTENT),
                predicted_key=predicted_key,
                best=str(best.get("name") or ""),
                best_confidence=float(best.get("confidence") or 0.0),
                second_confidence=float(real[1].get("confidence") or 0.0) if len(real) > 1 else 0.0,
            )
        )
    return predictions


def cross_validate(
    folds: int, only: int, seed: int, out: Path, config: Path, data_dir: Path
) -> list[Prediction]:
    """Train and evaluate the first ``only`` of ``folds`` stratified folds."""
    import rasa.model_training
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    data = _load_data(data_dir)
    predictions: list[Prediction] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (train, test) in enumerate(_folds(data, folds, seed)):
            if index >= only:
                break
            started = time.monotonic()
            train_file = Path(tmp) / f"train_{index}.yml"
            RasaYAMLWriter().dump(train_file, train)
            model_file = rasa.model_training.train_nlu(str(config), str(train_file), tmp)
            trained = time.monotonic() - started
            fold_predictions = asyncio.run(_evaluate_fold(index, model_file, test))
            predictions += fold_predictions
            _write(out, predictions)  # a run cut short still leaves its finished folds
            correct = sum(p.target == p.predicted for p in fold_predictions)
            print(
                f"fold {index + 1}/{folds}: trained in {trained:.0f} s, "
                f"{correct}/{len(fold_predictions)} correct",
                file=sys.stderr,
            )
    return predictions


def _write(out: Path, predictions: list[Prediction]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "predictions.jsonl").open("w", encoding="utf-8") as sink:
        for prediction in predictions:
            sink.write(json.dumps(asdict(prediction), ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", type=int, default=0, help="evaluate only the first N folds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "ippc-cv")
    parser.add_argument("--config", type=Path, default=CONFIG_FILE)
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    for key, value in RASA_ENV.items():
        os.environ.setdefault(key, value)
    logging.basicConfig(level=logging.WARNING)
    predictions = cross_validate(
        args.folds, args.only or args.folds, args.seed, args.out, args.config, args.data
    )
    result = summary(predictions)
    (args.out / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(format_summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
