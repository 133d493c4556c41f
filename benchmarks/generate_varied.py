"""A second corpus generator: cases composed from word pools and sentence frames, fixed seed.

    python benchmarks/generate_varied.py 10000 /tmp/jiandu-varied-10000

Unlike `generate_corpus.py`, which reuses the sample library's sentences, every
sentence here is put together from independent slots (place, unit, topic, step,
measure, number, named campaign), so the vocabulary grows with the corpus the way
a real library's does: many rare words, few repeated sentences. Segmentation
caches, query latency and index size are measured honestly on it.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

PROVINCES = {
    "江苏": ["南京", "无锡", "徐州", "苏州", "南通", "连云港", "扬州", "镇江", "泰州", "宿迁"],
    "浙江": ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"],
    "安徽": ["合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "安庆", "黄山", "滁州", "阜阳", "宣城"],
    "山东": ["济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "临沂"],
    "河南": ["郑州", "开封", "洛阳", "平顶山", "安阳", "新乡", "焦作", "许昌", "南阳", "信阳"],
    "湖北": ["武汉", "黄石", "十堰", "宜昌", "襄阳", "荆州", "孝感", "黄冈", "咸宁", "恩施"],
    "湖南": ["长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "益阳", "郴州", "怀化"],
    "四川": ["成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳", "广元", "乐山", "南充", "宜宾"],
    "云南": ["昆明", "曲靖", "玉溪", "保山", "昭通", "丽江", "普洱", "临沧", "大理", "红河"],
    "黑龙江": ["哈尔滨", "齐齐哈尔", "鸡西", "鹤岗", "双鸭山", "大庆", "伊春", "牡丹江", "黑河", "绥化"],
    "甘肃": ["兰州", "嘉峪关", "金昌", "白银", "天水", "武威", "张掖", "平凉", "酒泉", "庆阳"],
    "广西": ["南宁", "柳州", "桂林", "梧州", "北海", "钦州", "贵港", "玉林", "百色", "河池"],
}
COUNTY_SUFFIX = ["县", "区", "市"]
COUNTY_HEADS = ["东", "西", "南", "北", "新", "平", "安", "永", "兴", "宁", "清", "长", "丰", "阳", "河", "山",
                "城", "江", "湖", "泉", "石", "桥", "林", "川", "乐", "昌", "华", "德", "定", "临"]

CATEGORIES = ["司法公正", "执法规范", "办案效率", "司法改革", "队伍建设"]
MECHANISMS = ["信息共享", "联合监督", "双向衔接", "工作互动", "案件评查", "专项检查", "挂牌督办", "线索移送", "政治督察"]

SUPERVISORS = ["市人大常委会", "市委政法委", "市人民检察院", "县人大常委会", "县委政法委", "县人民检察院",
               "区委政法委", "区人民检察院", "市人大监察和司法委员会", "市委政法委执法监督科"]
UNITS = ["市中级人民法院", "区人民法院", "县人民法院", "市公安局", "区公安分局", "县公安局", "市司法局", "县司法局",
         "市看守所", "市监狱", "市自然资源和规划局", "市生态环境局", "市市场监督管理局", "市住房和城乡建设局",
         "市人力资源和社会保障局", "市交通运输局", "市农业农村局", "市应急管理局", "市税务局", "市卫生健康委员会",
         "市教育局", "市文化广电和旅游局", "市城市管理综合行政执法局", "市水利局", "市林业局", "市医疗保障局",
         "县市场监督管理局", "县综合行政执法局", "市社区矫正管理局", "市强制隔离戒毒所", "市公证处", "市法律援助中心"]

# Topic: (category, title stem, keywords, problem words)
TOPICS = [
    ("办案效率", "长期未结案件清理", ["久押不决", "未结案件", "超期羁押"], ["羁押期限届满未及时变更强制措施", "案件长期搁置无人推进"]),
    ("办案效率", "涉企挂案清理", ["挂案", "涉企案件", "营商环境"], ["立案后长期不侦不结", "涉案企业账户冻结超期"]),
    ("办案效率", "民事执行积案攻坚", ["执行难", "终本案件", "财产查控"], ["终结本次执行程序把关不严", "执行款发放迟缓"]),
    ("执法规范", "行政执法与刑事司法衔接", ["两法衔接", "行刑衔接", "案件移送"], ["涉嫌犯罪案件以罚代刑", "移送材料不全被退回"]),
    ("执法规范", "涉案财物管理", ["涉案财物", "随案移送", "保管处置"], ["涉案财物登记不全", "处置程序缺少审批"]),
    ("执法规范", "受案立案监督", ["立案监督", "有案不立", "不当立案"], ["接报警情未录入系统", "立案标准把握不一"]),
    ("执法规范", "行政处罚裁量基准落实", ["裁量基准", "行政处罚", "执法公示"], ["同案不同罚", "处罚决定说理不充分"]),
    ("执法规范", "生态环境执法监督", ["生态环境", "非法排污", "公益诉讼"], ["环境违法线索未及时移送", "行政处罚执行不到位"]),
    ("执法规范", "食品药品安全执法检查", ["食品药品", "危害食品安全", "两法衔接"], ["抽检不合格产品未依法处置", "案件移送标准不清"]),
    ("执法规范", "自然资源违法用地查处", ["违法用地", "耕地保护", "非诉执行"], ["违法占地查处不到位", "非诉执行申请超期"]),
    ("司法公正", "减刑假释案件评查", ["减刑假释", "暂予监外执行", "刑罚执行"], ["计分考核材料不完整", "保外就医病情鉴定把关不严"]),
    ("司法公正", "刑事审判监督", ["量刑建议", "认罪认罚", "抗诉"], ["量刑明显失衡", "认罪认罚具结书签署不规范"]),
    ("司法公正", "民事虚假诉讼监督", ["虚假诉讼", "民事检察", "再审检察建议"], ["双方恶意串通转移财产", "调解协议损害第三人利益"]),
    ("司法公正", "涉法涉诉信访化解", ["涉法涉诉", "信访积案", "司法救助"], ["信访诉求长期未回应", "救助标准把握偏差"]),
    ("司法公正", "未成年人司法保护", ["未成年人", "强制报告", "附条件不起诉"], ["强制报告制度落实不到位", "帮教措施流于形式"]),
    ("司法公正", "刑事立案侦查活动监督", ["侦查活动监督", "非法证据", "立案监督"], ["讯问同步录音录像缺失", "证据收集程序不规范"]),
    ("司法改革", "员额法官检察官办案质效评价", ["员额法官", "员额检察官", "司法责任制"], ["院庭长办案数量不达标", "案件质量评查结果运用不足"]),
    ("司法改革", "认罪认罚从宽制度落实", ["认罪认罚", "值班律师", "量刑协商"], ["值班律师参与流于形式", "从宽幅度把握不一"]),
    ("司法改革", "繁简分流机制改革", ["繁简分流", "速裁程序", "诉源治理"], ["简案不简", "诉前调解衔接不畅"]),
    ("司法改革", "执法司法制约监督体系建设", ["制约监督", "权力运行", "监督管理"], ["内部监督制度执行不严", "审批流程留痕不全"]),
    ("司法改革", "社区矫正工作规范化", ["社区矫正", "脱管漏管", "矫正对象"], ["矫正对象外出审批不严", "电子定位监管存在盲区"]),
    ("队伍建设", "政法干警违纪违法线索核查", ["政法干警", "一案双查", "执法过错"], ["干警违规插手案件", "过问案件记录报告不及时"]),
    ("队伍建设", "执法办案人员业务培训", ["业务培训", "能力提升", "同堂培训"], ["培训内容与实务脱节", "新任执法人员未持证上岗"]),
    ("队伍建设", "防止干预司法三个规定落实", ["三个规定", "干预司法", "记录报告"], ["零报告现象突出", "记录填报不规范"]),
    ("队伍建设", "政治督察问题整改", ["政治督察", "整改销号", "责任落实"], ["整改措施空泛", "问题反弹回潮"]),
]

CAMPAIGN_CHARS = "清护安澄明晨曦星源泉峰岚盾剑锋砺磐鉴衡律正和谐润春禾麦稻枫松柏竹梅兰菊荷苗雁鸿鹰鹏海川湖溪"
ACTIONS = ["逐案梳理", "集中评查", "交叉检查", "调阅卷宗", "实地走访", "座谈了解", "个案会商", "同步介入", "跟踪问效",
           "建立台账", "挂图作战", "清单管理", "分类处置", "专题调研", "列席审委会", "听取专项报告", "组织执法检查"]
MEASURES = ["建立联席会议制度", "完善线索移送办法", "制定案件评查标准", "开通信息共享平台", "实行整改销号制度",
            "推行督办事项清单化", "建立双向反馈机制", "出台工作指引", "落实月通报制度", "开展回头看"]
RESULTS = ["纠正执法瑕疵", "督促立案", "撤销案件", "追回款物", "制发检察建议", "移送违纪线索", "办结积案",
           "化解信访积案", "清退涉案财物", "纠正违法减刑"]
LAWS = ["《中国共产党政法工作条例》", "《中华人民共和国人民检察院组织法》", "《人民检察院检察建议工作规定》",
        "《中华人民共和国各级人民代表大会常务委员会监督法》", "《行政执法机关移送涉嫌犯罪案件的规定》",
        "《中华人民共和国刑事诉讼法》", "《中华人民共和国行政处罚法》", "《中华人民共和国社区矫正法》",
        "《中华人民共和国未成年人保护法》", "《关于加强检察机关法律监督工作的意见》"]
FIGURE_NAMES = ["评查案件", "发现问题", "移送线索", "办结", "制发检察建议", "纠正违法", "整改销号", "走访单位"]


def _place(rng: random.Random) -> tuple[str, str]:
    province = rng.choice(list(PROVINCES))
    city = rng.choice(PROVINCES[province])
    if rng.random() < 0.35:
        county = rng.choice(COUNTY_HEADS) + rng.choice(COUNTY_HEADS) + rng.choice(COUNTY_SUFFIX)
        return f"{city}市{county}", city
    return f"{city}市", city


def _campaign(rng: random.Random) -> str:
    return "“" + rng.choice(CAMPAIGN_CHARS) + rng.choice(CAMPAIGN_CHARS) + "”专项行动"


def _sentence(rng: random.Random, topic, units: list[str], campaign: str) -> str:
    _, stem, words, problems = topic
    frames = [
        "{unit}在{stem}中{problem}，{count}件案件存在类似情形。",
        "围绕{word}，监督组{action}，重点核查{unit}{year}年以来办理的{count}件案件。",
        "结合{campaign}，对{unit}的{word}问题{action}，形成问题清单{count}项。",
        "针对{problem}的情况，{unit}{measure}，明确责任人和完成时限。",
        "通过{action}，共{result}{count}件，相关做法被{level}转发推广。",
        "{unit}反馈称已{measure}，{word}工作在{month}个月内取得阶段性进展。",
        "监督中发现{word}方面{problem}，已列入整改台账并{action}。",
        "各方在{campaign}期间{measure}，累计{result}{count}件。",
    ]
    return rng.choice(frames).format(
        unit=rng.choice(units), stem=stem, problem=rng.choice(problems), word=rng.choice(words),
        action=rng.choice(ACTIONS), measure=rng.choice(MEASURES), result=rng.choice(RESULTS),
        count=rng.randint(2, 240), year=rng.randint(2018, 2025), month=rng.randint(2, 11), campaign=campaign,
        level=rng.choice(["省委政法委", "省人民检察院", "省人大常委会", "市委"]))


def _paragraph(rng: random.Random, topic, units, campaign, sentences: int) -> str:
    return "".join(_sentence(rng, topic, units, campaign) for _ in range(sentences))


def _finding(number: int, day: date, rng: random.Random, topic, units: list[str]) -> dict:
    status = rng.choice(["待整改", "整改中", "已报告", "已销号", "已销号"])
    deadline = day + timedelta(days=rng.randint(20, 200))
    finding = {"id": f"F{number}", "problem": rng.choice(topic[3]) + f"（{rng.choice(topic[2])}）",
               "unit": rng.choice(units), "requirement": rng.choice(MEASURES) + "，并书面报告整改情况",
               "deadline": deadline.isoformat(), "status": status}
    if status in ("已报告", "已销号"):
        finding["reported_on"] = (deadline - timedelta(days=rng.randint(-10, 20))).isoformat()
    if status == "已销号":
        finding["closed_on"] = max(day, deadline + timedelta(days=rng.randint(-5, 30))).isoformat()
    return finding


def _clue(number: int, day: date, rng: random.Random, topic, supervisors: list[str], units: list[str]) -> dict:
    status = rng.choice(["已移送", "已受理", "办理中", "已办结", "已办结"])
    sent = day + timedelta(days=rng.randint(0, 60))
    sender = rng.choice(supervisors)
    receiver = rng.choice([s for s in SUPERVISORS + ["市纪委监委"] if s != sender])
    clue = {"id": f"X{number}", "date": sent.isoformat(), "from": sender, "to": receiver,
            "summary": f"{rng.choice(units)}{rng.choice(topic[3])}的线索", "status": status}
    if status == "已办结":
        clue.update(result=rng.choice(RESULTS) + "，已书面反馈",
                    closed_on=(sent + timedelta(days=rng.randint(5, 90))).isoformat())
    return clue


def make_case(index: int, rng: random.Random, counters: dict, years) -> dict:
    topic = rng.choice(TOPICS)
    region, city = _place(rng)
    year = rng.choice(years)
    day = date(year, 1, 1) + timedelta(days=rng.randint(0, 330))
    code = "V" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
    counters[(code, year)] = counters.get((code, year), 0) + 1
    supervisors = rng.sample(SUPERVISORS, rng.randint(1, 3))
    units = rng.sample(UNITS, rng.randint(1, 3))
    campaign = _campaign(rng)
    words = list(topic[2])
    rng.shuffle(words)
    case = {
        "id": f"{code}-{year}-{counters[(code, year)]:04d}",
        "title": f"{city}{rng.choice(['开展', '推进', '深化', '聚焦'])}{topic[1]}{rng.choice(['', '专项监督', '联合监督', '工作'])}",
        "subtitle": f"以{campaign[1:3]}为抓手{rng.choice(MEASURES)}",
        "date": day.isoformat(), "region": region,
        "classification": "内部" if rng.random() < 0.1 else "公开",
        "category": topic[0] if rng.random() < 0.8 else rng.choice(CATEGORIES),
        "mechanisms": rng.sample(MECHANISMS, rng.randint(1, 3)),
        "supervisors": supervisors, "supervised": units,
        "keywords": words[:rng.randint(1, 3)] + ([campaign[1:3] + "行动"] if rng.random() < 0.3 else []),
        "typical": rng.random() < 0.2, "replicable": rng.random() < 0.3,
        "summary": _sentence(rng, topic, units, campaign) + _sentence(rng, topic, units, campaign),
        "background": _paragraph(rng, topic, units, campaign, rng.randint(2, 5)),
        "practice": "\n".join(f"{n}. {_paragraph(rng, topic, units, campaign, rng.randint(1, 3))}"
                              for n in range(1, rng.randint(2, 5))),
        "outcome": _paragraph(rng, topic, units, campaign, rng.randint(1, 4)),
        "insight": _paragraph(rng, topic, units, campaign, rng.randint(1, 2)),
        "legal_basis": rng.sample(LAWS, rng.randint(1, 3)),
        "figures": {name: rng.randint(1, 300) for name in rng.sample(FIGURE_NAMES, rng.randint(1, 3))},
    }
    if rng.random() < 0.6:
        case["findings"] = [_finding(n, day, rng, topic, units) for n in range(1, rng.randint(2, 5))]
    if rng.random() < 0.4:
        case["clues"] = [_clue(n, day, rng, topic, supervisors, units) for n in range(1, rng.randint(2, 4))]
    return case


def generate(count: int, root: Path, seed: int = 11, years=(2021, 2022, 2023, 2024, 2025, 2026)) -> Path:
    from benchmarks.generate_corpus import write_cases

    rng = random.Random(seed)
    counters: dict = {}
    return write_cases((make_case(index, rng, counters, years) for index in range(1, count + 1)), root)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if len(sys.argv) != 3:
        sys.exit("用法：python benchmarks/generate_varied.py 数量 输出目录")
    print(f"已生成 {int(sys.argv[1])} 件案例：{generate(int(sys.argv[1]), Path(sys.argv[2]))}")
