"""A labelled set of case pairs for the duplicate check (integrity.md), generated.

Each matter is a template: a category, a place, the parties, and several ways officers write
it (clauses that can be reworded, reordered, shortened). From them:

positives (the same matter entered twice)
- ``paraphrase``: written again in other words, the point a little moved, days later;
- ``paraphrase_bare``: other words, half the facts, no parties, up to 250 m and 14 days;
- ``moved``: the same words, the point moved 50–250 m (a second officer, another GPS fix);
- ``photo``: the same photo re-used (or re-saved: a few bits apart), described briefly;
negatives (hard ones: what a naive check would flag)
- ``same_place``: another matter of the same category at the same spot in the same week;
- ``same_parties_later``: the same people and words, 40–120 days later (a new occurrence);
- ``neighbour``: another matter nearby, other people, a few days apart.

The templates are split in two disjoint halves: ``tuning`` (used while choosing the weights)
and ``held_out`` (only measured). Same seed, same set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gridcase.assessment.duplicates import Party, Sketch

# Synonyms officers use for the same thing; a paraphrase swaps some of them.
SYNONYMS = [
    ("反映", "反应", "投诉", "来电称"),
    ("噪音", "噪声", "吵闹声"),
    ("扰民", "影响居民休息", "影响周边群众"),
    ("堵塞", "堵住", "占用"),
    ("要求", "希望", "请求"),
    ("处理", "解决", "协调"),
    ("发生", "出现", "产生"),
    ("村民", "群众", "居民"),
    ("存在", "有"),
    ("损坏", "坏了", "破损"),
    ("三组", "3组", "第三组"),
    ("五号", "5号"),
    ("楼下", "楼底下"),
    ("纠纷", "矛盾", "争执"),
    ("已经", "已"),
    ("多次", "几次", "反复"),
]
FILLERS = ["据", "经了解,", "网格员巡查发现,", "现场查看,", "", "", ""]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉珍春"

# (category, place, clauses): each clause is one fact of the matter.
TEMPLATES = [
    (
        "dispute",
        "东村三组",
        [
            "{a}与{b}因宅基地边界发生纠纷",
            "{a}新砌围墙占用{b}家通道",
            "双方多次争吵",
            "要求村里出面处理",
        ],
    ),
    (
        "dispute",
        "西村五号",
        ["{a}家养狗咬伤{b}", "{b}要求赔偿医药费", "{a}认为赔偿过高", "双方发生争执"],
    ),
    (
        "dispute",
        "金桂小区3栋",
        ["{a}家空调外机滴水", "楼下{b}家阳台被淋湿", "{b}多次上门协商未果", "要求物业协调处理"],
    ),
    (
        "dispute",
        "南塘组",
        ["{a}与{b}因承包田灌溉用水发生纠纷", "{a}堵塞水渠", "{b}家稻田缺水", "要求村委会处理"],
    ),
    (
        "dispute",
        "新街菜市场",
        [
            "摊主{a}与顾客{b}因缺斤少两发生争执",
            "{b}称买的猪肉少了二两",
            "双方推搡",
            "市场管理员到场劝解",
        ],
    ),
    (
        "dispute",
        "枫林组",
        [
            "{a}与{b}因山林界址发生纠纷",
            "{a}砍伐了界边的杉树",
            "{b}认为是自家林地",
            "要求林业站确权",
        ],
    ),
    (
        "dispute",
        "长塘中学门口",
        ["{a}的电动车与{b}的自行车相撞", "{b}手臂擦伤", "双方对责任有分歧", "要求交警处理"],
    ),
    ("dispute", "东风组", ["{a}欠{b}工钱八千元", "多次催讨未还", "{b}情绪激动", "要求村里协调"]),
    (
        "dispute",
        "水库边",
        ["{a}与{b}因鱼塘承包费发生纠纷", "{a}未按时交承包费", "{b}要收回鱼塘", "双方僵持不下"],
    ),
    ("dispute", "幸福小区", ["{a}在楼道堆放杂物", "{b}认为影响通行", "双方争吵", "要求物业清理"]),
    (
        "dispute",
        "花桥组",
        [
            "{a}与其儿媳{b}因赡养问题发生家庭矛盾",
            "{a}年老多病无人照顾",
            "{b}拒绝出赡养费",
            "要求村里调解",
        ],
    ),
    (
        "dispute",
        "老街",
        ["{a}的烧烤摊夜间噪音扰民", "居民{b}多次投诉", "{a}不予理会", "要求晚上十点后停止营业"],
    ),
    (
        "security_hazard",
        "金桂小区3栋",
        ["消防通道被电动车堵塞", "楼道内有人充电", "存在火灾隐患", "已通知物业清理"],
    ),
    (
        "security_hazard",
        "东村三组",
        ["村道旁电线杆倾斜", "电线下垂离地面不足两米", "存在触电危险", "已联系供电所"],
    ),
    (
        "security_hazard",
        "长塘中学门口",
        ["路口红绿灯损坏", "上下学时段车辆混乱", "学生过马路危险", "建议交警派人值守"],
    ),
    (
        "security_hazard",
        "水库边",
        ["水库护栏损坏约十米", "有小孩在附近玩耍", "存在溺水隐患", "已设置警示牌"],
    ),
    (
        "security_hazard",
        "新街菜市场",
        ["市场内液化气罐随意摆放", "部分摊位私拉电线", "存在消防隐患", "已告知市场管理方整改"],
    ),
    (
        "security_hazard",
        "西村五号",
        ["{a}家老房子墙体开裂", "有倒塌危险", "屋内仍有老人居住", "已劝{a}暂时搬离"],
    ),
    (
        "security_hazard",
        "枫林组",
        ["山体出现裂缝", "雨后有落石", "下方有三户村民", "已通知国土所查看"],
    ),
    (
        "security_hazard",
        "幸福小区",
        ["小区大门门禁损坏", "外来人员随意进出", "近期发生两起盗窃", "要求物业尽快维修"],
    ),
    (
        "livelihood_service",
        "东风组",
        ["低保户{a}房屋漏雨", "屋顶瓦片破损", "家中无劳动力", "申请危房改造帮扶"],
    ),
    (
        "livelihood_service",
        "花桥组",
        ["独居老人{a}行动不便", "需要上门送药", "子女在外务工", "联系卫生院定期上门"],
    ),
    (
        "livelihood_service",
        "老街",
        ["老街路灯损坏五盏", "夜间没有照明", "居民出行不便", "已报城管所维修"],
    ),
    (
        "livelihood_service",
        "南塘组",
        ["组里自来水停水三天", "水管破裂", "村民生活用水困难", "已联系水厂抢修"],
    ),
    (
        "livelihood_service",
        "幸福小区",
        ["小区垃圾清运不及时", "垃圾桶满溢", "气味难闻", "要求环卫所增加清运次数"],
    ),
    (
        "livelihood_service",
        "长塘中学门口",
        ["学生{a}家庭困难", "面临辍学", "母亲患病", "申请教育救助"],
    ),
]

PLACES = {}  # place -> (lat, lon), laid out across a town of about 8 × 8 km
T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _place(name: str, rng: random.Random) -> tuple[float, float]:
    if name not in PLACES:
        PLACES[name] = (28.10 + rng.random() * 0.07, 112.60 + rng.random() * 0.08)
    return PLACES[name]


def _move(point: tuple[float, float], metres: float, rng: random.Random) -> tuple[float, float]:
    import math

    angle = rng.random() * 2 * math.pi
    dlat = metres * math.cos(angle) / 111_195
    dlon = metres * math.sin(angle) / (111_195 * math.cos(math.radians(point[0])))
    return point[0] + dlat, point[1] + dlon


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _reword(text: str, rng: random.Random, strength: float) -> str:
    for group in SYNONYMS:
        for word in group:
            if word in text and rng.random() < strength:
                text = text.replace(word, rng.choice(group))
                break
    return text


def _write(
    clauses: list[str], people: dict[str, str], rng: random.Random, *, strength: float, keep: float
) -> str:
    chosen = [c for c in clauses if rng.random() < keep] or clauses[:2]
    if rng.random() < strength:
        rng.shuffle(chosen)
    text = rng.choice(FILLERS) + ",".join(chosen)
    return _reword(text.format(**people), rng, strength)


@dataclass(frozen=True)
class Pair:
    a: Sketch
    b: Sketch
    duplicate: bool
    kind: str
    part: str  # tuning | held_out


def _case(number, category, place, text, at, point, parties, photos=()):
    return Sketch(
        number=number,
        category=category,
        submitted_at=at + timedelta(hours=2),
        occurred_at=at,
        latitude=point[0],
        longitude=point[1],
        text=f"{place} {text}",
        parties=tuple(parties),
        photos=tuple(photos),
    )


def _photo(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def _near_photo(photo: str, rng: random.Random) -> str:
    value = int(photo, 16)
    for _ in range(rng.choice((0, 0, 1, 2, 4))):
        value ^= 1 << rng.randrange(64)
    return f"{value:016x}"


def generate(seed: int = 7, per_template: int = 12) -> list[Pair]:
    rng = random.Random(seed)
    indexes = list(range(len(TEMPLATES)))
    rng.shuffle(indexes)
    held_out = set(indexes[: len(indexes) // 2])
    pairs: list[Pair] = []
    n = 0

    def number() -> str:
        nonlocal n
        n += 1
        return f"B-{n:05d}"

    for index, (category, place, clauses) in enumerate(TEMPLATES):
        part = "held_out" if index in held_out else "tuning"
        others = [t for t in TEMPLATES if t[0] == category and t[2] is not clauses]
        home = _place(place, rng)
        for _ in range(per_template):
            people = {"a": _name(rng), "b": _name(rng)}
            parties = [Party(people["a"], _phone(rng)), Party(people["b"], _phone(rng))]
            at = T0 + timedelta(days=rng.randrange(0, 60), hours=rng.randrange(0, 10))
            point = _move(home, rng.random() * 60, rng)
            photo = _photo(rng)
            first = _case(
                number(),
                category,
                place,
                _write(clauses, people, rng, strength=0.3, keep=0.9),
                at,
                point,
                parties,
                (photo,) if rng.random() < 0.4 else (),
            )

            def second_parties(rng=rng, parties=parties):
                roll = rng.random()
                if roll < 0.55:
                    return list(reversed(parties))
                if roll < 0.8:
                    return [Party(parties[0].name, "")]  # only one, without a phone
                return []  # not entered a second time

            def add(
                kind,
                duplicate,
                text,
                when,
                where,
                parties,
                photos=(),
                at_place=place,
                *,
                first=first,
                category=category,
                part=part,
            ):
                """A second case beside ``first`` (its matter again, or another), labelled."""
                second = _case(number(), category, at_place, text, when, where, parties, photos)
                pairs.append(Pair(first, second, duplicate, kind, part))

            # positives
            later = at + timedelta(days=rng.random() * 7)
            add(
                "paraphrase",
                True,
                _write(clauses, people, rng, strength=0.7, keep=0.75),
                later,
                _move(point, rng.random() * 150, rng),
                second_parties(),
            )
            # another officer, other words, half the facts, no parties entered, two weeks
            add(
                "paraphrase_bare",
                True,
                _write(clauses, people, rng, strength=0.9, keep=0.5),
                at + timedelta(days=rng.random() * 14),
                _move(point, rng.random() * 250, rng),
                [],
            )
            add(
                "moved",
                True,
                first.text.split(" ", 1)[1],
                at + timedelta(days=rng.random() * 3),
                _move(point, 50 + rng.random() * 200, rng),
                second_parties(),
            )
            add(
                "photo",
                True,
                _write(clauses[:2], people, rng, strength=0.8, keep=0.6),
                at + timedelta(days=rng.random() * 5),
                _move(point, rng.random() * 100, rng),
                second_parties(),
                photos=(_near_photo(photo, rng),),
            )
            if first.photos == ():  # the photo pair needs the first case's photo
                pairs[-1] = Pair(
                    Sketch(**{**first.__dict__, "photos": (photo,)}),
                    pairs[-1].b,
                    True,
                    "photo",
                    part,
                )

            # hard negatives
            other_category, other_place, other_clauses = rng.choice(others)
            strangers = {"a": _name(rng), "b": _name(rng)}
            add(
                "same_place",
                False,
                _write(other_clauses, strangers, rng, strength=0.3, keep=0.9),
                at + timedelta(days=rng.random() * 7),
                _move(point, rng.random() * 80, rng),
                [Party(strangers["a"], _phone(rng)), Party(strangers["b"], _phone(rng))],
            )
            add(
                "same_parties_later",
                False,
                _write(clauses, people, rng, strength=0.3, keep=0.9),
                at + timedelta(days=40 + rng.random() * 80),
                _move(point, rng.random() * 50, rng),
                parties,
            )
            add(
                "neighbour",
                False,
                _write(other_clauses, strangers, rng, strength=0.3, keep=0.9),
                at + timedelta(days=rng.random() * 10),
                _move(point, 100 + rng.random() * 300, rng),
                [Party(strangers["a"], _phone(rng))],
                at_place=other_place,
            )
    return pairs
