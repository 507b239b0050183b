"""Load benchmark of the live control room: intake + advice + assignment at 100 concurrent
clients against ``korps serve`` on PostgreSQL, loopback only, bounded in time and count.

Run: ``.venv/bin/python benchmarks/controlroom_load.py`` with ``KORPS_BENCH_DATABASE_URL``
(or ``KORPS_TEST_DATABASE_URL``) pointing at a PostgreSQL database; the benchmark works in
a schema of its own in it and drops it afterwards. Options: ``--clients 100 --seconds 20
--incidents 6000 --workers 1 --rates 25,50,100,200`` (``--workers N``: ``korps serve
--workers N``; one run per offered rate against the same server, then a table of achieved
rate and latency; a rate of 0 is a closed loop, each client starting its next incident at
once).

Each client loops: register an incident (a fresh idempotency key; 1 in 20 is sent twice,
as a retry), ask the advice, assign the first candidate (on 409, because another client
took it a moment earlier, the next one), then free the unit again (``vrij``) so the pool of
units does not run dry. Printed: incidents/s, requests/s and p50/p95/p99 latency per kind of
request. Target (issue 5): p95 < 100 ms at 200 incidents/s.

Afterwards the database is reconciled with what the clients were told, by key sets, not
counts: every acknowledged intake's idempotency key is stored (none lost), every stored key
was sent by a client (nothing made up), no key is stored twice, every acknowledged
assignment is stored, and no unit's assignment periods overlap (over the whole run, not only
the assignments still open at the end). A release counts an incident as done only when it
was answered 200. A request that fails on the connection is sent again only when that is
safe: GETs, and intakes (the idempotency key makes a resend harmless); an assignment or a
status change whose answer was lost is counted as unknown and left to the reconciliation.
Exit code 1 when any of these checks fails, 0 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from korps.controlroom.models import Assignment, Incident, PatrolUnit
from korps.controlroom.seed import seed_units
from korps.db.migrate import upgrade_to_head
from korps.db.session import make_engine, session_factory
from korps.organisation.loader import bundled_names, load

PLACES = [
    ("Rotterdam", "rotterdam-d1-charlois"),
    ("Rotterdam", None),
    ("Dordrecht", None),
    ("Schiedam", None),
    ("Nissewaard", None),
    ("Capelle aan den IJssel", None),
    ("Hoeksche Waard", None),
    ("Gorinchem", None),
    ("Vlaardingen", None),
    ("Barendrecht", None),
]
CATEGORIES = ["overval", "woninginbraak-heterdaad", "burenruzie", "verkeersongeval-letsel"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.keys: set[str] = set()  # intakes acknowledged (201, or 200 for a resend)
        self.sent_keys: set[str] = set()  # every idempotency key a client sent
        self.assigned: set[tuple[int, str]] = set()  # (incident id, call sign) answered 201
        self.unknown = 0  # non-idempotent requests whose answer was lost: not resent
        self.failed_releases = 0
        self.bad_retries = 0  # resent intakes not answered 200 with the same incident
        self.incidents = 0
        self.retries = 0
        self.no_candidate = 0
        self.transport_errors = 0
        self.lateness: list[float] = []  # ms an incident started after its scheduled time
        self.total: list[float] = []  # ms from its scheduled time to its release

    async def call(
        self,
        client: aiohttp.ClientSession,
        kind: str,
        method: str,
        path: str,
        *,
        idempotent: bool | None = None,
        **kw: Any,
    ) -> tuple[int, Any]:
        """One request; returns its status and parsed JSON body (None when not JSON). On a
        connection error (e.g. a keep-alive connection just closed) it is sent once more
        only if ``idempotent`` (default: GET); otherwise the status is 0 (answer unknown)."""
        safe = method == "GET" if idempotent is None else idempotent
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                async with client.request(method, path, **kw) as response:
                    body = await response.json() if response.content_type.endswith("json") else None
                    status = response.status
                break
            except (TimeoutError, aiohttp.ClientConnectionError):
                # a lost answer (connection closed, or no answer in time): resent only when safe
                if not safe or attempt == 2:
                    self.unknown += 1
                    self.status[kind][0] += 1
                    return 0, None
                self.transport_errors += 1
                start = time.perf_counter()
        self.latency[kind].append((time.perf_counter() - start) * 1000)
        self.status[kind][status] += 1
        return status, body


async def one_incident(client: aiohttp.ClientSession, stats: Stats, rng: random.Random) -> None:
    """Intake (1 in 20 sent twice, as a retry), advice, assignment of the first candidate
    that is still free, and the release of that unit."""
    api = "/api/v1/controlroom"
    gemeente, basisteam = rng.choice(PLACES)
    key = uuid.uuid4().hex
    body = {
        "eenheid": "rotterdam",
        "channel": "112",
        "category": rng.choice(CATEGORIES),
        "gemeente": gemeente,
        "idempotency_key": key,
        **({"basisteam": basisteam} if basisteam else {}),
    }
    stats.sent_keys.add(key)
    intake = f"{api}/incidents"
    status, created = await stats.call(client, "intake", "POST", intake, idempotent=True, json=body)
    if status != 201:
        return
    stats.keys.add(key)
    number = created["id"]
    if rng.random() < 0.05:  # a retry of the same request must not make a second one
        again, first = await stats.call(
            client, "intake", "POST", intake, idempotent=True, json=body
        )
        stats.retries += 1
        if again != 200 or first is None or first["id"] != number:
            stats.bad_retries += 1  # a resend must return the same incident: the run fails
    status, advice = await stats.call(client, "advice", "GET", f"{api}/incidents/{number}/advice")
    if status != 200 or advice is None:
        return  # counted in the answers by status; a run with any such answer fails
    sent = None
    for candidate in advice["candidates"][:5]:
        status, _ = await stats.call(
            client,
            "assign",
            "POST",
            f"{api}/incidents/{number}/assignments",
            json={"unit": candidate["call_sign"]},
        )
        if status == 201:
            sent = candidate["call_sign"]
            stats.assigned.add((number, sent))
            break
        if status == 0:
            return  # the answer was lost: the reconciliation tells what happened
    if sent is None:
        stats.no_candidate += 1
        return
    status, _ = await stats.call(
        client, "release", "POST", f"{api}/units/{sent}/status", json={"status": "vrij"}
    )
    if status != 200:
        stats.failed_releases += 1
        return
    stats.incidents += 1


async def client_loop(
    client: aiohttp.ClientSession,
    stats: Stats,
    schedule: asyncio.Queue[float],
    seed: int,
    deadline: float,
) -> None:
    """One of the concurrent clients: takes the next scheduled incident (open loop: it waits
    for the incident's time) or, with no rate set, the next one at once (closed loop)."""
    rng = random.Random(seed)
    while True:
        due = await schedule.get()
        if due < 0 or time.perf_counter() > deadline:
            return
        due = due or time.perf_counter()
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        late = time.perf_counter() - due
        stats.lateness.append(max(late, 0.0) * 1000)
        await one_incident(client, stats, rng)
        stats.total.append((time.perf_counter() - due) * 1000)


async def drive(
    url: str, clients: int, seconds: float, incidents: int, rate: float, token: str
) -> tuple[Stats, float]:
    stats = Stats()
    connector = aiohttp.TCPConnector(limit=clients, limit_per_host=clients)
    timeout = aiohttp.ClientTimeout(total=15)  # an answer later than this counts as lost
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(
        url, connector=connector, timeout=timeout, headers=headers
    ) as client:
        # warm up: numba's compiled policy, the areas cache, the connection pools
        for _ in range(4):
            await stats.call(client, "warm-up", "GET", "/api/v1/controlroom/reference")
        stats.latency.pop("warm-up", None)
        stats.status.pop("warm-up", None)
        count = incidents if rate <= 0 else min(incidents, int(rate * seconds))
        start = time.perf_counter()
        schedule: asyncio.Queue[float] = asyncio.Queue()
        for k in range(count):
            schedule.put_nowait(start + k / rate if rate > 0 else 0.0)
        for _ in range(clients):
            schedule.put_nowait(-1.0)
        tasks = [
            client_loop(client, stats, schedule, seed, start + seconds) for seed in range(clients)
        ]
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return stats, elapsed


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(name: str | None = None, root: int | None = None) -> float:
    """CPU seconds (user + system) of the processes named ``name`` or of ``root`` and its
    children, read from /proc: a measure of work done that the machine's other load does
    not inflate the way it does latency."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(fields[1])
        if (name is not None and comm.startswith(name)) or (
            root is not None and root in (pid, ppid)
        ):
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def bench_token(session: Session) -> str:
    """A bearer token of a benchmark user who is centralist of Rotterdam (the API's access
    control applies to the load as to any client)."""
    from korps.identity.service import create_user, grant
    from korps.identity.tokens import create_api_token

    user = create_user(
        session, username="bench-centralist", name="Benchmark centralist", kind="medewerker"
    )
    scope = grant(
        session, username=user.username, role="centralist", unit="rotterdam", actor="bench"
    )
    value, _ = create_api_token(session, user=user, grant_id=scope.id, name="load", days=1)
    session.commit()
    return value


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KORPS_DATABASE_URL": database_url}
    bin_dir = Path(sys.executable).parent
    command = [
        str(bin_dir / "korps"), "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers),
    ]  # fmt: skip
    log = tempfile.NamedTemporaryFile(prefix="korps-serve-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("korps serve did not start")


@contextmanager
def bench_database() -> Iterator[tuple[str, str, Engine]]:
    """A schema of its own in the PostgreSQL database of ``KORPS_BENCH_DATABASE_URL`` (or
    ``KORPS_TEST_DATABASE_URL``), migrated and with the bundled datasets; dropped afterwards.
    Yields the schema's name, its URL and an engine on it."""
    base = os.environ.get("KORPS_BENCH_DATABASE_URL") or os.environ.get("KORPS_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        sys.exit("set KORPS_BENCH_DATABASE_URL to a PostgreSQL database (a schema is made in it)")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(schema_url(base, "public"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database_url = schema_url(base, schema)
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        with session_factory(engine)() as session:
            for name in bundled_names():
                load(session, name_or_path=name)
        yield schema, database_url, engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def served(database_url: str, workers: int) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``korps serve`` on ``database_url`` on a free loopback port, stopped afterwards."""
    port = free_port()
    process = start_server(database_url, port, workers)
    try:
        yield process, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="per rate, at most")
    parser.add_argument("--incidents", type=int, default=6000, help="at most this many")
    parser.add_argument("--units-per-basisteam", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--rates",
        default="25,50,100,200",
        help="incidents/s offered (open loop), one run of --seconds each, e.g. 50,100,200; "
        "0: closed loop (each client starts its next incident at once)",
    )
    args = parser.parse_args()
    failed = False
    with (
        bench_database() as (schema, database_url, engine),
        served(database_url, args.workers) as (process, port),
    ):
        with session_factory(engine)() as session:
            seed_units(session, eenheid="rotterdam", per_basisteam=args.units_per_basisteam)
            token = bench_token(session)
        server = f"korps serve --workers {args.workers}"
        print(
            f"{server} on 127.0.0.1:{port}, PostgreSQL schema {schema}; {args.clients} clients, "
            f"per offered rate at most {args.seconds:g} s or {args.incidents} incidents; "
            f"{17 * args.units_per_basisteam} units",
            flush=True,
        )
        acknowledged: set[str] = set()
        sent_keys: set[str] = set()
        assigned: set[tuple[int, str]] = set()
        retries = 0
        summary = []
        for rate in [float(r) for r in args.rates.split(",")]:
            print(f"\n-- offered: {f'{rate:g} incidents/s' if rate > 0 else 'closed loop'}")
            before = (cpu_seconds(root=process.pid), cpu_seconds("postgres"), time.process_time())
            stats, elapsed = asyncio.run(
                drive(
                    f"http://127.0.0.1:{port}",
                    args.clients,
                    args.seconds,
                    args.incidents,
                    rate,
                    token,
                )
            )
            after = (cpu_seconds(root=process.pid), cpu_seconds("postgres"), time.process_time())
            report(stats, elapsed)
            used = [b - a for a, b in zip(before, after, strict=True)]
            per = 1000 / max(stats.incidents, 1)
            print(
                f"  CPU per completed incident: server {used[0] * per:.1f} ms, PostgreSQL "
                f"{used[1] * per:.1f} ms, load client {used[2] * per:.1f} ms; all three used "
                f"{sum(used) / elapsed:.2f} of the machine's {os.cpu_count()} cores"
            )
            refused = {
                kind: n
                for kind, codes in stats.status.items()
                for code, n in codes.items()
                if code not in (200, 201, 409)
            }
            if stats.incidents == 0 or refused or stats.bad_retries or stats.unknown:
                print(
                    f"  FAILED: {stats.incidents} incidents done; unexpected answers {refused}; "
                    f"{stats.bad_retries} resent intakes not answered with their incident"
                )
                failed = True
            acknowledged |= stats.keys
            sent_keys |= stats.sent_keys
            assigned |= stats.assigned
            retries += stats.retries
            every = np.concatenate([np.asarray(v) for v in stats.latency.values()])
            summary.append((rate, stats.incidents / elapsed, *np.percentile(every, [50, 95, 99])))
        print("\noffered/s  done/s   p50 ms   p95 ms   p99 ms  (all requests; target p95 < 100 ms)")
        for rate, done, p50, p95, p99 in summary:
            offered = f"{rate:8g}" if rate > 0 else "  closed"
            print(f"{offered}  {done:6.1f}  {p50:7.1f}  {p95:7.1f}  {p99:7.1f}")
        with session_factory(engine)() as session:
            problems = reconcile(session, acknowledged, sent_keys, assigned, retries)
        if problems:
            print("RECONCILIATION FAILED:\n  " + "\n  ".join(problems))
            failed = True
    sys.exit(1 if failed else 0)


def reconcile(
    session: Session,
    acknowledged: set[str],
    sent_keys: set[str],
    assigned: set[tuple[int, str]],
    retries: int,
) -> list[str]:
    """The database against what the clients were told, by key sets; returns the problems
    (and prints what it checked)."""
    problems: list[str] = []
    rows = session.execute(select(Incident.id, Incident.idempotency_key)).all()
    stored = Counter(key for _, key in rows)
    keys = set(stored)
    lost = acknowledged - keys
    made_up = keys - sent_keys
    twice = {key for key, n in stored.items() if n > 1}
    print(
        f"database: {len(rows)} incidents, {len(keys)} distinct keys; {len(acknowledged)} "
        f"intakes acknowledged ({retries} resent with the same key), {len(sent_keys)} sent; "
        f"stored but never acknowledged (answer lost): {len(keys & sent_keys - acknowledged)}"
    )
    if lost:
        problems.append(f"{len(lost)} acknowledged intakes not stored, e.g. {sorted(lost)[:3]}")
    if made_up:
        problems.append(f"{len(made_up)} stored keys no client sent, e.g. {sorted(made_up)[:3]}")
    if twice:
        problems.append(f"{len(twice)} keys stored more than once, e.g. {sorted(twice)[:3]}")
    periods = session.execute(
        select(
            Assignment.incident_id,
            PatrolUnit.call_sign,
            Assignment.assigned_at,
            Assignment.released_at,
        )
        .join(PatrolUnit, PatrolUnit.id == Assignment.patrol_unit_id)
        .order_by(PatrolUnit.call_sign, Assignment.assigned_at, Assignment.id)
    ).all()
    missing = assigned - {(incident, unit) for incident, unit, _, _ in periods}
    if missing:
        problems.append(f"{len(missing)} acknowledged assignments not stored")
    overlaps = 0
    example = ""
    for before, after in itertools.pairwise(periods):
        if before.call_sign != after.call_sign:
            continue
        if before.released_at is None or after.assigned_at < before.released_at:
            overlaps += 1
            example = example or (
                f"{after.call_sign}: incident {before.incident_id} from {before.assigned_at} to "
                f"{before.released_at}, incident {after.incident_id} from {after.assigned_at}"
            )
    print(
        f"assignments: {len(periods)} stored, {len(assigned)} acknowledged, all stored: "
        f"{'yes' if not missing else 'NO'}; units whose assignment periods overlap: {overlaps}"
    )
    if overlaps:
        problems.append(f"{overlaps} overlapping assignment periods, e.g. {example}")
    return problems


def report(stats: Stats, elapsed: float) -> None:
    requests = sum(len(v) for v in stats.latency.values())
    print(
        f"{stats.incidents} incidents (intake + advice + assignment + release) in {elapsed:.1f} s: "
        f"{stats.incidents / elapsed:.1f} incidents/s, {requests / elapsed:.1f} requests/s; "
        f"{stats.no_candidate} without a free unit; {stats.transport_errors} idempotent "
        f"requests resent after a connection error, {stats.unknown} others whose answer was "
        f"lost (not resent); {stats.failed_releases} releases not answered 200"
    )
    every = np.concatenate([np.asarray(v) for v in stats.latency.values()])
    for kind, values in [*sorted(stats.latency.items()), ("all", list(every))]:
        p50, p95, p99 = np.percentile(np.asarray(values), [50, 95, 99])
        codes = (
            ", ".join(f"{c}: {n}" for c, n in sorted(stats.status[kind].items()))
            if kind != "all"
            else ""
        )
        print(
            f"  {kind:8s} n={len(values):6d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"p99 {p99:7.1f} ms  {codes}"
        )
    for label, values in (("late", stats.lateness), ("incident", stats.total)):
        p50, p95, p99 = np.percentile(np.asarray(values or [0.0]), [50, 95, 99])
        print(
            f"  {label:8s} n={len(values):6d}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"p99 {p99:7.1f} ms"
        )


if __name__ == "__main__":
    main()
