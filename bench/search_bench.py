"""Search and task-list timings at 20,000 tasks (issue 10): p50 / p95 per request.

    .venv/bin/python bench/search_bench.py                       # SQLite, a new file in /tmp
    .venv/bin/python bench/search_bench.py --url postgresql+psycopg://USER@HOST/EMPTY --reset

Builds the schema with the real migrations on an EMPTY database (with --reset, PostgreSQL's
public schema is dropped first: never point it at a database you need), fills it with bulk
inserts (units, plans, sections, tasks with two co-units each), signs in as the office and
times each page through the app (routing, SQL and templates). Figures go to
docs/performance.md by hand; CI does not run this.
"""

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.accounts.models import Role, User  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.plans.models import Plan, Section, Task, TaskCoUnit  # noqa: E402
from tracker.units.models import Unit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Real texts to recombine: the seed plans' tasks, the seed source documents and the document
# importer's corpus of public policy documents. Texts drawn from a few fixed phrases would
# share their trigrams with every row, and PostgreSQL would rightly ignore the GIN indexes.
SOURCES = [
    *sorted((ROOT / "seeds" / "sources").glob("*.txt")),
    *sorted((ROOT / "tests" / "plans" / "importing" / "corpus").glob("*.txt")),
]


def clauses() -> list[str]:
    """Clauses (between Chinese commas and full stops) of the seed plans and documents."""
    texts = [path.read_text("utf-8") for path in SOURCES]
    for path in sorted((ROOT / "seeds" / "plans").glob("*.json")):
        plan = json.loads(path.read_text("utf-8"))
        texts += [f"{t['title']}。{t['text']}" for s in plan["sections"] for t in s["tasks"]]
    found = {
        part.strip(" \t\u3000") for text in texts for part in re.split(r"[。；;！？\n，,：:]", text)
    }
    return sorted(c for c in found if 4 <= len(c) <= 40 and re.search(r"[\u4e00-\u9fff]{4}", c))


PAGES = [
    "/search?q=孵化",
    "/search?q=示范基地",
    "/tasks?q=孵化",
    "/tasks?q=科技企业孵化器",
    "/tasks?light=red&sort=due",
    "/tasks?overdue=1&unit={unit}&role=any",
    "/tasks?plan={plan}&status=assigned&light=yellow",
    "/tasks?due_from=2026-01-01&due_to=2026-06-30&sort=lead&page=5",
]


def fill(n_tasks: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    parts = clauses()
    units = [
        {"name": f"市测试单位{i}局", "code": f"b{chr(97 + i // 26)}{chr(97 + i % 26)}",
         "kind": "gov_dept", "aliases": []}
        for i in range(120)
    ]  # fmt: skip
    db.session.execute(insert(Unit), units)
    unit_ids = list(db.session.scalars(select(Unit.id)))
    plans = [
        {"key": f"bench-{p}", "doc_number": f"测发〔2025〕{p}号",
         "title": f"测试规划文件{p}:{rng.choice(parts)}", "issuer": "测试", "phases": [],
         "kind": "policy_document", "issued_on": date(2025, 1, 1)}
        for p in range(40)
    ]  # fmt: skip
    db.session.execute(insert(Plan), plans)
    plan_ids = list(db.session.scalars(select(Plan.id)))
    db.session.execute(
        insert(Section),
        [{"plan_id": p, "number": s, "label": f"({s})", "title": f"第{s}部分"} for p in plan_ids
         for s in range(1, 6)],
    )  # fmt: skip
    sections = {}
    for sid, pid in db.session.execute(select(Section.id, Section.plan_id)):
        sections.setdefault(pid, []).append(sid)
    today = date.today()
    rows = []
    for i in range(n_tasks):
        plan = plan_ids[i % len(plan_ids)]
        body = rng.sample(parts, rng.randint(3, 8))
        rows.append(
            {
                "plan_id": plan,
                "section_id": rng.choice(sections[plan]),
                "number": i // len(plan_ids) + 1,
                "title": rng.choice(parts),
                "text": "，".join(body) + "。",
                "lead_unit_id": rng.choice(unit_ids),
                "due_date": today + timedelta(days=rng.randint(-200, 400)),
                "status": rng.choice(["pending", "assigned", "in_progress", "closed"]),
            }
        )
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Task), rows[start : start + 2000])
    task_ids = list(db.session.scalars(select(Task.id)))
    links = []
    for tid in task_ids:
        for position, unit in enumerate(rng.sample(unit_ids, 2), start=1):
            links.append({"task_id": tid, "unit_id": unit, "position": position})
    for start in range(0, len(links), 5000):
        db.session.execute(insert(TaskCoUnit), links[start : start + 5000])
    user = User(username="bench", display_name="B", role=Role.OFFICE.value, password_hash="")
    user.set_password("bench-pass-1")
    db.session.add(user)
    db.session.commit()


def measure(app, rounds: int) -> list[tuple[str, float, float]]:
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-pass-1"})
    with app.app_context():
        unit = db.session.scalar(select(Unit.id).order_by(Unit.id))
        plan = db.session.scalar(select(Plan.id).order_by(Plan.id))
    results = []
    for template in PAGES:
        path = template.format(unit=unit, plan=plan)
        client.get(path)  # warm
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, path
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        results.append((template, statistics.median(times), p95))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--reset", action="store_true", help="drop PostgreSQL's public schema")
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    if url.startswith("postgresql") and args.reset:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
              "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}  # fmt: skip
    app = create_app(config)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        fill(args.tasks)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        took = time.perf_counter() - started
        print(f"filled {args.tasks} tasks in {took:.1f} s ({url.split(':')[0]})")
    print(f"{'page':55} {'p50 ms':>8} {'p95 ms':>8}")
    for path, p50, p95 in measure(app, args.rounds):
        print(f"{path:55} {p50:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
