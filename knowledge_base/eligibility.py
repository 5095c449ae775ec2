"""Who can use which center's fast-track pre-examination: answers composed from the
centers table, so every claim in them can be traced to knowledge_base/data."""

from __future__ import annotations

from knowledge_base.base import CenterView, KnowledgeBase, Region

ANY_PATENT_TYPE = "不限"


def _center_line(center: CenterView) -> str:
    return f"• {center.name}（服务地区：{center.area}；预审领域：{'、'.join(center.table_fields)}）"


def _timing_line(kb: KnowledgeBase, patent_type: str | None) -> str:
    types = (
        [kb.patent_types[patent_type]]
        if patent_type in kb.patent_types
        else list(kb.patent_types.values())
    )
    return "预审后授权时间：" + "；".join(f"{t.name}{t.preexam_grant_time}" for t in types) + "。"


def centers_with_field_text(kb: KnowledgeBase, field: str) -> str:
    """'Centers whose scope contains field' as a list, or that none of the listed does."""
    centers = kb.centers_with_field(field)
    if not centers:
        return f"表中所列中心的预审领域暂不包含「{field}」。"
    return f"预审领域包含「{field}」的中心：\n" + "\n".join(_center_line(c) for c in centers)


def center_scope(kb: KnowledgeBase, center: CenterView) -> str:
    """A center's pre-examination fields and the conditions to use them."""
    return (
        f"{center.name}的预审领域：{'、'.join(center.table_fields)}。\n"
        f"申请条件：申请人位于{center.area}，技术领域属于上述范围，并先在该中心完成预审主体备案。\n"
        f"{kb.centers_table_source_line}"
    )


def matching_centers(kb: KnowledgeBase, region: Region, field: str) -> list[CenterView]:
    """Centers serving ``region`` whose scope contains the canonical ``field``."""
    return [c for c in kb.centers_serving(region) if field in c.canonical_fields]


def short_verdict(kb: KnowledgeBase, region: Region | None, field: str | None) -> str | None:
    """One line said before asking the patent type, so the center is named at once."""
    if region is None or not field:
        return None
    matching = matching_centers(kb, region, field)
    if not matching:
        return (
            f"{region.name}的保护中心预审范围里暂时没有「{field}」，稍后我把可选的办法一起告诉您。"
        )
    names = "、".join(c.name for c in matching)
    return f"位于{region.name}、「{field}」领域，可以找{names}申请快速预审。"


def answer_eligibility(
    kb: KnowledgeBase, region: Region | None, field: str | None, patent_type: str | None
) -> str:
    """The eligibility answer for a region and a (canonical or unrecognised) field."""
    sources = kb.sources_line("preexam_timing")
    if region is None or not field:
        return kb.render_answer("eligibility_conditions")
    serving = kb.centers_serving(region)
    known_fields = {f for c in kb.centers() for f in c.canonical_fields} | set(kb.fields)
    if field not in known_fields:
        listed = "\n".join(_center_line(c) for c in serving) or "（表中暂无服务该地区的中心）"
        return (
            f"暂未识别「{field}」对应哪个预审领域。{region.name}可以联系的中心：\n{listed}\n"
            "您可以对照预审领域看看，或把技术说得更具体些，比如“锂电池”“人工智能”“医疗器械”。\n"
            f"{kb.centers_table_source_line}"
        )
    matching = matching_centers(kb, region, field)
    if matching:
        lines = "\n".join(_center_line(c) for c in matching)
        return (
            f"可以申请。位于{region.name}、「{field}」领域的专利，可以向以下中心申请快速预审：\n"
            f"{lines}\n"
            "还需要：① 申请人位于该中心服务地区；② 先在中心完成预审主体备案；"
            "③ 按要求提交预审材料。\n"
            f"{_timing_line(kb, patent_type)}\n{sources}"
        )
    parts = []
    if serving:
        parts.append(
            f"{region.name}的保护中心目前的预审领域不包含「{field}」：\n"
            + "\n".join(_center_line(c) for c in serving)
        )
    else:
        parts.append(
            f"表中暂未列出服务{region.name}的保护中心（表中只列出部分中心；"
            f"{kb.facts['centers_count'].text}），请向当地知识产权管理部门确认。"
        )
    related = [f for f in kb.related_fields(field) if any(f in c.canonical_fields for c in serving)]
    if related:
        parts.append(
            f"相近的领域「{'、'.join(related)}」在当地中心的预审范围内，可咨询中心能否受理。"
        )
    elsewhere = [c for c in kb.centers_with_field(field) if c not in serving]
    if elsewhere:
        parts.append(
            f"其他地区预审「{field}」的中心（一般要求申请人位于其服务地区）：\n"
            + "\n".join(_center_line(c) for c in elsewhere)
        )
    parts.append("不能走预审时，仍可按普通程序向国家知识产权局提交申请。")
    return "\n".join(parts) + "\n" + kb.sources_line("centers_count")
