"""Regenerate the examples of docs/api.md from a real run on the bundled data.

Trains on data/companies.csv and data/partnerships.csv into a temporary models directory, serves
it with Flask's test client, replays the `curl` command of every example and rewrites the block
between `<!-- example: NAME ... -->` and `<!-- /example -->`. The prose around the blocks is
left alone. From the repository root:

    .venv/bin/python docs/examples.py           # rewrite docs/api.md
    .venv/bin/python docs/examples.py --check   # exit 1 when docs/api.md is out of date

A run that changes nothing but the model version and its timestamp leaves the file as it is.
tests/service/test_docs_examples.py replays the same commands against the fixture model.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from service import create_app
from training.train import load_inputs, train

ROOT = Path(__file__).resolve().parents[1]
API_MD = ROOT / "docs" / "api.md"
HOST = "127.0.0.1:8000"
ADMIN_TOKEN = "s3cret"
WIDTH = 100  # a JSON value that fits in this many columns stays on one line
KEEP_OBJECTS = 2  # lists of objects are cut to this many items
KEEP_SCALARS = 6  # lists of strings or numbers are cut to this many items

BLOCK = re.compile(
    r"^<!-- example: (?P<name>[\w-]+)[^\n]*-->\n(?P<body>.*?)^<!-- /example -->$", re.M | re.S
)
# Values that change with every training run, ignored when deciding whether to rewrite the file.
VOLATILE = (
    re.compile(r"\b\d{8}T\d{6}Z-[0-9a-f]+\b"),
    re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:\+00:00|Z)"),
)

MATCH_BODY = """{
    "profile": {"name": "Hokkaido Dairy Co-op", "sectors": ["agrifood"],
                "description": "Dairy cooperative producing milk and cheese.",
                "interests": "precision livestock monitoring and water saving irrigation",
                "city": "Sapporo"},
    "top_k": 2,
    "filters": {"city": "tel aviv"}}"""
JSON = "-H 'Content-Type: application/json'"

# name -> the curl command replayed and shown (without the leading "$ ").
EXAMPLES: dict[str, str] = {
    "healthz": f"curl {HOST}/healthz",
    "readyz": f"curl {HOST}/readyz",
    "model": f"curl {HOST}/v1/model",
    "sectors": f"curl {HOST}/v1/sectors",
    "companies": f"curl '{HOST}/v1/companies?country=JP&q=toy&limit=2'",
    "company": f"curl {HOST}/v1/companies/wiz",
    "partners": f"curl '{HOST}/v1/companies/toyota-motor/partners?top_k=2'",
    "partners-city": f"curl '{HOST}/v1/companies/imagry/partners?top_k=1&city=tokyo'",
    "partners-sectors": (
        f"curl '{HOST}/v1/companies/sony/partners?top_k=2&sector=cyber&sector=fintech"
        "&exclude_known=true'"
    ),
    "partners-group": f"curl '{HOST}/v1/companies/olympus/partners?top_k=1'",
    "partners-exclude-group": (
        f"curl '{HOST}/v1/companies/olympus/partners?top_k=1&exclude_group=true'"
    ),
    "match": f"curl -X POST {HOST}/v1/match {JSON} -d '{MATCH_BODY}'",
    "reload": f"curl -X POST {HOST}/v1/admin/reload -H 'Authorization: Bearer {ADMIN_TOKEN}'",
    "error-top-k": f"curl '{HOST}/v1/companies/toyota-motor/partners?top_k=500'",
    "error-unknown-parameter": f"curl '{HOST}/v1/companies/toyota-motor/partners?topk=3'",
    "error-sector": f"curl '{HOST}/v1/companies/toyota-motor/partners?sector=cybr'",
    "error-company": f"curl {HOST}/v1/companies/nope",
    "error-path": f"curl {HOST}/nope",
    "error-method": f"curl -X DELETE {HOST}/v1/model",
    "error-media-type": f"curl -X POST {HOST}/v1/match -d x",
    "error-json": f"curl -X POST {HOST}/v1/match {JSON} -d '{{\"profile\": '",
    "error-body": (
        f"curl -X POST {HOST}/v1/match {JSON}"
        ' -d \'{"profile": {"sectors": ["robotics"], "website": "x.jp"}}\''
    ),
    "error-profile": (
        f'curl -X POST {HOST}/v1/match {JSON} -d \'{{"profile": {{"sectors": ["robotix"]}}}}\''
    ),
    "error-unauthorized": f"curl -X POST {HOST}/v1/admin/reload",
    "error-forbidden": f"curl -X POST {HOST}/v1/admin/reload -H 'Authorization: Bearer nope'",
}


@dataclass(frozen=True)
class Request:
    """What a curl command sends."""

    method: str
    path: str  # with its query string
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass(frozen=True)
class Example:
    """One documented example as it stands in docs/api.md."""

    name: str
    command: str
    status: int
    response: object  # the parsed JSON


def parse_curl(command: str) -> Request:
    """The request of a `curl` command line (the options the examples use: -X, -H, -d)."""
    words = shlex.split(command.replace("\\\n", " "), comments=True)
    if not words or words[0] != "curl":
        raise ValueError(f"not a curl command: {command!r}")
    method, url, headers, body = None, None, {}, None
    options = iter(words[1:])
    for word in options:
        if word == "-X":
            method = next(options)
        elif word == "-H":
            name, _, value = next(options).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = next(options)
        elif word.startswith("-"):
            raise ValueError(f"unsupported curl option {word!r}")
        else:
            url = word
    if url is None:
        raise ValueError(f"no URL in {command!r}")
    if body is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")  # as curl does
    parts = urlsplit(url if "//" in url else f"http://{url}")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return Request(method or ("POST" if body is not None else "GET"), path, headers, body)


def split_block(body: str) -> tuple[str, str]:
    """The curl command and the JSON output of a block's ```sh fence."""
    lines = body.split("```sh\n", 1)[1].split("\n```", 1)[0].splitlines()
    if not lines or not lines[0].startswith("$ "):
        raise ValueError("an example block starts with `$ curl ...`")
    command = [lines[0][2:]]
    rest = lines[1:]
    while not _complete(command) and rest:
        command.append(rest.pop(0))
    return "\n".join(command), "\n".join(rest)


def _complete(lines: list[str]) -> bool:
    text = "\n".join(lines)
    if text.endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:  # an open quote: the command goes on
        return False
    return True


def read_examples(text: str) -> list[Example]:
    """Every example block of a document, in order."""
    examples = []
    for block in BLOCK.finditer(text):
        command, output = split_block(block["body"])
        status = re.search(r"^<!-- example: \S+ \S+ \S+ (\d{3}) -->", block[0])
        if status is None:
            raise ValueError(f"example {block['name']}: its marker has no status")
        examples.append(Example(block["name"], command, int(status[1]), json.loads(output)))
    return examples


def replay(client, command: str):
    """Send a curl command's request through a Flask test client; the response."""
    request = parse_curl(command)
    return client.open(
        request.path, method=request.method, headers=request.headers, data=request.body
    )


def trim(value: object, path: str, cuts: dict[str, tuple[int, int]]) -> object:
    """The value with long lists cut to their first items; `cuts` records what was cut."""
    if isinstance(value, dict):
        return {k: trim(v, f"{path}.{k}" if path else k, cuts) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    keep = KEEP_OBJECTS if any(isinstance(v, dict | list) for v in value) else KEEP_SCALARS
    if len(value) > keep:
        kept, longest = cuts.get(path, (keep, 0))
        cuts[path] = (kept, max(longest, len(value)))
    return [trim(v, f"{path}[]", cuts) for v in value[:keep]]


def render(value: object, indent: int = 0, column: int | None = None) -> str:
    """JSON laid out for reading: on one line when it fits, else wrapped or one member per line.

    `indent` is the nesting indentation, `column` where the value starts on its line.
    """
    column = indent if column is None else column
    flat = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if column + len(flat) <= WIDTH or not isinstance(value, dict | list) or not value:
        return flat
    members = value.values() if isinstance(value, dict) else value
    if all(not isinstance(v, dict | list) for v in members):
        return _packed(value, column)
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        lines = []
        for key, member in value.items():
            head = f"{pad}{_dumps(key)}: "
            lines.append(head + render(member, indent + 2, len(head)))
        return "{\n" + ",\n".join(lines) + "\n" + " " * indent + "}"
    items = [pad + render(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _packed(value: dict | list, column: int) -> str:
    """A flat list or dict wrapped over several lines, aligned after its bracket."""
    if isinstance(value, dict):
        texts, brackets = [f"{_dumps(k)}: {_dumps(v)}" for k, v in value.items()], "{}"
    else:
        texts, brackets = [_dumps(v) for v in value], "[]"
    lines, line = [], ""
    for text in texts:
        if line and column + 1 + len(line) + len(text) + 3 > WIDTH:
            lines.append(line + ",")
            line = ""
        line = f"{line}, {text}" if line else text
    lines.append(line)
    joined = ("\n" + " " * (column + 1)).join(lines)
    return f"{brackets[0]}{joined}{brackets[1]}"


def block(name: str, command: str, response) -> str:
    """The text between and including the markers of one example."""
    request = parse_curl(command)
    status = response.status_code
    cuts: dict[str, tuple[int, int]] = {}
    shown = render(trim(response.get_json(), "", cuts))
    comment = "" if status == 200 else f"   # {status} {HTTPStatus(status).phrase}"
    lines = [
        f"<!-- example: {name} {request.method} {request.path} {status} -->",
        "```sh",
        f"$ {command}{comment}",
        shown,
        "```",
    ]
    if cuts:
        listed = ", ".join(
            f"`{path or 'the list'}` to {kept} of {'up to ' if '[]' in path else ''}{longest}"
            for path, (kept, longest) in cuts.items()
        )
        lines.append(f"\nLists cut for this page: {listed}.")
    return "\n".join([*lines, "<!-- /example -->"])


def generate(text: str, client) -> str:
    """The document with every example block replaced by a fresh run of its command."""
    names = [m["name"] for m in BLOCK.finditer(text)]
    unknown = sorted(set(names) - set(EXAMPLES))
    missing = sorted(set(EXAMPLES) - set(names))
    if unknown or missing:
        raise SystemExit(f"docs/api.md: unknown examples {unknown}, examples not placed {missing}")

    def fresh(match: re.Match) -> str:
        command = EXAMPLES[match["name"]]
        return block(match["name"], command, replay(client, command))

    return BLOCK.sub(fresh, text)


def stable(text: str) -> str:
    """The text with the values that change on every training run masked."""
    for pattern in VOLATILE:
        text = pattern.sub("…", text)
    return text


def served_client(models_dir: Path):
    """A test client of the app serving a model trained on the bundled data."""
    inputs = load_inputs(ROOT / "data" / "companies.csv", ROOT / "data" / "partnerships.csv")
    train(inputs, models_dir)
    app = create_app({"MODEL_DIR": str(models_dir), "ADMIN_TOKEN": ADMIN_TOKEN})
    return app.test_client()


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/api.md (or, with --check, say whether it is out of date)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    args = parser.parse_args(argv)
    old = API_MD.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="kakehashi-docs-") as models_dir:
        new = generate(old, served_client(Path(models_dir)))
    if stable(new) == stable(old):
        print("docs/api.md: examples up to date")
        return 0
    if args.check:
        print("docs/api.md: examples out of date; run .venv/bin/python docs/examples.py")
        return 1
    API_MD.write_text(new, encoding="utf-8")
    print(f"docs/api.md: {len(EXAMPLES)} examples rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
