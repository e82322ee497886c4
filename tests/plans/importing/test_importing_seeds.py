"""Acceptance: the importer proposes exactly what seeds/plans/*.json hold for their sources,
from the .txt and from a .docx made of it (one paragraph per line)."""

import io
import json
from pathlib import Path

import pytest

from tracker.plans.importing import KnownUnit, propose, read_document

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
CASES = [
    ("002_3420b3a341986fb6.txt", "changfa-2017-29.json"),
    ("000_bc976589784d7c1e.txt", "czgxq-shuangchuang-2021.json"),
]


def known_units():
    data = json.loads((SEEDS / "units.json").read_text(encoding="utf-8"))
    return [
        KnownUnit(u["name"], tuple(u.get("aliases") or ()), u.get("successor"))
        for u in data["units"]
    ]


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def load(source: str, fmt: str) -> str:
    raw = (SEEDS / "sources" / source).read_bytes()
    if fmt == "txt":
        return read_document(source, raw)
    return read_document(source.replace(".txt", ".docx"), docx_bytes(raw.decode("utf-8")))


def differences(plan_json: dict, expected: dict) -> list[str]:
    """Every field the seed fixes, compared one by one."""
    errors = []
    for key in ("doc_number", "title", "issuer", "issued_on"):
        if plan_json[key] != expected[key]:
            errors.append(f"{key}: {plan_json[key]!r} != {expected[key]!r}")
    if expected.get("phases") and plan_json["phases"] != expected["phases"]:
        errors.append(f"phases {plan_json['phases']} != {expected['phases']}")
    got, want = plan_json["sections"], expected["sections"]
    if len(got) != len(want):
        errors.append(f"{len(got)} sections, seed has {len(want)}")
    for gs, ws in zip(got, want, strict=False):
        for key in ("number", "label", "title"):
            if gs[key] != ws[key]:
                errors.append(f"section {ws['number']} {key}: {gs[key]!r} != {ws[key]!r}")
        if len(gs["tasks"]) != len(ws["tasks"]):
            errors.append(f"section {ws['number']}: {len(gs['tasks'])} tasks != {len(ws['tasks'])}")
        for gt, wt in zip(gs["tasks"], ws["tasks"], strict=False):
            for key in ("number", "title", "text", "lead_unit", "co_units", "due_date",
                        "due_phrase", "source_ref"):  # fmt: skip
                if gt[key] != wt[key]:
                    errors.append(f"task {wt['number']} {key}: {gt[key]!r} != {wt[key]!r}")
            if gt.get("lead_unit_basis") != wt.get("lead_unit_basis"):
                errors.append(f"task {wt['number']} lead_unit_basis differs")
    return errors


@pytest.mark.parametrize("fmt", ["txt", "docx"])
@pytest.mark.parametrize(("source", "seed"), CASES)
def test_proposal_equals_seed(source, seed, fmt):
    expected = json.loads((SEEDS / "plans" / seed).read_text(encoding="utf-8"))
    proposal = propose(load(source, fmt), known_units())
    plans = proposal.as_json()["plans"]
    assert len(plans) == 1
    errors = differences(plans[0], expected)
    assert not errors, "\n".join(errors[:40])


@pytest.mark.parametrize(("source", "seed"), CASES)
def test_seed_units_are_all_known(source, seed):
    proposal = propose(load(source, "txt"), known_units())
    assert proposal.units and all(u.known or u.via == "issuer" for u in proposal.units)


def test_counts_stated_by_the_documents():
    changfa = propose(load(CASES[0][0], "txt")).plans[0]
    zone = propose(load(CASES[1][0], "txt")).plans[0]
    assert (len(changfa.sections), len(changfa.tasks)) == (7, 40)
    assert (len(zone.sections), len(zone.tasks)) == (13, 47)


def test_spans_point_at_the_item_text():
    proposal = propose(load(CASES[0][0], "txt"))
    for task in proposal.plans[0].tasks:
        start, end = task.span
        assert task.text[:20] in proposal.text[start:end]
    zone = propose(load(CASES[1][0], "txt"))
    for task in zone.plans[0].tasks:
        assert zone.text[task.span[0] : task.span[1]] == task.title
