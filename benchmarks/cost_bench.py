"""Bounded cost per request: the most expensive valid requests against a typical one.

usage: python -m benchmarks.cost_bench --models-dir DIR [--repeat 5]

In process (Flask's test client), so the figures are the request's own CPU cost, not the network's.
Each call of a request alternates with a call of the typical one, and its ratio is the median of
its calls over the median of those typical calls: both are timed in the same phase of a machine
whose speed drifts.
Each expensive body fills one capped field to its cap (service/match_schemas.py, PROFILE_LIMITS)
with text drawn from the model's own firms; "everything at its cap" fills them all and asks for
100 results with diversity. A Japanese-language profile (description and interests at their caps, a
Japanese character counting as three, from data/eval/japanese_firms_ja.csv) is timed three ways: as
sent again (the process's caches of Japanese runs, JMdict glosses and stems already hold its
words), with those caches emptied before each call (every word new to the process), and so with
top_k 100 and diversity 1 (the worst case). Every /v1/match call is ranked: the model's cache
of answers to profiles sent before is emptied before each one. The
/partners rows ask for another firm at each call (Japanese and Israeli in turn), so none is
answered from the model's cache of rankings: what a firm's first request costs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from flask.testing import FlaskClient

from benchmarks.tables import percentile, table
from kakehashi import japanese, jmdict, tokens
from kakehashi.japanese import JAPANESE_WEIGHT, analysed_length
from kakehashi.lru import caches_of
from kakehashi.readers import read_table
from kakehashi.registry import load_promoted
from service import create_app
from service.match_schemas import PROFILE_LIMITS

MATCH = "/v1/match"
ROOT = Path(__file__).resolve().parent.parent
JAPANESE_LIST = ROOT / "data/eval/japanese_firms_ja.csv"


def filled(texts: Sequence[str], limit: int) -> str:
    """The texts joined and repeated up to `limit` characters."""
    joined = " ".join(texts) or "robot"
    return (joined * (limit // len(joined) + 1))[:limit]


def bodies(models_dir: Path) -> list[tuple[str, dict]]:
    """(label, body): a typical request, then the expensive valid ones."""
    companies = load_promoted(models_dir).model.companies()
    japanese = [c.description for c in companies if c.country == "JP" and c.description]
    english = [c.description for c in companies if c.country == "IL" and c.description]
    sectors = sorted({s for c in companies for s in c.sectors})[: PROFILE_LIMITS["sectors"]]
    first = next(c for c in companies if c.country == "JP")
    typical = {"profile": {"sectors": list(first.sectors), "description": first.description}}
    longest = {
        "description": filled(japanese[::-1], PROFILE_LIMITS["description"]),
        "interests": filled(english, PROFILE_LIMITS["interests"]),
        "tags": [filled(english[n:], PROFILE_LIMITS["tag"]) for n in range(PROFILE_LIMITS["tags"])],
        "sectors": sectors,
    }
    found = [("typical (one firm's sectors and description, top 10)", typical)]
    found.append(("top_k 100, diversity 1", {**typical, "top_k": 100, "diversity": 1.0}))
    found.append(
        (
            "a Japanese firm's English description at its cap",
            {"profile": {"description": longest["description"]}},
        )
    )
    found.append(("interests at the cap", {"profile": {"interests": longest["interests"]}}))
    tags = f"{PROFILE_LIMITS['tags']} tags of {PROFILE_LIMITS['tag']} characters"
    found.append((tags, {"profile": {"tags": longest["tags"]}}))
    found.append(
        ("everything at its cap, top_k 100", {"profile": longest, "top_k": 100, "diversity": 1.0})
    )
    return found


def japanese_body() -> dict:
    """A profile written in Japanese, its description and interests filled to their caps."""
    rows = [row for _, row in read_table(JAPANESE_LIST).rows]
    descriptions = [str(r["description"]) for r in rows if r.get("description")]
    interests = [str(r["interests"]) for r in rows if r.get("interests")]
    profile = {
        "description": within(filled(descriptions, PROFILE_LIMITS["description"]), "description"),
        "interests": within(filled(interests[::-1], PROFILE_LIMITS["interests"]), "interests"),
    }
    return {"profile": profile}


def within(text: str, field: str) -> str:
    """The longest start of a text within a field's cap, a Japanese character counting as
    JAPANESE_WEIGHT (each cut takes no more characters than the excess needs)."""
    while analysed_length(text) > PROFILE_LIMITS[field]:
        excess = analysed_length(text) - PROFILE_LIMITS[field]
        text = text[: len(text) - (excess + JAPANESE_WEIGHT - 1) // JAPANESE_WEIGHT]
    return text


def forget_words() -> None:
    """Empty the process's caches of Japanese runs, JMdict glosses and stems."""
    for cache in (japanese._glossed_run, jmdict.word_glosses, tokens.stem):
        cache.cache_clear()


def forget_answers(client: FlaskClient) -> None:
    """Empty the served model's cache of ad-hoc profiles' answers (each call is then ranked)."""
    caches_of(client.application.extensions["kakehashi"].require().model).profiles.clear()


def post(client: FlaskClient, body: dict) -> object:
    """POST /v1/match with `body`, not answered from the cache of profiles sent before."""
    forget_answers(client)
    return client.post(MATCH, json=body)


def partners_urls(models_dir: Path, query: str) -> list[str]:
    """/partners of every firm, Japanese and Israeli in turn, so that no call is a cached one."""
    companies = load_promoted(models_dir).model.companies()
    japanese = [c.id for c in companies if c.country == "JP"]
    israeli = [c.id for c in companies if c.country == "IL"]
    turns = [i for pair in zip(japanese, israeli, strict=False) for i in pair]
    return [f"/v1/companies/{i}/partners?{query}" for i in turns]


def requests(models_dir: Path) -> list[tuple[str, Callable[[FlaskClient, int], object]]]:
    """(label, call n): the /v1/match bodies, then /partners of another firm at each call."""
    found = [
        (f"POST /v1/match: {label}", lambda client, n, body=body: post(client, body))
        for label, body in bodies(models_dir)
    ]
    body = japanese_body()
    label = "POST /v1/match: Japanese-language description and interests at their caps"
    found.append((f"{label}, sent again", lambda client, n: post(client, body)))
    found.append(
        (
            f"{label}, every word new to the process",
            lambda client, n: forget_words() or post(client, body),
        )
    )
    widest = {**body, "top_k": 100, "diversity": 1.0}
    found.append(
        (
            f"{label}, top_k 100, diversity 1, every word new",
            lambda client, n: forget_words() or post(client, widest),
        )
    )
    for start, label, query in (
        (0, "top 10", ""),
        (1, "top_k 100, diversity 1", "top_k=100&diversity=1"),
    ):
        urls = partners_urls(models_dir, query)
        urls = urls[start * len(urls) // 2 :] + urls[: start * len(urls) // 2]  # other firms
        found.append(
            (
                f"GET /partners, {label}, another firm each call",
                lambda client, n, urls=urls: client.get(urls[n % len(urls)]),
            )
        )
    return found


def timed(call: Callable[[FlaskClient, int], object], client: FlaskClient, n: int) -> float:
    """Milliseconds of one call."""
    started = time.perf_counter()
    call(client, n)
    return (time.perf_counter() - started) * 1000


def main(argv: Sequence[str] | None = None) -> None:
    """Time each request and print it against the typical one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    client = create_app({"MODEL_DIR": str(args.models_dir)}).test_client()
    found = requests(args.models_dir)
    typical, rows = found[0][1], []
    for label, call in found:
        response = call(client, 0)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {response.status_code} {response.json}")
        times, base = [], []
        for n in range(1, args.repeat + 1):  # alternating with the typical request
            base.append(timed(typical, client, n))
            times.append(timed(call, client, n))
        p50, ratio = statistics.median(times), statistics.median(times) / statistics.median(base)
        rows.append([label, f"{p50:.1f}", f"{percentile(times, 99):.1f}", f"{ratio:.1f}x"])
    header = ["request", "p50 ms", "p99 ms", "vs typical"]
    print(table(f"Bounded cost per request ({args.repeat} calls each, in process)", header, rows))


if __name__ == "__main__":
    main()
