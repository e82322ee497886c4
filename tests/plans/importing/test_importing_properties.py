"""Properties of `propose` over arbitrary text (hypothesis)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.plans.importing import propose

FRAGMENTS = [
    "一、", "二、", "(一)", "(二)", "(", ")", "(", ")", "〔", "〕", "1.", "2、", "(1)", "①",
    "第一条", "第二条 ", "第一部分是", "第十三部分", "《", "》", "、", ",", ";", "。", ":", "\n",
    "\n\n", " ", "——", "·", "|", "\t", "序号", "重点工作", "责任单位", "牵头单位:", "配合单位:",
    "(责任单位:", "市发改委", "区财政局", "各县(市、区)人民政府", "牵头", "配合", "负责",
    "到2020年", "2024年底前", "2025年6月底前", "5月底前", "长期坚持", "每季度", "全年",
    "2021年架梁立柱。", "2023年12月6日", "长发〔2017〕29号", "印发给你们", "的通知", "现将",
    "重点任务", "保障措施", "提出了", "等三项举措", "等十项举措", "出台了《", "发文机关",
    "实施方案", "(2021—2023年)", "“十四五”", "2", "12", "<p>", "</p>", "&nbsp;",
]  # fmt: skip
CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), max_size=6)
pieces = st.one_of(st.sampled_from(FRAGMENTS), CJK, st.text(max_size=4))
documents = st.lists(pieces, max_size=80).map("".join)


def squeezed(s: str) -> str:
    return "".join(ch for ch in s if not ch.isspace() and ch not in "·•・‧")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_propose_never_crashes_and_keeps_to_the_text(text):
    proposal = propose(text)
    flat = squeezed(proposal.text)
    n = len(proposal.text)
    for plan in proposal.plans:
        assert 0 <= plan.span[0] <= plan.span[1] <= n
        for section in plan.sections:
            assert 0 <= section.span[0] <= section.span[1] <= n
        for task in plan.tasks:
            assert 0 <= task.span[0] <= task.span[1] <= n
            names = [task.lead_unit, *task.co_units] if task.lead_unit else task.co_units
            for name in names:
                assert squeezed(name) in flat or name == plan.issuer, name
            if task.lead_unit_provisional:
                assert task.lead_unit == plan.issuer
    proposal.as_json()


@settings(max_examples=100, deadline=None)
@given(documents, st.sampled_from(["市甲局", "长治高新区创新创业服务中心"]))
def test_issuer_hint_is_the_only_unit_not_in_the_text(text, hint):
    proposal = propose(text, issuer_hint=hint)
    flat = squeezed(proposal.text)
    for unit in proposal.units:
        assert squeezed(unit.name) in flat or unit.name in {
            hint,
            *(p.issuer for p in proposal.plans),
        }


@settings(max_examples=100, deadline=None)
@given(documents)
def test_without_issuer_as_lead_no_unit_is_invented(text):
    proposal = propose(text, issuer_as_lead=False)
    flat = squeezed(proposal.text)
    for plan in proposal.plans:
        for task in plan.tasks:
            assert not task.lead_unit_provisional
            if task.lead_unit:
                assert squeezed(task.lead_unit) in flat
