"""Default risk lexicon, drawn from the domain brief; the admin edits the stored copy."""
from __future__ import annotations

from incident.triage.lexicon import Term

# Categories drive the three observations: "extreme" and "escalation" categories signal the
# emotion observation, "safety" makes an incident urgent.
DEFAULT_TERMS: list[Term] = [
    Term("工商", "regulator", 1), Term("市场监管", "regulator", 1), Term("12315", "regulator", 1),
    Term("消协", "regulator", 1), Term("消费者协会", "regulator", 1),
    Term("投诉", "complaint", 1), Term("3·15", "complaint", 2), Term("12345", "complaint", 1),
    Term("举报", "complaint", 2), Term("信访", "complaint", 2),
    Term("曝光", "media", 2), Term("媒体", "media", 2), Term("记者", "media", 2),
    Term("电视台", "media", 2), Term("微博", "media", 1), Term("抖音", "media", 1),
    Term("热搜", "media", 2), Term("media", "media", 2), Term("journalist", "media", 2),
    Term("报警", "police", 2), Term("打110", "police", 2), Term("police", "police", 2),
    Term("律师", "legal", 2), Term("起诉", "legal", 2), Term("法院", "legal", 2),
    Term("lawyer", "legal", 2), Term("sue", "legal", 2),
    Term("横幅", "protest", 2), Term("拉横幅", "protest", 2), Term("堵门", "protest", 2),
    Term("维权", "protest", 1), Term("banner", "protest", 2),
    Term("摄像", "camera", 1), Term("录像", "camera", 1), Term("直播", "camera", 2),
    Term("camera", "camera", 1),
    Term("今天必须", "extreme", 2), Term("必须今天", "extreme", 2), Term("马上解决", "extreme", 1),
    Term("不解决就", "extreme", 2), Term("跳楼", "extreme", 3),
    Term("受伤", "safety", 3), Term("被困", "safety", 3), Term("困梯", "safety", 3),
    Term("食物中毒", "safety", 3), Term("漏电", "safety", 3), Term("火灾", "safety", 3),
    Term("坍塌", "safety", 3), Term("injured", "safety", 3), Term("trapped", "safety", 3),
]
