"""docs/api.md cannot drift: its examples are replayed against the fixture model and must have the
shape of the live responses, and every endpoint and parameter of /openapi.json is documented.

The examples come from docs/examples.py (a run on the bundled data); this test reads them back
with the script's own parser and replays each `curl` command with the fixture ids below.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path

import pytest

from tests.service.conftest import ADMIN_TOKEN

REPO = Path(__file__).resolve().parents[2]
API_MD = REPO / "docs" / "api.md"


def load_script():
    """docs/examples.py as a module (it is a script, not part of a package)."""
    spec = importlib.util.spec_from_file_location("docs_examples", REPO / "docs" / "examples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


script = load_script()
EXAMPLES = script.read_examples(API_MD.read_text(encoding="utf-8"))
BY_NAME = {example.name: example for example in EXAMPLES}

# Bundled ids of the documented requests -> fixture companies of the same country and kind.
FIXTURE_IDS = {
    "toyota-motor": "jp-auto",
    "sony": "jp-elec",
    "olympus": "jp-elec",  # parent of il-3d, as Olympus is of Medi-Tate
    "imagry": "il-lidar",
    "wiz": "il-autocyber",
}
FIXTURE_QUERIES = {"q=toy": "q=sample"}  # the fixture names all start with "Sample" or "Example"


def fixture_command(command: str) -> str:
    """The documented curl command with bundled ids, names and the doc token made fixture ones."""
    command = re.sub(r"(?<=/v1/companies/)[\w-]+", lambda m: FIXTURE_IDS.get(m[0], m[0]), command)
    for documented, fixture in FIXTURE_QUERIES.items():
        command = command.replace(documented, fixture)
    return command.replace(f"Bearer {script.ADMIN_TOKEN}", f"Bearer {ADMIN_TOKEN}")


def kind(value: object) -> str:
    """The JSON type of a value; int and float are both "number"."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def shape_differences(documented: object, live: object, where: str = "$") -> list[str]:
    """How the documented JSON's shape differs from the live one's: keys, types, list elements.

    null matches any type (fields such as `founded` may be null); lists compare their first
    elements when both have one.
    """
    if documented is None or live is None:
        return []
    if kind(documented) != kind(live):
        return [f"{where}: documented {kind(documented)}, live {kind(live)}"]
    if isinstance(documented, list):
        if documented and live:
            return shape_differences(documented[0], live[0], f"{where}[0]")
        return []
    if not isinstance(documented, dict):
        return []
    found = [
        f"{where}.{key}: in the response, not in the docs"
        for key in live.keys() - documented.keys()
    ]
    found += [
        f"{where}.{key}: in the docs, no longer in the response"
        for key in documented.keys() - live.keys()
    ]
    for key in documented.keys() & live.keys():
        found += shape_differences(documented[key], live[key], f"{where}.{key}")
    return sorted(found)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_docs_example_has_the_shape_of_the_live_response(client, example):
    response = script.replay(client, fixture_command(example.command))
    live = response.get_json()
    assert response.status_code == example.status, (
        f"{example.name}: documented {example.status}, the fixture app answers "
        f"{response.status_code} (map a bundled id in FIXTURE_IDS?): {live}"
    )
    problems = shape_differences(example.response, live)
    assert not problems, f"regenerate docs/api.md (python docs/examples.py): {problems}"
    if example.status >= 400:
        assert live["error"]["code"] == example.response["error"]["code"]
    for key, value in example.response.items():
        if isinstance(value, list) and value:
            assert live[key], f"{example.name}: the fixture request finds no {key} to compare"


def test_docs_examples_are_the_scripts_commands():
    assert sorted(BY_NAME) == sorted(script.EXAMPLES), "run python docs/examples.py"
    for name, command in script.EXAMPLES.items():
        documented = BY_NAME[name].command
        assert shlex_words(documented) == shlex_words(command), f"{name}: run docs/examples.py"


def shlex_words(command: str) -> list[str]:
    """A command's words without its trailing comment."""
    return shlex.split(command, comments=True)


def test_docs_example_markers_name_the_request():
    text = API_MD.read_text(encoding="utf-8")
    markers = re.findall(r"^<!-- example: (\S+) (\S+) (\S+) (\d{3}) -->$", text, re.M)
    assert len(markers) == len(EXAMPLES)
    for name, method, path, _ in markers:
        request = script.parse_curl(BY_NAME[name].command)
        assert (request.method, request.path) == (method, path), name


@pytest.mark.parametrize(
    ("documented", "live"),
    [
        ({"a": 1}, {"a": 1, "b": 2}),  # a field added to the response
        ({"a": 1, "b": 2}, {"a": 1}),  # a field removed
        ({"a": [{"x": 1}]}, {"a": [{"x": 1, "y": 2}]}),  # added inside a list element
        ({"a": {"x": "s"}}, {"a": {"x": 1}}),  # string became a number
        ({"a": 1}, {"a": "1"}),
        ({"a": True}, {"a": 1}),
        ({"a": []}, {"a": {}}),
    ],
)
def test_shape_differences_finds_drift(documented, live):
    assert shape_differences(documented, live)


@pytest.mark.parametrize(
    ("documented", "live"),
    [
        ({"a": 1}, {"a": 0.5}),  # int and float are both numbers
        ({"a": [1, 2]}, {"a": []}),  # an empty list has no element to compare
        ({"a": None}, {"a": 1937}),  # nullable
        ({"a": [{"x": 1}, {"x": 2}]}, {"a": [{"x": 3}]}),  # trimmed lists
    ],
)
def test_shape_differences_accepts_same_shape(documented, live):
    assert shape_differences(documented, live) == []


def test_docs_example_check_fails_when_a_response_field_is_not_documented(client):
    example = BY_NAME["partners"]
    documented = json.loads(json.dumps(example.response))
    del documented["results"][0]["parent_id"]
    live = script.replay(client, fixture_command(example.command)).get_json()
    assert shape_differences(documented, live) == [
        "$.results[0].parent_id: in the response, not in the docs"
    ]


def test_docs_describe_every_openapi_path_and_parameter(client):
    spec = client.get("/openapi.json").json
    text = re.sub(r"<\w+>", "{}", API_MD.read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            endpoint = f"`{method.upper()} {re.sub(r'{[^}]+}', '{}', path)}`"
            assert endpoint in text, f"{endpoint} is not in docs/api.md"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    row = f"| `{parameter['name']}` |"
                    assert row in text, f"{endpoint}: parameter {parameter['name']} undocumented"


def test_docs_examples_trim_keeps_valid_json():
    cuts: dict = {}
    trimmed = script.trim({"items": [{"a": [1, 2, 3, 4, 5, 6, 7, 8]}] * 5}, "", cuts)
    assert json.loads(script.render(trimmed)) == trimmed
    assert len(trimmed["items"]) == script.KEEP_OBJECTS
    assert cuts == {"items": (2, 5), "items[].a": (6, 8)}
