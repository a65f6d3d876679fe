"""Deterministic, realistic Chinese claimants for the demo, tests and benchmarks.

Names include rare characters (𠮷 outside the BMP, 䶮 in CJK extension A) so fonts and exports get
exercised; phones are valid mainland mobile numbers that belong to nobody in particular.
"""
from __future__ import annotations

import random
from typing import Iterator

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ("建国", "秀英", "桂兰", "志强", "丽娟", "海燕", "俊杰", "子涵", "雨桐", "浩然", "欣怡", "宇轩", "淑珍",
         "国华", "玉兰", "明", "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超")
RARE = ("𠮷", "䶮", "㛃", "堃", "犇", "淼", "燚", "昇")
PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186", "187", "188", "177")


def name(rng: random.Random, i: int) -> str:
    """A full name; about one in twelve carries a rare character."""
    given = rng.choice(GIVEN)
    if i % 12 == 5:
        given = RARE[(i // 12) % len(RARE)] + given[-1:]
    return rng.choice(SURNAMES) + given


def phone(rng: random.Random) -> str:
    return rng.choice(PREFIXES) + f"{rng.randrange(10**8):08d}"


def id_number(rng: random.Random) -> str:
    """An 18-character resident ID shape (region, birth date, sequence, check)."""
    region = rng.choice(("110105", "310115", "440305", "320106", "510107"))
    birth = f"{rng.randrange(1950, 2004)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    body = region + birth + f"{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def households(n: int, buildings: tuple[int, ...] = (3, 4, 5), seed: int = 7,
               compound: str = "锦绣花园") -> Iterator[dict[str, str]]:
    """n households over the buildings: unit 3-1-1201 (building-entrance-floor/flat), segment 3号楼."""
    rng = random.Random(seed)
    seen: set[str] = set()
    flats = [(b, e, f, r) for b in buildings for e in (1, 2) for f in range(2, 34) for r in (1, 2)]
    rng.shuffle(flats)
    phones: set[str] = set()
    for i, (b, e, fl, r) in enumerate(flats[:n]):
        p = phone(rng)
        while p in phones:
            p = phone(rng)
        phones.add(p)
        unit = f"{b}-{e}-{fl}{r:02d}"
        assert unit not in seen
        seen.add(unit)
        yield {"name": name(rng, i), "unit": unit, "phone": p, "segment": f"{compound}{b}号楼",
               "id_number": id_number(rng) if i % 3 == 0 else ""}
