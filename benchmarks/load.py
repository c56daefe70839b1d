"""Load on a real `otklik serve`: concurrent clients submit, list and approve for a while.

    python benchmarks/load.py [--clients 50] [--seconds 60] [--json]
    python benchmarks/load.py --url http://127.0.0.1:8000 --key otk_… [--pid 1234]

Without --url the script makes a temporary data directory, ingests the demo brands, creates
an operator key for obed-express and kedr-bank with `otklik keys create`, and starts
`otklik serve` on a free port of 127.0.0.1 (offline backend). Each client then loops until
the time is up: submit a new mention (its own external id, a realistic Russian complaint,
question or praise), list the inbox with random filters, or approve a drafted mention that
some client submitted. Requests in flight when the time is up are let finish.

Afterwards every mention whose submission got a 2xx must be in the inbox (none lost); a
submission that timed out on the client side is looked up too (stored or not). The report
gives requests per second, p50/p95/p99 latency per kind and overall, errors by status and
the server's peak RSS (VmHWM from /proc). The exit status is 1 on any error or lost mention.

The service runs the pipeline under one lock (the offline pipeline drafts about 25 mentions
a second on two cores), so 50 clients queue: latencies are those of a queue, and the client
timeout is generous.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.serving import Server, otklik  # noqa: E402  # the tests' own harness for a real `otklik serve`

BRANDS = ("obed-express", "kedr-bank")
PLATFORMS = ("vk", "telegram", "otzovik", "yandex_maps")
TIMEOUT_S = 180.0  # a request waits in the pipeline's queue behind every other client's
NAMES = ("Ирина", "Алексей С.", "Мария Петрова", "Дмитрий К.", "Ольга", "Тимур", "Екатерина В.", "Павел")
DISHES = ("борщ", "суп", "плов", "пицца", "роллы", "бургер", "салат")
TEMPLATES = {
    "obed-express": (
        "Заказ №{n} привезли через {m} минут вместо сорока, {dish} совсем холодный. Верните деньги за доставку!",
        "Подскажите, можно ли изменить адрес в заказе №{n}? Курьер ещё не выехал, а я уже на работе.",
        "Спасибо за заказ №{n}: {dish} горячий, курьер приехал за {m} минут и был очень вежлив!",
        "Второй раз за неделю в заказе №{n} не хватает блюда — {dish} так и не положили. Сколько можно?",
    ),
    "kedr-bank": (
        "Перевод на {m}000 рублей висит уже третий день, номер заявки {n}. Когда деньги дойдут?",
        "Как закрыть вклад досрочно? Заявка {n}, в отделении на Ленина сказали звонить на горячую линию.",
        "Спасибо сотруднице отделения на Мира: за {m} минут оформила карту по заявке {n}, всё объяснила.",
        "Списали комиссию {m}0 рублей по заявке {n}, хотя тариф бесплатный. Верните, пожалуйста.",
    ),
}
MIX = (("submit", 0.5), ("list", 0.35), ("approve", 0.15))


# --- the server ------------------------------------------------------------------------------


def prepare(data_dir: Path) -> str:
    """Ingest the demo brands and create an operator key for both; the key."""
    otklik(data_dir, "ingest", str(REPO_ROOT / "knowledge" / "brands"))
    brands = [arg for brand in BRANDS for arg in ("--brand", brand)]
    return otklik(data_dir, "keys", "create", "--role", "operator", *brands, "--label", "load").strip()


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MiB; None without /proc or the process."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return int(line.split()[1]) / 1024 if line else None


# --- the clients -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str  # submit | list | approve
    status: int  # the HTTP status; 0 for a client-side timeout or transport error
    seconds: float


@dataclass
class Run:
    """What the clients did: every request's outcome, and the external ids they submitted."""

    samples: list[Sample] = field(default_factory=list)
    stored: set[str] = field(default_factory=set)  # submissions answered with a 2xx
    timed_out: set[str] = field(default_factory=set)  # submissions without an answer
    drafted: list[str] = field(default_factory=list)  # mention ids waiting for an approval
    seconds: float = 0.0


def mention_body(rng: random.Random, run_id: str, client: int, serial: int) -> dict[str, object]:
    """A new mention: its own external id, a template of its brand with varied details."""
    brand = rng.choice(BRANDS)
    text = rng.choice(TEMPLATES[brand]).format(
        n=rng.randint(10_000, 99_999), m=rng.randint(15, 95), dish=rng.choice(DISHES)
    )
    return {
        "brand": brand,
        "platform": rng.choice(PLATFORMS),
        "external_id": f"load-{run_id}-{client}-{serial}",
        "author_name": rng.choice(NAMES),
        "text": text,
    }


def inbox_filters(rng: random.Random) -> dict[str, str | int]:
    """A random inbox query, as an operator would filter it."""
    options = {
        "brand": rng.choice(BRANDS),
        "sentiment": rng.choice(("negative", "positive", "neutral")),
        "status": rng.choice(("drafted", "approved", "pending")),
        "platform": rng.choice(PLATFORMS),
    }
    chosen: dict[str, str | int] = {k: v for k, v in options.items() if rng.random() < 0.4}
    return chosen | {"limit": rng.choice((20, 50))}


async def timed(run: Run, kind: str, request: Awaitable[httpx.Response]) -> httpx.Response | None:
    """Await the request and record its outcome; None if it got no answer."""
    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError:
        run.samples.append(Sample(kind, 0, time.perf_counter() - started))
        return None
    run.samples.append(Sample(kind, response.status_code, time.perf_counter() - started))
    return response


async def submit(http: httpx.AsyncClient, run: Run, body: dict[str, object]) -> None:
    response = await timed(run, "submit", http.post("/mentions", json=body))
    external_id = str(body["external_id"])
    if response is None:
        run.timed_out.add(external_id)
    elif response.is_success:
        run.stored.add(external_id)
        if response.json()["status"] == "drafted":
            run.drafted.append(response.json()["id"])


async def client_loop(http: httpx.AsyncClient, run: Run, client: int, run_id: str, until: float) -> None:
    """One client: a weighted random mix of submit, list and approve until the time is up."""
    rng = random.Random(f"{run_id}-{client}")
    kinds, weights = zip(*MIX, strict=True)
    serial = 0
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        if kind == "approve" and run.drafted:
            await timed(run, "approve", http.post(f"/mentions/{run.drafted.pop()}/approve"))
        elif kind == "list":
            await timed(run, "list", http.get("/mentions", params=inbox_filters(rng)))
        else:
            serial += 1
            await submit(http, run, mention_body(rng, run_id, client, serial))


async def drive(url: str, key: str, clients: int, seconds: float, run_id: str | None = None) -> Run:
    """`clients` concurrent clients for `seconds` against the service at `url`."""
    run_id = run_id or datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    run = Run()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=TIMEOUT_S, limits=limits) as http:
        # one draft before the clock starts: the first loads the models, which is start-up, not load
        await submit(http, Run(), mention_body(random.Random(run_id), run_id, client=-1, serial=0))
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(*(client_loop(http, run, n, run_id, until) for n in range(clients)))
        run.seconds = time.monotonic() - started
    return run


# --- afterwards ------------------------------------------------------------------------------


def stored_external_ids(url: str, key: str) -> set[str]:
    """Every external id in the inbox this key sees, page by page."""
    found: set[str] = set()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT_S) as http:
        offset, total = 0, 1
        while offset < total:
            response = http.get("/mentions", params={"limit": 200, "offset": offset})
            response.raise_for_status()
            page = response.json()
            found |= {m["mention"]["external_id"] for m in page["data"]}
            offset, total = offset + len(page["data"]) or total, page["count"]
    return found


@dataclass
class Report:
    command: str
    date: str
    clients: int
    seconds: float
    requests: int
    requests_per_second: float
    latency_ms: dict[str, dict[str, float]]  # per kind and "all": count, p50, p95, p99, max
    errors: dict[str, int]  # "kind status": how many
    submitted: int
    lost: int
    timed_out_submissions: int
    timed_out_stored: int
    peak_rss_mb: float | None

    @property
    def ok(self) -> bool:
        return not self.errors and self.lost == 0


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"count": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": at(1.0)}


def report(run: Run, stored: set[str], clients: int, peak: float | None) -> Report:
    """The figures of a run, given the external ids found in the database afterwards."""
    by_kind: dict[str, list[float]] = {}
    for sample in run.samples:
        by_kind.setdefault(sample.kind, []).append(sample.seconds)
    latency = {kind: percentiles(values) for kind, values in sorted(by_kind.items())}
    latency["all"] = percentiles([s.seconds for s in run.samples])
    errors = Counter(f"{s.kind} {s.status or 'timeout'}" for s in run.samples if not 200 <= s.status < 300)
    return Report(
        command=shlex.join([Path(sys.executable).name, *sys.argv]),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        clients=clients,
        seconds=round(run.seconds, 1),
        requests=len(run.samples),
        requests_per_second=round(len(run.samples) / run.seconds, 1),
        latency_ms=latency,
        errors=dict(sorted(errors.items())),
        submitted=len(run.stored),
        lost=len(run.stored - stored),
        timed_out_submissions=len(run.timed_out),
        timed_out_stored=len(run.timed_out & stored),
        peak_rss_mb=round(peak, 1) if peak is not None else None,
    )


def print_report(figures: Report) -> None:
    print(f"command:   {figures.command}")
    print(f"date:      {figures.date}")
    print(f"clients:   {figures.clients} for {figures.seconds} s (in-flight requests finished)")
    print(f"requests:  {figures.requests}, {figures.requests_per_second} per second")
    for kind, row in figures.latency_ms.items():
        print(
            f"  {kind:<8} {row['count']:>6.0f}  p50 {row['p50']:>8.1f} ms  p95 {row['p95']:>8.1f} ms"
            f"  p99 {row['p99']:>8.1f} ms  max {row['max']:>8.1f} ms"
        )
    print(f"errors:    {figures.errors or 0}")
    print(f"mentions:  {figures.submitted} submitted with a 2xx, {figures.lost} lost")
    print(
        f"timeouts:  {figures.timed_out_submissions} submissions unanswered, {figures.timed_out_stored} of them stored"
    )
    peak = f"{figures.peak_rss_mb:.0f} MiB (VmHWM)" if figures.peak_rss_mb is not None else "unknown (no --pid)"
    print(f"peak RSS:  {peak}")


def measure(url: str, key: str, clients: int, seconds: float, pid: int | None) -> Report:
    """Drive the service, then check that nothing was lost and read its peak memory."""
    run = asyncio.run(drive(url, key, clients, seconds))
    peak = peak_rss_mb(pid) if pid else None
    return report(run, stored_external_ids(url, key), clients, peak)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default: 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they send requests (default: 60)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--url", help="a running service (else one is started over a temporary data dir)")
    parser.add_argument("--key", help="with --url: an operator key covering obed-express and kedr-bank")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for its peak memory")
    args = parser.parse_args()
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients and --seconds must be positive")
    if args.url and not args.key:
        parser.error("--url needs --key")
    if args.url:
        figures = measure(args.url, args.key, args.clients, args.seconds, args.pid)
    else:
        with tempfile.TemporaryDirectory(prefix="otklik-load-") as tmp:
            key = prepare(Path(tmp))
            server = Server(Path(tmp))  # `otklik serve` on a free port, as the tests run it
            try:
                figures = measure(server.url, key, args.clients, args.seconds, server.process.pid)
            finally:
                server.stop()
    if args.json:
        print(json.dumps(asdict(figures), ensure_ascii=False, indent=2))
    else:
        print_report(figures)
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
