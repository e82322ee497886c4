"""The importer's working copy (tracker.plans.importing.draft): edits, merge, split, drop,
renumber, bulk assign, what blocks a confirm, the re-import diff, the highlighted pieces."""

import copy

import pytest

from tracker.plans.importing import draft as d

TEXT = "1.建设平台。完善制度。(市科技局牵头,市发改委配合)\n2.培育企业。(市财政局)\n3.引进人才。"


def task(key, title, lead, co=(), due=None, span=(0, 0), text=None, section="s1"):
    return {"key": key, "section": section, "path": key, "title": title,
            "text": text or title, "lead": lead, "co": list(co), "due": due, "phrase": None,
            "provisional": False, "basis": None, "span": list(span)}  # fmt: skip


def sample():
    tasks = [
        task(
            "t1",
            "建设平台",
            "市科技局",
            ["市发改委"],
            "2025-12-31",
            (0, 32),
            "1.建设平台。完善制度。",
        ),  # fmt: skip
        task("t2", "培育企业", "市财政局", due="2024-12-31", span=(33, 46)),
        task("t3", "引进人才", None, span=(47, 54)),
    ]
    plan = {"doc_number": None, "title": "方案", "issuer": None, "issued_on": None,
            "horizon": None, "phases": [],
            "sections": [{"key": "s1", "label": "一", "title": "重点任务"}],
            "tasks": tasks}  # fmt: skip
    return {"text": TEXT, "plans": [plan], "units": {}, "choices": {}, "seq": 3}


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("市发改委、市财政局", ["市发改委", "市财政局"]),
        ("市发改委,市财政局;市发改委", ["市发改委", "市财政局"]),
        ("  市 发改委 ", ["市发改委"]),
        ("", []),
        ("，、;", []),
    ],
)
def test_split_units(value, names):
    assert d.split_units(value) == names


@pytest.mark.parametrize(
    ("edit", "field", "want", "problems"),
    [
        ({"title": "  新标题 "}, "title", "新标题", 0),
        ({"title": "   "}, "title", "建设平台", 0),  # an empty title is not taken
        ({"due": "2026-06-30"}, "due", "2026-06-30", 0),
        ({"due": ""}, "due", None, 0),
        ({"due": "2026-02-30"}, "due", "2025-12-31", 1),  # kept, with a problem
        ({"lead": "市工信局"}, "lead", "市工信局", 0),
        ({"lead": ""}, "lead", None, 0),
        ({"co": "市科技局、市财政局"}, "co", ["市财政局"], 0),  # the lead is not its own co-unit
        ({"phrase": "2026年6月底前"}, "phrase", "2026年6月底前", 0),
        ({"section": "nope"}, "section", "s1", 0),
    ],
)
def test_apply_edits(edit, field, want, problems):
    draft = sample()
    found = d.apply_edits(draft, [{}], {"t1": edit})
    assert draft["plans"][0]["tasks"][0][field] == want
    assert len(found) == problems


@pytest.mark.parametrize(
    ("typed", "order"),
    [
        ({}, ["t1", "t2", "t3"]),
        ({"t3": "1"}, ["t1", "t3", "t2"]),  # ties keep their order
        ({"t3": "0"}, ["t3", "t1", "t2"]),
        ({"t1": "9"}, ["t2", "t3", "t1"]),
        ({"t1": "x", "t2": ""}, ["t1", "t2", "t3"]),
        ({"t1": "2.5"}, ["t2", "t1", "t3"]),
    ],
)
def test_renumber(typed, order):
    plan = sample()["plans"][0]
    d.renumber(plan, typed)
    assert [t["key"] for t in plan["tasks"]] == order


def test_editing_a_provisional_lead_makes_it_the_offices_choice():
    draft = sample()
    draft["plans"][0]["tasks"][2].update(lead="发文单位", provisional=True, basis="原文未列明")
    d.apply_edits(draft, [{}], {"t3": {"lead": "市科技局"}})
    assert draft["plans"][0]["tasks"][2]["provisional"] is False
    assert draft["plans"][0]["tasks"][2]["basis"] is None


@pytest.mark.parametrize(
    ("keys", "problem", "left"),
    [
        (["t1", "t2"], None, ["t1", "t3"]),
        (["t1"], "merge_needs_two", ["t1", "t2", "t3"]),
        ([], "merge_needs_two", ["t1", "t2", "t3"]),
    ],
)
def test_merge(keys, problem, left):
    draft = sample()
    assert d.merge(draft, keys) == problem
    tasks = draft["plans"][0]["tasks"]
    assert [t["key"] for t in tasks] == left
    if problem is None:
        assert tasks[0]["co"] == ["市发改委", "市财政局"]
        assert tasks[0]["span"] == [0, 46] and tasks[0]["due"] == "2025-12-31"
        assert "培育企业" in tasks[0]["text"]


@pytest.mark.parametrize(
    ("key", "problem"), [("t1", None), ("t2", "cannot_split"), ("x", "select_one")]
)
def test_split(key, problem):
    draft = sample()
    assert d.split(draft, key, TEXT) == problem
    tasks = draft["plans"][0]["tasks"]
    if problem is None:
        assert [t["key"] for t in tasks] == ["t1", "t4", "t2", "t3"]
        assert tasks[0]["text"] == "1.建设平台。" and tasks[1]["text"] == "完善制度。"
        assert tasks[1]["lead"] == "市科技局" and tasks[1]["co"] == ["市发改委"]
        assert tasks[0]["span"][1] == tasks[1]["span"][0] == TEXT.index("完善")
    else:
        assert len(tasks) == 3


@pytest.mark.parametrize(
    ("keys", "lead", "co", "changed", "leads"),
    [
        (["t2", "t3"], "市工信局", "", 2, ["市科技局", "市工信局", "市工信局"]),
        (["t3"], "", "", 0, ["市科技局", "市财政局", None]),
        (["t1"], "市发改委", "", 1, ["市发改委", "市财政局", None]),
    ],
)
def test_assign(keys, lead, co, changed, leads):
    draft = sample()
    assert d.assign(draft, keys, lead, co) == changed
    assert [t["lead"] for t in draft["plans"][0]["tasks"]] == leads
    assert "市发改委" not in draft["plans"][0]["tasks"][0]["co"] or leads[0] != "市发改委"


def test_drop_and_problems():
    draft = sample()
    assert d.problems(draft) == [("no_lead", "3")]
    assert d.drop(draft, ["t3", "nope"]) == 1
    assert d.problems(draft) == []
    draft["plans"][0]["title"] = None
    d.drop(draft, ["t1", "t2"])
    assert d.problems(draft) == [("no_title", ""), ("no_tasks", "")]
    assert d.unit_names(sample()) == ["市科技局", "市发改委", "市财政局"]


def old(id_, title, lead="A", path=None, due=None):
    return {"id": id_, "title": title, "lead": lead, "co": [], "due": due,
            "section_title": "S", "path": path}  # fmt: skip


def new(key, title, lead="A", path=None, due=None):
    return {"key": key, "title": title, "lead": lead, "co": [], "due": due,
            "section_title": "S", "path": path}  # fmt: skip


@pytest.mark.parametrize(
    ("existing", "proposed", "added", "changed", "removed"),
    [
        ([old(1, "a")], [new("x", "a")], [], [], []),
        ([old(1, "a")], [new("x", "a"), new("y", "b")], ["y"], [], []),
        ([old(1, "a"), old(2, "b")], [new("x", "a")], [], [], [2]),
        ([old(1, "a", path="1")], [new("x", "a2", path="1")], [], [(1, ["title"])], []),
        ([old(1, "a")], [new("x", "a", lead="B")], [], [(1, ["lead"])], []),
        ([old(1, "a", due="2025-12-31")], [new("x", "a")], [], [(1, ["due"])], []),
        ([old(1, "a", path="2")], [new("x", "a", path="9")], [], [], []),  # title match
    ],
)
def test_diff(existing, proposed, added, changed, removed):
    found = d.diff(existing, proposed)
    assert [t["key"] for t in found.added] == added
    assert [(o["id"], f) for o, _n, f in found.changed] == changed
    assert [t["id"] for t in found.removed] == removed
    assert found.empty == (not added and not changed and not removed)


@pytest.mark.parametrize(
    ("spans", "pieces"),
    [
        ([], [("abcdef", None)]),
        ([("a", 1, 3)], [("a", None), ("bc", "a"), ("def", None)]),
        ([("b", 4, 6), ("a", 0, 2)], [("ab", "a"), ("cd", None), ("ef", "b")]),
        ([("a", 0, 4), ("b", 2, 6)], [("abcd", "a"), ("ef", "b")]),  # overlap cut
        ([("a", 5, 99), ("b", 50, 60)], [("abcde", None), ("f", "a")]),
        ([("a", 3, 3)], [("abcdef", None)]),
    ],
)
def test_segments(spans, pieces):
    assert d.segments("abcdef", spans) == pieces
    assert "".join(p for p, _k in d.segments("abcdef", spans)) == "abcdef"


def test_from_proposal_keeps_every_field():
    proposal = {
        "text": "T",
        "plans": [{"doc_number": "X〔2024〕1号", "title": "方案", "issuer": "市政府",
                   "issued_on": "2024-01-02", "horizon": "2025-12-31", "phases": [],
                   "sections": [{"number": 1, "label": "一", "title": "任务", "tasks": [
                       {"number": 1, "title": "t", "text": "tt", "lead_unit": "A",
                        "co_units": ["B"], "due_date": None, "due_phrase": "长期坚持",
                        "source_ref": "一1", "span": [0, 1],
                        "lead_unit_provisional": True, "lead_unit_basis": "b"}]}]}],
        "units": [{"name": "A", "known": False, "via": "new", "successor": None}],
    }  # fmt: skip
    draft = d.from_proposal(copy.deepcopy(proposal))
    t = draft["plans"][0]["tasks"][0]
    assert (t["lead"], t["co"], t["phrase"], t["path"], t["provisional"], t["basis"]) == (
        "A", ["B"], "长期坚持", "一1", True, "b")  # fmt: skip
    assert t["section"] == draft["plans"][0]["sections"][0]["key"]
    assert draft["units"]["A"]["known"] is False and draft["text"] == "T"
