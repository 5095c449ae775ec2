"""What the custom pipeline components share: they are for Chinese, and they are created,
trained, stored and loaded the same way, so that each component's module holds only what
the component does.

- ``UntrainedComponent``: works from its configuration alone (``create`` → ``cls(config)``).
- ``StoredDataComponent``: data made from the knowledge base when the component is created
  for training, kept in the trained model as one text file (``train`` writes it, ``load``
  reads it back), so that a trained model is self-contained.

Rasa checks ``supported_languages`` and ``required_packages`` when it validates a pipeline;
the language is declared here, each component names its own packages."""

from __future__ import annotations

import json
from typing import Any, ClassVar, Generic, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

Data = TypeVar("Data")
Untrained = TypeVar("Untrained", bound="UntrainedComponent")
Stored = TypeVar("Stored", bound="StoredDataComponent")


def write_text(storage: ModelStorage, resource: Resource, name: str, text: str) -> None:
    with storage.write_to(resource) as directory:
        (directory / name).write_text(text, encoding="utf-8")


def read_text(storage: ModelStorage, resource: Resource, name: str) -> str:
    with storage.read_from(resource) as directory:
        return (directory / name).read_text(encoding="utf-8")


class ChineseComponent(GraphComponent):
    """A component of the Chinese pipeline (bot/config.yml, ``language: zh``)."""

    @staticmethod
    def supported_languages() -> list[str]:
        return ["zh"]


class UntrainedComponent(ChineseComponent):
    """A component made from its configuration alone; nothing is stored in the model."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls: type[Untrained],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Untrained:
        return cls(config)


class StoredDataComponent(ChineseComponent, Generic[Data]):
    """A component with data of its own, made at training time and stored in the model.

    A subclass sets ``STORED_FILE``, makes its data in ``make_data`` and returns it from
    ``stored_data``; its ``__init__`` takes ``(config, model_storage, resource, data)`` and
    keeps ``model_storage`` and ``resource`` as ``_model_storage`` and ``_resource``. The data
    is stored as JSON unless ``to_text`` and ``from_text`` say otherwise."""

    STORED_FILE: ClassVar[str]
    _model_storage: ModelStorage
    _resource: Resource

    @classmethod
    def make_data(cls, config: dict[str, Any]) -> Data:
        """The data, from the knowledge base (at training time only)."""
        raise NotImplementedError

    def stored_data(self) -> Data:
        """The data that ``train`` keeps in the model."""
        raise NotImplementedError

    @staticmethod
    def to_text(data: Data) -> str:
        return json.dumps(data, ensure_ascii=False)

    @staticmethod
    def from_text(text: str) -> Data:
        return json.loads(text)

    @classmethod
    def create(
        cls: type[Stored],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Stored:
        return cls(config, model_storage, resource, cls.make_data(config))

    def train(self, training_data: TrainingData) -> Resource:
        text = self.to_text(self.stored_data())
        write_text(self._model_storage, self._resource, self.STORED_FILE, text)
        return self._resource

    @classmethod
    def load(
        cls: type[Stored],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Stored:
        text = read_text(model_storage, resource, cls.STORED_FILE)
        return cls(config, model_storage, resource, cls.from_text(text))
