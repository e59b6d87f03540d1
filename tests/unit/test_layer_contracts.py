"""The import contracts (setup.cfg, run by `make lint`) name every blueprint: a new blueprint left
out of them would be free to import another or the models, and nothing would say so."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def blueprints() -> set[str]:
    return {f"tracker.{path.parent.name}" for path in (ROOT / "tracker").glob("*/views.py")}


def contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    return parser


def test_every_blueprint_sits_in_the_top_layer():
    top = contracts()["importlinter:contract:layers"]["layers"].strip().splitlines()[0]
    named = {name.strip() for name in top.split("|")}
    assert blueprints() - named == set()
    assert len(blueprints()) >= 15


def test_every_blueprint_is_kept_from_the_models():
    sources = set(contracts()["importlinter:contract:models"]["source_modules"].split())
    assert blueprints() - sources == set()
