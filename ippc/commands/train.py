"""``ippc train``: generate the knowledge-base responses, then train Rasa when sources changed."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from core.errors import CliError
from core.model_files import fingerprint, model_for
from core.paths import CONFIG_FILE, DATA_DIR, DOMAIN_DIR, models_dir
from core.settings import RASA_ENV
from knowledge_base.base import KnowledgeBase
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.rasa_export import write_generated_data, write_generated_domain


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train the Rasa model (skips when unchanged)")
    parser.add_argument("--force", action="store_true", help="train even if unchanged")
    parser.set_defaults(func=run)


def prepare() -> str:
    """Validate the knowledge base, write the files generated from it; return the fingerprint."""
    try:
        kb = KnowledgeBase.load()
    except KnowledgeBaseError as error:
        raise CliError(f"knowledge base: {error}") from None
    write_generated_domain(kb)
    write_generated_data(kb)
    return fingerprint()


def run(args: argparse.Namespace) -> int:
    value = prepare()
    target = model_for(value)
    if target.exists() and not args.force:
        print(f"model is up to date: {target}")
        return 0
    models_dir().mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(CONFIG_FILE),
        "--domain", str(DOMAIN_DIR),
        "--data", str(DATA_DIR),
        "--out", str(models_dir()),
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        "--force",  # Rasa's cache does not see knowledge-base changes; our fingerprint does
    ]  # fmt: skip
    started = time.monotonic()
    env = {**RASA_ENV, **os.environ}
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0 or not target.exists():
        raise CliError(f"rasa train failed (exit {result.returncode}); see its output above")
    print(f"trained {target} in {time.monotonic() - started:.0f} s")
    return 0
