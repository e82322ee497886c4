"""`flask import document FILE [--dry-run] [--json]`: the seed documents imported into an
empty database give what `seed` gives; a dry run writes nothing; a second import updates."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.plans.export import export_plans
from tracker.plans.models import Plan, Section, Task, TaskCoUnit, TaskStatus
from tracker.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "seeds" / "sources"
CASES = [
    ("002_3420b3a341986fb6.txt", "changfa-2017-29.json"),
    ("000_bc976589784d7c1e.txt", "czgxq-shuangchuang-2021.json"),
]
TABLES = (Plan, Section, Task, TaskCoUnit, Unit, AuditEvent)


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in TABLES)


def _shape(plan: dict) -> list:
    return [
        (
            s["number"],
            s["title"],
            [
                (t["number"], t["title"], t["lead_unit"], t["co_units"], t["due_date"])
                for t in s["tasks"]
            ],
        )
        for s in plan["sections"]
    ]


@pytest.mark.parametrize(("source", "seed_file"), CASES)
def test_import_into_an_empty_database_gives_what_seed_gives(runner, source, seed_file):
    assert counts()[0] == 0 and counts()[4] == 0
    result = runner.invoke(args=["import", "document", str(SOURCES / source)])
    assert result.exit_code == 0, result.output
    assert "created:" in result.output
    expected = json.loads((ROOT / "seeds" / "plans" / seed_file).read_text("utf-8"))
    plans = export_plans()["plans"]
    assert len(plans) == 1
    got = plans[0]
    assert (got["doc_number"], got["title"], got["issuer"], got["issued_on"]) == (
        expected["doc_number"],
        expected["title"],
        expected["issuer"],
        expected["issued_on"],
    )
    want = [
        (
            s["number"],
            s["title"],
            [
                (t["number"], t["title"], t["lead_unit"], t.get("co_units") or [], t["due_date"])
                for t in s["tasks"]
            ],
        )
        for s in expected["sections"]
    ]
    assert _shape(got) == want
    plan = db.session.scalar(select(Plan))
    assert plan.original_filename == source and plan.source_text
    first = db.session.scalar(select(Task).where(Task.number == 1))
    assert first.source_excerpt and first.title[:4] in first.source_excerpt
    assert first.source_ref == expected["sections"][0]["tasks"][0]["source_ref"]
    assert first.lead_unit_basis == expected["sections"][0]["tasks"][0].get("lead_unit_basis")


def test_dry_run_writes_nothing_and_json_has_spans(runner):
    before = counts()
    result = runner.invoke(
        args=["import", "document", str(SOURCES / CASES[0][0]), "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert counts() == before
    data = json.loads(result.output)
    task = data["plans"][0]["sections"][0]["tasks"][0]
    assert {"number", "title", "lead_unit", "co_units", "due_date", "span"} <= set(task)
    start, end = task["span"]
    assert task["title"][:6] in data["text"][start:end]
    text = runner.invoke(args=["import", "document", str(SOURCES / CASES[0][0]), "--dry-run"])
    assert "40 tasks" in text.output and "nothing written" in text.output
    assert counts() == before


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.sampled_from(
            [
                "一、重点任务",
                "(一)加快建设",
                "1.建设孵化器(市科技局牵头,市财政局配合)。",
                "2.到2025年底前完成。",
                "(责任单位:区发改局、区商务局)",
                "长期坚持",
                "第一条 为了",
                "二、保障措施",
                "①",
                "——",
                "市人民政府",
                "2024年6月底前",
                "\n",
                "abc",
            ]
        ),  # fmt: skip
        max_size=12,
    ),
    st.text(max_size=40),
)
def test_dry_run_never_writes(tmp_path_factory, runner, pieces, noise):
    """Any text: a dry run exits cleanly or refuses the file, and writes nothing."""
    path = tmp_path_factory.mktemp("doc") / "plan.txt"
    path.write_text("\n".join(pieces) + noise, encoding="utf-8", errors="replace")
    before = counts()
    result = runner.invoke(args=["import", "document", str(path), "--dry-run"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert counts() == before


def test_reimport_updates_the_plan_instead_of_duplicating(runner, tmp_path):
    source = (SOURCES / CASES[0][0]).read_text("utf-8")
    path = tmp_path / "plan.txt"
    path.write_text(source, encoding="utf-8")
    assert runner.invoke(args=["import", "document", str(path)]).exit_code == 0
    tasks = counts()[2]
    first = db.session.scalar(select(Task).where(Task.number == 1))
    # the document changes: task 1's wording, and a new deadline for it
    changed = source.replace(first.title, first.title + "和升级", 1)
    path.write_text(changed, encoding="utf-8")
    dry = runner.invoke(args=["import", "document", str(path), "--dry-run"])
    assert "updates plan" in dry.output
    result = runner.invoke(args=["import", "document", str(path)])
    assert result.exit_code == 0, result.output
    assert "updated:" in result.output
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1
    assert counts()[2] == tasks
    db.session.expire_all()
    renamed = db.session.get(Task, first.id)
    assert renamed.title.endswith("和升级") and renamed.status == TaskStatus.PENDING.value


def test_unreadable_file_is_refused_with_the_reason(runner, tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    result = runner.invoke(args=["import", "document", str(path)])
    assert result.exit_code == 1
    assert ".docx" in result.output
    assert counts()[0] == 0
