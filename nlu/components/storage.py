"""One text file per component inside the trained model (Rasa's model storage), so the
components that need data of their own (dictionary, patterns) share one way to keep it."""

from __future__ import annotations

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def write_text(storage: ModelStorage, resource: Resource, name: str, text: str) -> None:
    with storage.write_to(resource) as directory:
        (directory / name).write_text(text, encoding="utf-8")


def read_text(storage: ModelStorage, resource: Resource, name: str) -> str:
    with storage.read_from(resource) as directory:
        return (directory / name).read_text(encoding="utf-8")
