"""Seed data checks: every record in seeds/ is verified against the source text.

No app, no database: only json, pathlib and re.  The checking functions return
a list of error strings so that the sanity tests at the bottom can feed them
deliberately corrupted copies and prove that they reject bad data.
"""

import copy
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SOURCES = SEEDS / "sources"
PLANS = SEEDS / "plans"
SHARED = Path("/work/shared/seed-documents")

CHANGFA_FILE = "002_3420b3a341986fb6.txt"
ZONE_FILE = "000_bc976589784d7c1e.txt"
ZONE_LEAD = "长治高新区创新创业服务中心"

CN_DIGITS = "一二三四五六七八九"
UNIT_KINDS = {"party_dept", "gov_dept", "institution", "association", "vertical", "zone_agency"}
CODE_RE = re.compile(r"^[a-z]{2,8}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------- helpers


def cn_to_int(s):
    """Chinese numeral 1..99 (一, 十, 十三, 二十, 四十七) to int."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (
            CN_DIGITS.index(ones) + 1 if ones else 0
        )
    return CN_DIGITS.index(s) + 1


def int_to_cn(n):
    tens, ones = divmod(n, 10)
    out = ""
    if tens:
        out = ("" if tens == 1 else CN_DIGITS[tens - 1]) + "十"
    if ones:
        out += CN_DIGITS[ones - 1]
    return out


def load_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source_text(plan):
    return (SEEDS / plan["source"]).read_text(encoding="utf-8")


def all_tasks(plan):
    return [(section, task) for section in plan["sections"] for task in section["tasks"]]


# --------------------------------------------------------------------------- 2017 plan


def parse_changfa_source(text):
    """Independent parse of 二、行动内容: [(label, title, [(number, sep, body, [units])])]."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("二、行动内容"))
    end = next(i for i, line in enumerate(lines) if line.startswith("三、") and i > start)
    sections = []
    for line in lines[start + 1 : end]:
        head = re.fullmatch(r"(\([一二三四五六七八九十]+\))(.+)", line)
        if head:
            sections.append((head.group(1), head.group(2), []))
            continue
        item = re.fullmatch(r"(\d+)([.、])(.+)\(([^()]+)\)", line)
        assert item and sections, f"unparsed line in 二、行动内容: {line[:30]}"
        sections[-1][2].append(
            (int(item.group(1)), item.group(2), item.group(3), item.group(4).split("、"))
        )
    return sections


def check_changfa_task(section, task, text):
    """Check one task record of the 2017 plan against the source text."""
    errors = []
    n = task["number"]
    units = "、".join([task["lead_unit"], *task["co_units"]])
    lines = set(text.split("\n"))
    if not any(f"{n}{sep}{task['text']}({units})" in lines for sep in (".", "、")):
        errors.append(f"task {n}: no source line '{n}.<text>({units})'")
    if task["title"] != task["text"].split("。", 1)[0]:
        errors.append(f"task {n}: title is not the text up to the first 。")
    if not task["title"] or "。" in task["title"]:
        errors.append(f"task {n}: bad title")
    if task["source_ref"] != f"二{section['label']}{n}":
        errors.append(f"task {n}: source_ref {task['source_ref']!r}")
    if task["due_phrase"] not in text:
        errors.append(f"task {n}: due_phrase not in source")
    year = re.search(r"(\d{4})年", task["due_phrase"])
    if not year or task["due_date"] != f"{year.group(1)}-12-31":
        errors.append(f"task {n}: due_date {task['due_date']} does not follow {task['due_phrase']}")
    if task["status"] != "pending":
        errors.append(f"task {n}: status {task['status']!r}")
    return errors


def check_changfa_plan(plan, text):
    errors = []
    for section, task in all_tasks(plan):
        errors += check_changfa_task(section, task, text)

    numbers = [t["number"] for _, t in all_tasks(plan)]
    if numbers != list(range(1, len(numbers) + 1)):
        errors.append(f"task numbers not contiguous from 1: {numbers}")

    # Structure must equal an independent parse of the source, section by section.
    parsed = parse_changfa_source(text)
    if len(parsed) != len(plan["sections"]):
        errors.append(f"{len(plan['sections'])} sections, source has {len(parsed)}")
    for i, (section, (label, title, items)) in enumerate(
        zip(plan["sections"], parsed, strict=False), start=1
    ):
        if (section["number"], section["label"], section["title"]) != (i, label, title):
            errors.append(
                f"section {i}: {section['label']}{section['title']} != source {label}{title}"
            )
        if f"{section['label']}{section['title']}" not in text.split("\n"):
            errors.append(f"section {i}: heading line not in source")
        got = [(t["number"], t["text"], t["lead_unit"], t["co_units"]) for t in section["tasks"]]
        want = [(num, body, units[0], units[1:]) for num, _sep, body, units in items]
        if got != want:
            errors.append(f"section {i} ({title}): tasks differ from the source")

    # Plan-level facts stated in the source.
    m = re.search(r"重点实施“([一二三四五六七八九十]+)大工程”", text)
    if not m or cn_to_int(m.group(1)) != len(plan["sections"]):
        errors.append("section count does not match 重点实施“N大工程”")
    if plan["doc_number"] not in text.split("\n"):
        errors.append("doc_number not in source")
    if plan["title"] not in text.split("\n"):
        errors.append("title not a line of the source")
    y, mo, d = (int(x) for x in plan["issued_on"].split("-"))
    if f"{y}年{mo}月{d}日" not in text:
        errors.append("issued_on not in source")
    for issuer in plan["issuer"].split("、"):
        if issuer not in text.split("\n"):
            errors.append(f"issuer {issuer} not a line of the source")
    if f"建立{plan['working_group']}" not in text:
        errors.append("working_group not in source")
    return errors


# --------------------------------------------------------------------------- zone plan

COUNT_WORDS = {n: int_to_cn(n) for n in range(1, 11)}  # 五项 = 5, 三项 = 3, …


def check_zone_section(section, text):
    """One part: its measures, joined with 、, must be the source's list for that part."""
    errors = []
    label = f"第{int_to_cn(section['number'])}部分"
    if section["label"] != label:
        errors.append(f"section {section['number']}: label {section['label']!r}")
    titles = [t["title"] for t in section["tasks"]]
    count = COUNT_WORDS.get(len(titles), "?")
    sentence = f"{label}是{section['title']}。提出了{'、'.join(titles)}等{count}项举措。"
    if sentence not in text:
        errors.append(f"{label}: '{sentence[:40]}…' not in source")
    for j, task in enumerate(section["tasks"], start=1):
        if not task["title"] or task["text"] != task["title"]:
            errors.append(f"{label} 举措{j}: text must equal title")
        if task["source_ref"] != f"三、{label} 举措{j}":
            errors.append(f"{label} 举措{j}: source_ref {task['source_ref']!r}")
        if task["lead_unit"] != ZONE_LEAD or task["co_units"] != []:
            errors.append(f"{label} 举措{j}: units {task['lead_unit']} {task['co_units']}")
        if task["due_phrase"] not in text:
            errors.append(f"{label} 举措{j}: due_phrase not in source")
        year = re.search(r"(\d{4})年", task["due_phrase"])
        if not year or task["due_date"] != f"{year.group(1)}-12-31":
            errors.append(f"{label} 举措{j}: due_date does not follow due_phrase")
        if task["status"] != "pending":
            errors.append(f"{label} 举措{j}: status {task['status']!r}")
    return errors


def check_zone_plan(plan, text):
    errors = []
    for section in plan["sections"]:
        errors += check_zone_section(section, text)

    numbers = [t["number"] for _, t in all_tasks(plan)]
    if numbers != list(range(1, len(numbers) + 1)):
        errors.append("measure numbers not contiguous from 1")
    if [s["number"] for s in plan["sections"]] != list(range(1, len(plan["sections"]) + 1)):
        errors.append("section numbers not contiguous from 1")

    # Independent parse: the parts in the source, in order, with their stated counts.
    cn = "[一二三四五六七八九十]+"
    parts = re.findall(rf"第({cn})部分是(.+?)。提出了.+?等({cn})项举措", text)
    if [(cn_to_int(n), title, cn_to_int(c)) for n, title, c in parts] != [
        (s["number"], s["title"], len(s["tasks"])) for s in plan["sections"]
    ]:
        errors.append("sections/counts differ from the parts listed in the source")
    total = re.search(r"共有([一二三四五六七八九十]+)部分、(\d+)项举措", text)
    if not total:
        errors.append("source total '共有N部分、M项举措' not found")
    else:
        if cn_to_int(total.group(1)) != len(plan["sections"]):
            errors.append("section count differs from 共有N部分")
        if int(total.group(2)) != len(numbers):
            errors.append("measure count differs from M项举措")

    # Plan-level facts.
    if plan["doc_number"] is not None or "发文字号 发文时间" not in text:
        errors.append("doc_number must be null: the source's 发文字号 is empty")
    if plan["title"] not in text:
        errors.append("title not in source")
    if f"发文时间{plan['issued_on']}" not in text:
        errors.append("issued_on is not the source's 发文时间")
    if f"{plan['issuer']}出台了" not in text:
        errors.append("issuer not the body that 出台了 the plan")
    zone = "长治高新区"
    if not (plan["working_group"].startswith(zone) and plan["working_group"][len(zone) :] in text):
        errors.append("working_group not in source")
    lines = text.split("\n")
    for phase in plan["phases"]:
        if not any(line.startswith(phase["phrase"] + "。") for line in lines):
            errors.append(f"phase {phase['phrase']} not a paragraph start in source")
        year = phase["year"]
        if not phase["phrase"].startswith(f"{year}年") or phase["due_date"] != f"{year}-12-31":
            errors.append(f"phase {phase['year']}: year/due_date inconsistent")
    if plan["period_end"] != plan["phases"][-1]["due_date"]:
        errors.append("period_end is not the last phase's due date")
    return errors


# --------------------------------------------------------------------------- units


def check_units(units, plans):
    errors = []
    names = [u["name"] for u in units]
    by_name = {u["name"]: u for u in units}
    if len(names) != len(set(names)):
        errors.append("duplicate unit names")
    codes = [u["code"] for u in units]
    if len(codes) != len(set(codes)):
        errors.append("duplicate unit codes")
    for u in units:
        if not CODE_RE.match(u["code"]):
            errors.append(f"{u['name']}: bad code {u['code']!r}")
        if u["kind"] not in UNIT_KINDS:
            errors.append(f"{u['name']}: bad kind {u['kind']!r}")
        if not u["full_name"]:
            errors.append(f"{u['name']}: empty full_name")
        if not isinstance(u["aliases"], list):
            errors.append(f"{u['name']}: aliases must be a list")
        succ = u["successor"]
        if succ is not None:
            if succ not in by_name or succ == u["name"]:
                errors.append(f"{u['name']}: successor {succ!r} is not another unit")
            if not u["successor_note"]:
                errors.append(f"{u['name']}: successor without successor_note")
        # follow the chain: it must end, never loop
        seen = {u["name"]}
        while succ is not None and succ in by_name:
            if succ in seen:
                errors.append(f"{u['name']}: successor cycle")
                break
            seen.add(succ)
            succ = by_name[succ]["successor"]
    for plan in plans:
        for _, task in all_tasks(plan):
            for name in [task["lead_unit"], *task["co_units"]]:
                if name not in by_name:
                    where = f"{plan['key']} task {task['number']}"
                    errors.append(f"{where}: unit {name} not in units.json")
    return errors


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def changfa():
    return load_json(PLANS / "changfa-2017-29.json")


@pytest.fixture(scope="module")
def zone():
    return load_json(PLANS / "czgxq-shuangchuang-2021.json")


@pytest.fixture(scope="module")
def units():
    return load_json(SEEDS / "units.json")["units"]


# --------------------------------------------------------------------------- tests: sources


@pytest.mark.parametrize("name", [CHANGFA_FILE, ZONE_FILE])
def test_source_copied(name):
    assert (SOURCES / name).is_file()
    (SOURCES / name).read_text(encoding="utf-8")  # must be valid UTF-8


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared seed-documents not available")
@pytest.mark.parametrize("name", [CHANGFA_FILE, ZONE_FILE])
def test_source_byte_identical_to_shared(name):
    assert (SOURCES / name).read_bytes() == (SHARED / name).read_bytes()


SEED_JSON = ["units.json", "plans/changfa-2017-29.json", "plans/czgxq-shuangchuang-2021.json"]


@pytest.mark.parametrize("path", SEED_JSON)
def test_json_is_utf8_not_escaped(path):
    raw = (SEEDS / path).read_text(encoding="utf-8")
    assert "\\u" not in raw
    json.loads(raw)


def test_plan_sources_point_to_copies(changfa, zone):
    assert changfa["source"] == f"sources/{CHANGFA_FILE}"
    assert zone["source"] == f"sources/{ZONE_FILE}"


@pytest.mark.parametrize("fixture", ["changfa", "zone"])
def test_plan_fields(fixture, request):
    plan = request.getfixturevalue(fixture)
    for key in (
        "key",
        "doc_number",
        "title",
        "issuer",
        "issued_on",
        "period_start",
        "period_end",
        "working_group",
        "source",
        "note",
        "sections",
    ):
        assert key in plan, key
    for key in ("issued_on", "period_start", "period_end"):
        assert DATE_RE.match(plan[key])
    assert plan["period_start"] <= plan["period_end"]
    for _, task in all_tasks(plan):
        assert DATE_RE.match(task["due_date"])
        assert plan["period_start"] <= task["due_date"] <= plan["period_end"]


# --------------------------------------------------------------------------- tests: 2017 plan


def test_changfa_counts(changfa):
    assert len(changfa["sections"]) == 7
    assert [t["number"] for _, t in all_tasks(changfa)] == list(range(1, 41))
    # and the source itself has exactly as many items and headings
    parsed = parse_changfa_source(source_text(changfa))
    assert len(parsed) == 7
    assert sum(len(items) for _, _, items in parsed) == 40


def test_changfa_matches_source(changfa):
    assert check_changfa_plan(changfa, source_text(changfa)) == []


def test_changfa_each_task_line(changfa):
    text = source_text(changfa)
    failures = [e for s, t in all_tasks(changfa) for e in check_changfa_task(s, t, text)]
    assert failures == []


def test_changfa_item6_uses_dunhao_separator(changfa):
    task6 = next(t for _, t in all_tasks(changfa) if t["number"] == 6)
    assert f"6、{task6['text']}(" in source_text(changfa)


def test_changfa_inner_parentheses_kept(changfa):
    texts = {t["number"]: t["text"] for _, t in all_tasks(changfa)}
    assert "农村双创园区(基地)" in texts[5]
    assert "首台(套)" in texts[28]
    assert not any(t.endswith(")") for t in texts.values())


def test_changfa_note_mentions_2018_target(changfa):
    assert "到2018年底" in changfa["note"]


# --------------------------------------------------------------------------- tests: zone plan


def test_zone_counts(zone):
    assert len(zone["sections"]) == 13
    assert [t["number"] for _, t in all_tasks(zone)] == list(range(1, 48))


def test_zone_matches_source(zone):
    assert check_zone_plan(zone, source_text(zone)) == []


def test_zone_each_section(zone):
    text = source_text(zone)
    failures = [e for s in zone["sections"] for e in check_zone_section(s, text)]
    assert failures == []


def test_zone_tricky_measures(zone):
    titles = [t["title"] for _, t in all_tasks(zone)]
    assert "促进和推进长治市域内高等学校人才、学科、科研三位一体的创新合作和创新能力" in titles
    assert "培育社会创新基因,激发创业创新活力" in titles


def test_zone_phases(zone):
    assert [p["year"] for p in zone["phases"]] == [2021, 2022, 2023]


# --------------------------------------------------------------------------- tests: units


def test_units_valid(units, changfa, zone):
    assert check_units(units, [changfa, zone]) == []


def test_units_required_codes(units):
    by_code = {u["code"]: u["name"] for u in units}
    assert by_code["fgw"] == "市发改委"
    assert by_code["kjj"] == "市科技局"


def test_units_zone_bodies_present(units):
    names = {u["name"] for u in units}
    assert {"长治高新区创新创业服务中心", "长治高新区管委会"} <= names


def test_units_named_in_2017_plan_appear_in_source(units, changfa):
    """Every unit used by the 2017 plan is spelled exactly as in the source's unit lists."""
    text = source_text(changfa)
    in_source = {u for _, _, items in parse_changfa_source(text) for *_, us in items for u in us}
    used = {n for _, t in all_tasks(changfa) for n in [t["lead_unit"], *t["co_units"]]}
    assert used == in_source
    assert in_source <= {u["name"] for u in units}


# ---------------------------------------------------------------- sanity: the checks can fail


def _task(plan, number):
    return next(t for _, t in all_tasks(plan) if t["number"] == number)


def test_sanity_swapped_lead_and_co_unit_rejected(changfa):
    text = source_text(changfa)
    bad = copy.deepcopy(changfa)
    task = _task(bad, 5)  # (市科技局、市人社局、市农委)
    task["lead_unit"], task["co_units"][0] = task["co_units"][0], task["lead_unit"]
    section = next(s for s in bad["sections"] if task in s["tasks"])
    assert check_changfa_task(section, task, text)
    assert check_changfa_plan(bad, text)


def test_sanity_corrupted_2017_records_rejected(changfa):
    text = source_text(changfa)

    bad = copy.deepcopy(changfa)
    _task(bad, 28)["text"] = _task(bad, 28)["text"].replace("首台(套)", "首台")
    assert check_changfa_plan(bad, text)

    bad = copy.deepcopy(changfa)  # task moved into the wrong section
    moved = bad["sections"][0]["tasks"].pop()
    bad["sections"][1]["tasks"].insert(0, moved)
    assert check_changfa_plan(bad, text)

    bad = copy.deepcopy(changfa)  # last section dropped
    bad["sections"].pop()
    assert check_changfa_plan(bad, text)

    bad = copy.deepcopy(changfa)  # co-unit dropped
    _task(bad, 33)["co_units"].pop()
    assert check_changfa_plan(bad, text)

    bad = copy.deepcopy(changfa)  # title past the first 。
    _task(bad, 1)["title"] = _task(bad, 1)["text"]
    assert check_changfa_plan(bad, text)


def test_sanity_corrupted_zone_records_rejected(zone):
    text = source_text(zone)

    bad = copy.deepcopy(zone)  # part 6's measure naively split on 、
    sec6 = bad["sections"][5]
    third = sec6["tasks"][2]
    pieces = third["title"].split("、")
    sec6["tasks"][2:3] = [dict(third, title=p, text=p) for p in pieces]
    assert check_zone_section(sec6, text)
    assert check_zone_plan(bad, text)

    bad = copy.deepcopy(zone)  # measures swapped between parts 1 and 2
    a, b = bad["sections"][0]["tasks"], bad["sections"][1]["tasks"]
    a[0]["title"], b[0]["title"] = b[0]["title"], a[0]["title"]
    a[0]["text"], b[0]["text"] = a[0]["title"], b[0]["title"]
    assert check_zone_plan(bad, text)

    bad = copy.deepcopy(zone)  # one measure of part 9 dropped
    bad["sections"][8]["tasks"].pop()
    assert check_zone_plan(bad, text)

    bad = copy.deepcopy(zone)
    bad["phases"][1]["phrase"] = "2022年架梁立柱"
    assert check_zone_plan(bad, text)


def test_sanity_corrupted_units_rejected(units, changfa, zone):
    plans = [changfa, zone]

    bad = [u for u in copy.deepcopy(units) if u["name"] != "市保险协会"]
    assert check_units(bad, plans)

    bad = copy.deepcopy(units)
    bad[1]["code"] = bad[0]["code"]
    assert check_units(bad, plans)

    bad = copy.deepcopy(units)
    bad[0]["code"] = "FGW1"
    assert check_units(bad, plans)

    bad = copy.deepcopy(units)  # a -> b -> a
    bad[0]["successor"], bad[0]["successor_note"] = bad[1]["name"], "x"
    bad[1]["successor"], bad[1]["successor_note"] = bad[0]["name"], "x"
    assert any("cycle" in e for e in check_units(bad, plans))

    bad = copy.deepcopy(units)
    bad[0]["successor"], bad[0]["successor_note"] = "市不存在局", "x"
    assert check_units(bad, plans)
