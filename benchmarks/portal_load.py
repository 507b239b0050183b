"""Load benchmark of the citizen portal (issue 16): 200 concurrent citizens reading their
dossiers and adding messages against ``korps serve`` on PostgreSQL, loopback only, bounded
in time.

Run: ``.venv/bin/python benchmarks/portal_load.py`` with ``KORPS_BENCH_DATABASE_URL`` (or
``KORPS_TEST_DATABASE_URL``) pointing at a PostgreSQL database; the benchmark works in a
schema of its own in it and drops it afterwards. Options: ``--citizens 200 --seconds 60
--write-every 5 --think 10 --workers 1`` (``--think 0``: each citizen's next step at once,
a closed loop that measures the server's capacity rather than a citizen's wait).

Set-up (not timed): the bundled datasets, ``--citizens`` citizen accounts (one password;
citizens have no second factor) each with one dossier filed online; then every citizen logs
in through the login form (``POST /aanmelden``, at most 16 at a time: Argon2 is meant to be
slow), with a CSRF pair of its own, as a browser would.

Timed: each citizen loops until ``--seconds`` have passed, reading for ``--think`` seconds
(mean; 0.5 to 1.5 times it, drawn per step) between steps: read its dossier page
(``GET /mijn/dossiers/{number}``: the dossier, its timeline, an audit entry for the read)
and, every ``--write-every``-th step, add a message (``POST /mijn/dossiers/{number}/aanvulling``)
with a text no other message has. A message is acknowledged when answered 303. A request
whose answer is lost is not resent (a message is not idempotent): it is counted as unknown.
Printed: requests/s, and p50/p95/p99 latency for reads and for messages. Target: p95 < 150 ms
for reads on this machine.

Afterwards the database is reconciled with what the citizens were told, by texts, not
counts: every acknowledged message is stored exactly once (none lost, none duplicated),
every stored message was sent by a citizen, and each sits in the sender's own dossier.
Exit code 1 when a check fails or an answer was not 200/303.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import aiohttp
import numpy as np
from controlroom_load import bench_database, cpu_seconds, served
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from yarl import URL

from korps.db.session import session_factory
from korps.identity.deps import CSRF_COOKIE, CSRF_HEADER
from korps.identity.models import User
from korps.identity.service import create_user, grant, principal_of
from korps.portal.models import Entry
from korps.portal.schemas import AangifteIn, GoodIn
from korps.portal.service import file_dossier

PASSWORD = "Benchmark-Fietsenrek-Zonnebloem-77"
PLACES = ["Rotterdam", "Dordrecht", "Schiedam", "Vlaardingen", "Barendrecht"]
MARK = "bench-"  # every message text starts with it, then the citizen and a sequence number


@dataclass
class Citizen:
    username: str
    number: str  # the dossier's number
    dossier_id: int
    cookies: aiohttp.CookieJar | None = None  # made in the event loop, kept across sessions
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    logged_in: bool = False


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    status: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    sent: dict[str, int] = field(default_factory=dict)  # message text -> dossier id
    acknowledged: set[str] = field(default_factory=set)
    unknown: int = 0


def make_citizens(session: Session, count: int) -> list[tuple[str, str, int]]:
    """``count`` citizens (one Argon2 hash shared: the same password) with a dossier each;
    returns (username, dossier number, dossier id)."""
    first = create_user(
        session, username="bench-burger-0000", name="Burger 0", kind="burger",
        email="bench-burger-0000@korps.test", password=PASSWORD,
    )  # fmt: skip
    users = [first] + [
        create_user(
            session,
            username=f"bench-burger-{i:04d}",
            name=f"Burger {i}",
            kind="burger",
            email=f"bench-burger-{i:04d}@korps.test",
        )
        for i in range(1, count)
    ]
    session.flush()
    session.execute(
        update(User)
        .where(User.username.like("bench-burger-%"))
        .values(password_hash=first.password_hash)
    )
    made = []
    for i, user in enumerate(users):
        grant(session, username=user.username, role="burger", unit=None, actor="bench")
        data = AangifteIn(
            category="fietsdiefstal",
            occurred_on=date(2026, 11, 2),
            gemeente=PLACES[i % len(PLACES)],
            address=None,
            lat=None,
            lon=None,
            description="Fiets gestolen bij het station (benchmark).",
            goods=[GoodIn("Zwarte herenfiets", 450.0, None)],
        )
        dossier = file_dossier(session, reporter=principal_of(session, user=user), data=data)
        made.append((user.username, dossier.number, dossier.id))
    session.commit()
    return made


EXPECTED = {"login": 303, "read": 200, "message": 303}


async def call(
    client: aiohttp.ClientSession, stats: Stats, kind: str, method: str, path: str, **kw: object
) -> tuple[int, str]:
    """One request, not resent; its latency and status recorded. Returns the status (0:
    answer lost) and where a redirect points."""
    start = time.perf_counter()
    try:
        async with client.request(method, path, allow_redirects=False, **kw) as response:  # type: ignore[arg-type]
            await response.read()
            status, location = response.status, response.headers.get("location", "")
    except (TimeoutError, aiohttp.ClientConnectionError):
        stats.unknown += 1
        stats.status[kind][0] += 1
        return 0, ""
    stats.latency[kind].append((time.perf_counter() - start) * 1000)
    stats.status[kind][status] += 1
    return status, location


def session_for(
    base: str, connector: aiohttp.BaseConnector, citizen: Citizen
) -> aiohttp.ClientSession:
    """A browser of its own: the citizen's cookie jar (CSRF cookie set here, as the site
    would) over the shared connection pool."""
    if citizen.cookies is None:
        citizen.cookies = aiohttp.CookieJar(unsafe=True)
        citizen.cookies.update_cookies({CSRF_COOKIE: citizen.csrf}, URL(base))
    return aiohttp.ClientSession(
        base,
        connector=connector,
        connector_owner=False,
        cookie_jar=citizen.cookies,
        headers={CSRF_HEADER: citizen.csrf},
        timeout=aiohttp.ClientTimeout(total=15),
    )


async def log_in(base: str, connector: aiohttp.BaseConnector, citizens: list[Citizen]) -> Stats:
    """Every citizen through the login form, a few at a time (a login whose answer was
    lost is tried again, at most three times: it only opens another session)."""
    stats = Stats()
    gate = asyncio.Semaphore(4)

    async def one(citizen: Citizen) -> None:
        async with gate, session_for(base, connector, citizen) as client:
            form = {"gebruikersnaam": citizen.username, "wachtwoord": PASSWORD, "volgende": "/"}
            for _attempt in range(3):
                status, _ = await call(client, stats, "login", "POST", "/aanmelden", data=form)
                if status == 303:
                    citizen.logged_in = True
                    # one read, not counted: compiled templates and prepared statements
                    await call(client, Stats(), "read", "GET", f"/mijn/dossiers/{citizen.number}")
                    return

    await asyncio.gather(*(one(c) for c in citizens))
    return stats


async def citizen_loop(
    base: str,
    connector: aiohttp.BaseConnector,
    citizen: Citizen,
    stats: Stats,
    deadline: float,
    write_every: int,
    think: float,
) -> None:
    """Read the dossier, every ``write_every``-th step add a message; between steps the
    citizen reads for 0.5 to 1.5 times ``think`` seconds (0: the next step at once)."""
    step = 0
    rng = random.Random(citizen.username)
    async with session_for(base, connector, citizen) as client:
        page = f"/mijn/dossiers/{citizen.number}"
        await asyncio.sleep(rng.uniform(0, think))  # citizens do not all start at once
        while time.perf_counter() < deadline:
            step += 1
            if step % write_every == 0:
                message = f"{MARK}{citizen.username}-{step}: nog iets gezien bij het station"
                stats.sent[message] = citizen.dossier_id
                status, location = await call(
                    client, stats, "message", "POST", f"{page}/aanvulling",
                    data={"aanvulling": message},
                )  # fmt: skip
                if status == 303 and location.startswith(f"{page}?ok=aanvulling"):
                    stats.acknowledged.add(message)  # not a redirect to the login page
            else:
                await call(client, stats, "read", "GET", page)
            if think > 0:  # reading, but not past the end of the run
                pause = rng.uniform(0.5, 1.5) * think
                await asyncio.sleep(min(pause, max(deadline - time.perf_counter(), 0.0)))


async def drive(
    base: str,
    citizens: list[Citizen],
    seconds: float,
    write_every: int,
    think: float,
    server_pid: int,
) -> tuple[Stats, Stats, float, list[float]]:
    """Log every citizen in, then run the timed load; returns the logins, the load, its
    duration and the CPU seconds (server, PostgreSQL, this client) the load used."""
    connector = aiohttp.TCPConnector(limit=len(citizens), limit_per_host=len(citizens))
    try:
        logins = await log_in(base, connector, citizens)
        stats = Stats()
        before = (cpu_seconds(root=server_pid), cpu_seconds("postgres"), time.process_time())
        start = time.perf_counter()
        await asyncio.gather(
            *(
                citizen_loop(base, connector, c, stats, start + seconds, write_every, think)
                for c in citizens
                if c.logged_in
            )
        )
        elapsed = time.perf_counter() - start
        after = (cpu_seconds(root=server_pid), cpu_seconds("postgres"), time.process_time())
    finally:
        await connector.close()
    return logins, stats, elapsed, [b - a for a, b in zip(before, after, strict=True)]


def reconcile(session: Session, stats: Stats) -> list[str]:
    """The stored messages against what the citizens were told, by their texts."""
    rows = session.execute(
        select(Entry.text, Entry.dossier_id).where(
            Entry.kind == "aanvulling", Entry.text.like(f"{MARK}%")
        )
    ).all()
    stored = Counter(t for t, _ in rows)
    lost = stats.acknowledged - set(stored)
    twice = {t for t, n in stored.items() if n > 1}
    made_up = set(stored) - set(stats.sent)
    misplaced = {t for t, d in rows if t in stats.sent and stats.sent[t] != d}
    unacknowledged = set(stored) - stats.acknowledged
    print(
        f"database: {len(rows)} messages stored; {len(stats.acknowledged)} acknowledged, "
        f"{len(stats.sent)} sent; lost {len(lost)}, duplicated {len(twice)}, never sent "
        f"{len(made_up)}, in another dossier {len(misplaced)}; stored without an answer "
        f"(answer lost) {len(unacknowledged)}"
    )
    problems = []
    for label, found in (
        ("acknowledged but not stored", lost),
        ("stored more than once", twice),
        ("stored but never sent", made_up),
        ("stored in another citizen's dossier", misplaced),
    ):
        if found:
            problems.append(f"{len(found)} messages {label}, e.g. {sorted(found)[:2]}")
    return problems


def report(label: str, stats: Stats, elapsed: float) -> None:
    requests = sum(len(v) for v in stats.latency.values())
    print(f"{label}: {requests} requests in {elapsed:.1f} s: {requests / elapsed:.1f} requests/s")
    for kind, values in sorted(stats.latency.items()):
        p50, p95, p99 = np.percentile(np.asarray(values), [50, 95, 99])
        codes = ", ".join(f"{c}: {n}" for c, n in sorted(stats.status[kind].items()))
        print(
            f"  {kind:8s} n={len(values):6d} ({len(values) / elapsed:6.1f}/s)  p50 {p50:7.1f} ms  "
            f"p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  {codes}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--write-every", type=int, default=5, help="every n-th step a message")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--think", type=float, default=10.0, help="mean seconds a citizen reads between steps"
    )
    args = parser.parse_args()
    if not 1 <= args.citizens <= 2000 or not 1 <= args.seconds <= 600 or args.write_every < 1:
        sys.exit("--citizens 1..2000, --seconds 1..600, --write-every >= 1")
    failed = False
    with (
        bench_database() as (schema, database_url, engine),
        served(database_url, args.workers) as (process, port),
    ):
        with session_factory(engine)() as session:
            citizens = [Citizen(*row) for row in make_citizens(session, args.citizens)]
        print(
            f"korps serve --workers {args.workers} on 127.0.0.1:{port}, PostgreSQL schema "
            f"{schema}; {args.citizens} citizens for {args.seconds:g} s, a message every "
            f"{args.write_every} steps, {args.think:g} s reading between steps (mean); "
            f"{os.cpu_count()} cores (shared)",
            flush=True,
        )
        url = f"http://127.0.0.1:{port}"
        logins, stats, elapsed, used = asyncio.run(
            drive(url, citizens, args.seconds, args.write_every, args.think, process.pid)
        )
        logged_in = sum(c.logged_in for c in citizens)
        codes = dict(sorted(logins.status["login"].items()))
        print(f"logins (set-up, not timed): {logged_in} of {len(citizens)}; answers {codes}")
        report("load", stats, elapsed)
        requests = max(sum(len(v) for v in stats.latency.values()), 1)
        print(
            f"  CPU per request: server {used[0] * 1000 / requests:.1f} ms, PostgreSQL "
            f"{used[1] * 1000 / requests:.1f} ms, load client {used[2] * 1000 / requests:.1f} ms;"
            f" all three used {sum(used) / elapsed:.2f} of the machine's {os.cpu_count()} cores"
        )
        reads = np.asarray(stats.latency.get("read") or [float("inf")])
        p95 = float(np.percentile(reads, 95))
        print(f"reads p95 {p95:.1f} ms (target < 150 ms): {'met' if p95 < 150 else 'NOT met'}")
        unexpected = {
            kind: {c: n for c, n in answers.items() if c != EXPECTED[kind]}
            for kind, answers in stats.status.items()
        }
        unexpected = {k: v for k, v in unexpected.items() if v}
        if logged_in != len(citizens) or unexpected or stats.unknown:
            print(f"FAILED: unexpected answers {unexpected}; {stats.unknown} answers lost")
            failed = True
        with session_factory(engine)() as session:
            problems = reconcile(session, stats)
        if problems:
            print("RECONCILIATION FAILED:\n  " + "\n  ".join(problems))
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
