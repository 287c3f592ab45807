"""Load on `doclinks serve`: requests/s and p50/p95/p99 latency of search, idle and while an ingest writes,
and a search through the service against `doclinks search` as a command.

    python benchmarks/serve.py                        # 20,000 chunks, 400 searches per level, 1/8/32 clients
    python benchmarks/serve.py --n 5000 --requests 200

Bounded and local: the server is started on a free 127.0.0.1 port and stopped at the end; every level sends
exactly `--requests` searches (traversal, k=4, depth 1, over `QUERIES` in turn) with 1, 8 and 32 concurrent
clients (asyncio + httpx, keep-alive); the concurrent ingest posts `--ingest-batch` new texts at a time, with the
NER model, until the level's searches are done (at most `--max-ingests` batches per level).

The store: `--n` chunks of template sentences ("Anna Smith visited Paris with Omar Okafor ."), their links
drawn from 2,000 people, 300 places and 100 organisations (the entity tags an ingest would give such
sentences, without running NER over 20,000 chunks on a 2-core machine), embedded by the default embedder
(all-MiniLM-L6-v2), built once into `--work-dir` and reused. Searches embed their query with the same model.
The server runs with its defaults (2 worker threads, one torch thread each); the clients share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIRST = ["Anna", "John", "Maria", "Omar", "Li", "Elena", "Pierre", "Aiko", "Grace", "Carlos", "Fatima", "Ivan", "Priya",
         "Kwame", "Sofia", "Hans", "Mei", "David", "Amara", "Lucas", "Ingrid", "Ahmed", "Yuki", "Rosa", "Thomas",
         "Leila", "Marco", "Nadia", "Samuel", "Chloe", "Raj", "Olga", "Diego", "Hannah", "Kenji", "Zara", "Edward",
         "Margaret", "Oscar", "Beatrice"]  # fmt: skip
LAST = ["Smith", "Garcia", "Wang", "Okafor", "Rossi", "Tanaka", "Hopper", "Mendes", "Khan", "Petrov", "Sharma", "Mensah",
        "Lopez", "Schmidt", "Chen", "Cohen", "Adeyemi", "Silva", "Larsen", "Haddad", "Yamamoto", "Moreau", "Novak",
        "Brown", "Kim", "Dubois", "Jensen", "Nakamura", "Fischer", "Costa", "Babbage", "Whitfield", "Kowalczyk",
        "Fitzgerald", "Lindqvist", "Okonkwo", "Castellanos", "Darwin", "Pemberton", "Abernathy", "Moretti",
        "Vasquez", "Ferreira", "Kaminski", "Hargreaves", "Bianchi", "Oyelaran", "Sato", "Nightingale", "Blackwood"]  # fmt: skip
TEMPLATES = ["{p} visited {c} with {q} .", "{p} works for {o} in {c} .", "{o} opened an office in {c} ; {p} leads it .",
             "In {c} , {p} met {q} .", "{p} and {q} founded {o} ."]  # fmt: skip
QUERIES = ["Who visited Paris?", "Where does Anna Smith work?", "Which company opened an office in Tokyo?",
           "Who met Omar Okafor in Berlin?", "Who founded a company with Grace Hopper?", "What happened in Lagos?",
           "Who leads the office in Oslo?", "Where did Hiroshi Tanaka go?"]  # fmt: skip


def corpus(n: int, seed: int = 7) -> list[dict]:
    """`n` template sentences with the entity links an ingest would give them."""
    rng = random.Random(seed)
    people = [f"{f} {l}" for f in FIRST for l in LAST][:2000]
    places = [f"City{i:03d}" for i in range(300)]
    orgs = [f"Company{i:03d}" for i in range(100)]
    out = []
    for i in range(n):
        p, q = rng.sample(people, 2)
        c, o = rng.choice(places), rng.choice(orgs)
        text = rng.choice(TEMPLATES).format(p=p, q=q, c=c, o=o)
        links = [("entity:person", x) for x in (p, q) if x in text] + [("entity:location", c)] * (c in text)
        links += [("entity:organization", o)] * (o in text)
        out.append({"id": f"bench-{i}", "text": text, "links": links})
    return out


def build_store(path: Path, n: int) -> None:
    """The benchmark store: `corpus(n)` embedded by the default embedder (built once)."""
    from doclinks.document import Document
    from doclinks.links import Link
    from doclinks.store import SQLiteGraphStore

    start = time.perf_counter()
    tmp = path.with_suffix(".building")
    for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        p.unlink(missing_ok=True)
    with SQLiteGraphStore(tmp) as store:
        docs = corpus(n)
        for i in range(0, n, 1000):
            store.add_documents([Document(d["text"], {"source": "bench", "links": [Link.bidir(k, t) for k, t in d["links"]]},
                                          id=d["id"]) for d in docs[i : i + 1000]])  # fmt: skip
            print(f"  built {min(i + 1000, n):,} / {n:,} chunks ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    tmp.rename(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def load(url: str, clients: int, requests: int, token: str, ingest: bool, batch: int, max_ingests: int) -> dict:
    """`requests` traversal searches from `clients` concurrent clients; with `ingest`, ingests meanwhile."""
    import httpx

    latencies: list[float] = []
    errors = 0
    next_request = 0
    done = asyncio.Event()
    ingests = {"batches": 0, "errors": 0, "seconds": []}

    async def client(http):
        nonlocal next_request, errors
        while next_request < requests:
            i = next_request
            next_request += 1
            start = time.perf_counter()
            r = await http.post(
                "/api/search", json={"query": QUERIES[i % len(QUERIES)], "mode": "traversal", "k": 4, "depth": 1}
            )
            latencies.append(time.perf_counter() - start)
            errors += r.status_code != 200

    async def writer(http):
        rng = random.Random(clients)
        while not done.is_set() and ingests["batches"] < max_ingests:
            texts = [f"{rng.choice(FIRST)} {rng.choice(LAST)} visited Paris with {rng.choice(FIRST)} {rng.choice(LAST)} . "
                     f"Load note {secrets.token_hex(4)} ." for _ in range(batch)]  # fmt: skip
            start = time.perf_counter()
            r = await http.post("/api/ingest", json={"labels": ["person", "location", "organization"], "texts": texts},
                                headers={"Authorization": f"Bearer {token}"}, timeout=600)  # fmt: skip
            ingests["seconds"].append(time.perf_counter() - start)
            ingests["batches"] += 1
            ingests["errors"] += r.status_code != 200

    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        writer_task = asyncio.create_task(writer(http)) if ingest else None
        if ingest:
            await asyncio.sleep(1.0)  # the first batch is being extracted and written
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - start
        done.set()
        if writer_task is not None:
            await writer_task
    ms = [x * 1000 for x in latencies]
    out = {"clients": clients, "requests": len(ms), "errors": errors, "rps": len(ms) / wall,
           "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99)}  # fmt: skip
    if ingest:
        out["ingest_batches"] = ingests["batches"]
        out["ingest_errors"] = ingests["errors"]
    return out


def cli_search_seconds(db: Path, runs: int) -> float:
    """Median wall time of `doclinks search` as a command (load, embed, search, print)."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "doclinks", "search", QUERIES[i % len(QUERIES)], "--db", str(db),
                               "--json"], capture_output=True, text=True, env=_env(), cwd=REPO)  # fmt: skip
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"doclinks search failed: {done.stderr}")
    return statistics.median(times)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="chunks in the store (default 20,000)")
    parser.add_argument("--requests", type=int, default=400, help="searches per level (default 400)")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients per level (default 1,8,32)")
    parser.add_argument("--ingest-batch", type=int, default=16, help="texts per ingest request (default 16)")
    parser.add_argument("--max-ingests", type=int, default=20, help="most ingest requests per level (default 20)")
    parser.add_argument("--cli-runs", type=int, default=3, help="runs of `doclinks search` (default 3)")
    parser.add_argument(
        "--work-dir",
        default=str(Path(tempfile.gettempdir()) / "doclinks-serve-bench"),
        help="where the store is built and kept (default: a folder in the temporary directory)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    import httpx

    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    base = work / f"store-{args.n}.db"
    if not base.exists():
        print(f"building a {args.n:,}-chunk store in {base} (once)", file=sys.stderr)
        build_store(base, args.n)
    db = work / "serve-run.db"  # a copy: the ingest writes to it
    for p in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        p.unlink(missing_ok=True)
    shutil.copy(base, db)
    token = secrets.token_hex(16)
    (work / "token").write_text(token)
    port = free_port()
    log = (work / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "doclinks", "serve", "--db", str(db), "--port", str(port),
                               "--allow-ingest", "--token-file", str(work / "token")], env=_env(), cwd=REPO,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    figures: dict = {"chunks": args.n, "requests_per_level": args.requests, "levels": []}
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(url + "/api/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; see {work / 'serve.log'}")
            time.sleep(0.5)
        asyncio.run(load(url, 2, 20, token, False, 0, 0))  # warm up
        for clients in [int(x) for x in args.clients.split(",")]:
            for ingest in (False, True):
                level = asyncio.run(
                    load(url, clients, args.requests, token, ingest, args.ingest_batch, args.max_ingests)
                )
                level["during_ingest"] = ingest
                figures["levels"].append(level)
                print(json.dumps(level), file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    figures["cli_search_s"] = cli_search_seconds(db, args.cli_runs)
    one = next(lv for lv in figures["levels"] if lv["clients"] == 1 and not lv["during_ingest"])
    figures["service_p50_1_client_ms"] = one["p50_ms"]
    figures["cli_over_service"] = figures["cli_search_s"] * 1000 / one["p50_ms"]
    print(f"\n{args.n:,} chunks, traversal search (k=4, depth 1), {args.requests} requests per level")
    print(
        f"{'clients':>7} {'ingest':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'p95 / idle':>10}"
    )
    idle = {lv["clients"]: lv["p95_ms"] for lv in figures["levels"] if not lv["during_ingest"]}
    for lv in figures["levels"]:
        ratio = lv["p95_ms"] / idle[lv["clients"]]
        ing = f"{lv.get('ingest_batches', 0)} batches" if lv["during_ingest"] else "no"
        print(f"{lv['clients']:>7} {ing:>7} {lv['rps']:>7.1f} {lv['p50_ms']:>8.1f} {lv['p95_ms']:>8.1f} {lv['p99_ms']:>8.1f} "
              f"{lv['errors'] + lv.get('ingest_errors', 0):>6} {ratio:>10.2f}")  # fmt: skip
    print(
        f"`doclinks search` as a command: {figures['cli_search_s']:.2f} s (median of {args.cli_runs}); through the "
        f"service (1 client, p50): {one['p50_ms']:.1f} ms: {figures['cli_over_service']:.0f}x faster"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
