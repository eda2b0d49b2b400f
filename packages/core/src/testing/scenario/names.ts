/**
 * Names and texts for generated scenarios, in simplified Chinese as a mainland deployment
 * records them. Only 焦作市, 马村区, 待王街道, 待王村 and the liaison 王丽霞 come from the
 * source article; the other subdistricts of 马村区 are its real neighbours (three invented
 * ones make ten), and every village, street and person below them is invented but plausible.
 *
 * @internal
 */

/** A place name with a readable slug for ids. @internal */
export interface Named {
  readonly name: string
  readonly slug: string
}

/**
 * The ten county-level divisions of 焦作市 with their GB/T 2260 codes (the first six digits
 * of a national ID issued there). 马村区 is 410804.
 *
 * @internal
 */
export const districts: ReadonlyArray<Named & { readonly code: string }> = [
  { name: "马村区", slug: "macun", code: "410804" },
  { name: "解放区", slug: "jiefang", code: "410802" },
  { name: "中站区", slug: "zhongzhan", code: "410803" },
  { name: "山阳区", slug: "shanyang", code: "410811" },
  { name: "修武县", slug: "xiuwu", code: "410821" },
  { name: "博爱县", slug: "boai", code: "410822" },
  { name: "武陟县", slug: "wuzhi", code: "410823" },
  { name: "温县", slug: "wenxian", code: "410825" },
  { name: "沁阳市", slug: "qinyang", code: "410882" },
  { name: "孟州市", slug: "mengzhou", code: "410883" }
]

/** @internal */
export const city = { name: "焦作市", slug: "jiaozuo", code: "410800" }

/**
 * Subdistricts of 马村区: 待王街道 (the source) first, then its six real neighbours, then
 * three invented ones so the M size has ten.
 *
 * @internal
 */
export const macunSubdistricts: ReadonlyArray<Named> = [
  { name: "待王街道", slug: "daiwang" },
  { name: "马村街道", slug: "macun" },
  { name: "武王街道", slug: "wuwang" },
  { name: "冯营街道", slug: "fengying" },
  { name: "九里山街道", slug: "jiulishan" },
  { name: "安阳城街道", slug: "anyangcheng" },
  { name: "演马街道", slug: "yanma" },
  { name: "北山街道", slug: "beishan" },
  { name: "东岭街道", slug: "dongling" },
  { name: "西张街道", slug: "xizhang" }
]

/** Invented subdistrict names for the other districts. @internal */
export const genericSubdistricts: ReadonlyArray<Named> = [
  { name: "城关街道", slug: "chengguan" },
  { name: "东城街道", slug: "dongcheng" },
  { name: "西城街道", slug: "xicheng" },
  { name: "南关街道", slug: "nanguan" },
  { name: "北关街道", slug: "beiguan" },
  { name: "新华街道", slug: "xinhua" },
  { name: "人民街道", slug: "renmin" },
  { name: "建设街道", slug: "jianshe" },
  { name: "和平街道", slug: "heping" },
  { name: "光明街道", slug: "guangming" },
  { name: "朝阳街道", slug: "chaoyang" },
  { name: "太行街道", slug: "taihang" },
  { name: "文昌街道", slug: "wenchang" },
  { name: "长安街道", slug: "changan" },
  { name: "丰收街道", slug: "fengshou" },
  { name: "幸福街道", slug: "xingfu" },
  { name: "团结街道", slug: "tuanjie" },
  { name: "振兴街道", slug: "zhenxing" },
  { name: "红旗街道", slug: "hongqi" },
  { name: "中心街道", slug: "zhongxin" }
]

/**
 * The six villages of 待王街道. Only 待王村 is named in the source; the other five are
 * invented.
 *
 * @internal
 */
export const daiwangVillages: ReadonlyArray<Named> = [
  { name: "待王村", slug: "daiwang" },
  { name: "东王庄村", slug: "dongwangzhuang" },
  { name: "西马营村", slug: "ximaying" },
  { name: "北岭村", slug: "beiling" },
  { name: "南李庄村", slug: "nanlizhuang" },
  { name: "前屯村", slug: "qiantun" }
]

const villagePrefixes: ReadonlyArray<readonly [string, string]> = [
  ["东", "dong"],
  ["西", "xi"],
  ["南", "nan"],
  ["北", "bei"],
  ["前", "qian"],
  ["后", "hou"],
  ["大", "da"],
  ["小", "xiao"],
  ["新", "xin"],
  ["上", "shang"],
  ["下", "xia"]
]
const villageCores: ReadonlyArray<readonly [string, string]> = [
  ["王", "wang"],
  ["李", "li"],
  ["张", "zhang"],
  ["刘", "liu"],
  ["马", "ma"],
  ["赵", "zhao"],
  ["周", "zhou"],
  ["孙", "sun"],
  ["郭", "guo"],
  ["冯", "feng"],
  ["杨", "yang"],
  ["韩", "han"],
  ["宋", "song"],
  ["牛", "niu"],
  ["史", "shi"]
]
const villageSuffixes: ReadonlyArray<readonly [string, string]> = [
  ["", ""],
  ["庄", "zhuang"],
  ["营", "ying"],
  ["屯", "tun"],
  ["寨", "zhai"]
]

/** An invented village name from three numbers (any integers). @internal */
export const villageName = (a: number, b: number, c: number): Named => {
  const p = villagePrefixes[a % villagePrefixes.length]
  const k = villageCores[b % villageCores.length]
  const s = villageSuffixes[c % villageSuffixes.length]
  return { name: `${p[0]}${k[0]}${s[0]}村`, slug: `${p[1]}${k[1]}${s[1]}` }
}

/** Streets of a village; a grid is one street, walked from its east end. @internal */
export const streets: ReadonlyArray<string> = [
  "东大街",
  "西大街",
  "南大街",
  "北大街",
  "前街",
  "后街",
  "中心街",
  "新村路",
  "学校路",
  "幸福路",
  "建设路",
  "河沿街",
  "文化路",
  "和平街",
  "团结路"
]

const digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

/** 1 → 一, 12 → 十二, 30 → 三十 (1–99). @internal */
export const chineseNumeral = (n: number): string => {
  if (n < 10) return digits[n]
  const tens = Math.floor(n / 10)
  const ones = n % 10
  return `${tens === 1 ? "" : digits[tens]}十${ones === 0 ? "" : digits[ones]}`
}

/** Surnames common in Henan, with rough weights. @internal */
export const surnames: ReadonlyArray<readonly [string, number]> = [
  ["王", 10],
  ["李", 9],
  ["张", 9],
  ["刘", 6],
  ["陈", 4],
  ["杨", 4],
  ["赵", 4],
  ["郭", 3],
  ["周", 3],
  ["孙", 3],
  ["马", 3],
  ["朱", 2],
  ["胡", 2],
  ["吕", 2],
  ["高", 2],
  ["宋", 2],
  ["徐", 2],
  ["程", 2],
  ["冯", 2],
  ["韩", 2],
  ["牛", 1],
  ["任", 1],
  ["秦", 1],
  ["贾", 1],
  ["崔", 1],
  ["申", 1],
  ["史", 1],
  ["焦", 1],
  ["范", 1],
  ["许", 1]
]

/** Given names by the decade people were born in and their sex. @internal */
export const givenNames = (birthYear: number, sex: "male" | "female"): ReadonlyArray<string> =>
  birthYear < 1960 ?
    sex === "male" ? givenOld.male : givenOld.female :
    birthYear < 1985 ?
    sex === "male" ? givenMiddle.male : givenMiddle.female :
    birthYear < 2005 ?
    sex === "male" ? givenYoung.male : givenYoung.female :
    sex === "male" ?
    givenChild.male :
    givenChild.female

const givenOld = {
  male: [
    "建国",
    "国庆",
    "德胜",
    "福全",
    "长顺",
    "振华",
    "文斌",
    "永福",
    "保国",
    "玉山",
    "宝林",
    "兴旺",
    "金贵",
    "学文",
    "根生",
    "明德",
    "守业",
    "春生",
    "秋生",
    "有才"
  ],
  female: [
    "秀英",
    "桂兰",
    "玉兰",
    "凤英",
    "桂英",
    "淑珍",
    "秀兰",
    "翠花",
    "玉珍",
    "桂芝",
    "素梅",
    "凤兰",
    "秀珍",
    "春花",
    "玉梅",
    "金花",
    "淑兰",
    "巧云",
    "爱莲",
    "月娥"
  ]
}
const givenMiddle = {
  male: [
    "建军",
    "卫东",
    "志强",
    "国华",
    "永刚",
    "红军",
    "建华",
    "海军",
    "小平",
    "志刚",
    "伟",
    "勇",
    "军",
    "强",
    "磊",
    "鹏",
    "斌",
    "涛",
    "新民",
    "立新"
  ],
  female: [
    "丽霞",
    "红梅",
    "丽娟",
    "秀琴",
    "桂霞",
    "艳",
    "红霞",
    "丽",
    "静",
    "芳",
    "霞",
    "燕",
    "敏",
    "玉霞",
    "春燕",
    "海燕",
    "丽萍",
    "晓红",
    "彩霞",
    "素芳"
  ]
}
const givenYoung = {
  male: [
    "浩",
    "鹏飞",
    "超",
    "亮",
    "帅",
    "俊杰",
    "晓东",
    "志远",
    "文博",
    "家豪",
    "明轩",
    "宇航",
    "凯",
    "晨阳",
    "博文",
    "子龙",
    "振宇",
    "一帆",
    "天宇",
    "永杰"
  ],
  female: [
    "婷婷",
    "静怡",
    "佳怡",
    "雪",
    "倩",
    "丹丹",
    "晓雪",
    "思雨",
    "梦瑶",
    "欣然",
    "文静",
    "雅琪",
    "璐",
    "慧敏",
    "晶晶",
    "琳",
    "亚楠",
    "冰洁",
    "佳佳",
    "梦洁"
  ]
}
const givenChild = {
  male: [
    "梓轩",
    "浩然",
    "宇轩",
    "俊熙",
    "奕辰",
    "沐阳",
    "浩宇",
    "子墨",
    "睿",
    "泽宇",
    "皓轩",
    "梓豪",
    "锦程",
    "铭泽",
    "晨曦",
    "佑安",
    "一鸣",
    "子骞",
    "嘉树",
    "承泽"
  ],
  female: [
    "欣怡",
    "梓涵",
    "诗涵",
    "一诺",
    "雨涵",
    "可欣",
    "子萱",
    "语桐",
    "梦琪",
    "紫涵",
    "思彤",
    "芷若",
    "沐晴",
    "梓萱",
    "若汐",
    "依诺",
    "安琪",
    "馨月",
    "嘉怡",
    "艺涵"
  ]
}

/**
 * Region codes outside 焦作市 (other Henan cities), for people registered elsewhere: spouses
 * who married in, visitors.
 *
 * @internal
 */
export const outsideRegions: ReadonlyArray<string> = [
  "410102", // 郑州市中原区
  "410105", // 郑州市金水区
  "410305", // 洛阳市涧西区
  "410721", // 新乡县
  "410522", // 安阳县
  "410922", // 清丰县
  "411122", // 临颍县
  "411421" // 民权县
]

/**
 * Places people arrive from, by the risk level a deployment would have given them. The
 * levels are illustrative, not a record of any date's official list.
 *
 * @internal
 */
export const origins = {
  low: [
    "郑州市金水区",
    "洛阳市西工区",
    "新乡市红旗区",
    "北京市朝阳区",
    "上海市浦东新区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
    "苏州市工业园区",
    "西安市雁塔区"
  ],
  medium: ["辽宁省营口市鲅鱼圈区", "安徽省合肥市蜀山区", "辽宁省沈阳市和平区", "广东省广州市荔湾区"],
  high: ["安徽省六安市裕安区", "境外（入境人员）", "广东省广州市荔湾区白鹤洞街道"]
} as const

/** Reasons to postpone vaccination. @internal */
export const temporaryReasons = {
  any: ["近期发热", "急性感染治疗中", "近期手术恢复期", "慢性病急性发作期"],
  youngWoman: ["妊娠期", "哺乳期"]
}

/** Reasons never to be vaccinated. @internal */
export const permanentReasons: ReadonlyArray<string> = [
  "对疫苗成分严重过敏",
  "既往接种疫苗后出现严重过敏反应",
  "未控制的癫痫等进行性神经系统疾病",
  "严重免疫缺陷"
]

/** Why an eligible person says no (for now). @internal */
export const refusalReasons: ReadonlyArray<string> = [
  "担心不良反应",
  "有慢性病，想先问医生",
  "年纪大了，不想打",
  "工作忙，没时间去接种点",
  "想再观望一段时间",
  "家里人不同意"
]

/** What an elderly person living alone may need. @internal */
export const needs: ReadonlyArray<"meals" | "medicine" | "medical-care" | "shopping" | "company" | "repairs"> = [
  "medicine",
  "shopping",
  "company",
  "meals",
  "repairs",
  "medical-care"
]

type MatterCategory = "help-request" | "dispute" | "infrastructure" | "policy-question" | "epidemic-report" | "other"

/** Matters by category: what was raised and how such a matter gets resolved. @internal */
export const matterTexts: {
  readonly [C in MatterCategory]: {
    readonly cases: ReadonlyArray<readonly [summary: string, resolution: string]>
    readonly dueDays: number
  }
} = {
  "help-request": {
    cases: [
      ["独居老人需要代购米面油", "已帮助代购并送到家中"],
      ["行动不便，需要协助到卫生院就医", "已联系村医上门并陪同就医"],
      ["申请低保，需要帮助准备材料", "已协助准备材料并报送街道"],
      ["家中老人需要代买降压药", "已代买药品送达"],
      ["儿女在外地，老人希望有人常来看看", "已安排志愿者定期上门陪伴"]
    ],
    dueDays: 5
  },
  dispute: {
    cases: [
      ["邻里因宅基地边界发生争执", "已会同村委会调解，双方达成一致"],
      ["因排水问题与邻居产生矛盾", "已现场协调，约定排水走向"],
      ["兄弟之间因老人赡养问题有纠纷", "已组织家庭协商，签订赡养协议"],
      ["因占道堆放柴草与邻居争吵", "已协调清理占道物品"],
      ["承包地浇水顺序引发口角", "已协调排定浇水顺序"]
    ],
    dueDays: 3
  },
  infrastructure: {
    cases: [
      ["村道路灯损坏", "已报村委会，路灯已修复"],
      ["村道坑洼需要修补", "已安排修补路面"],
      ["自来水管漏水", "已联系供水站维修"],
      ["排水沟堵塞，雨天积水", "已组织清理排水沟"],
      ["广播喇叭不响", "已联系村委会更换喇叭"]
    ],
    dueDays: 14
  },
  "policy-question": {
    cases: [
      ["咨询新冠疫苗接种政策", "已当面解答并留下宣传单"],
      ["咨询城乡居民医保缴费", "已解答并告知办理地点"],
      ["咨询返乡人员报备流程", "已解答报备流程并协助登记"],
      ["咨询高龄津贴申领", "已帮助查询并答复"],
      ["咨询养老保险缴费档次", "已解答并告知缴费方式"]
    ],
    dueDays: 3
  },
  "epidemic-report": {
    cases: [
      ["反映邻居家有外地返乡人员未报备", "已核实并完成报备登记"],
      ["家中有人发热，咨询如何就诊", "已引导到发热门诊就诊，结果正常"],
      ["反映村口有人聚集打牌", "已劝散聚集人员并宣传防疫知识"],
      ["反映有人从中风险地区返回", "已核实，按要求落实健康监测"]
    ],
    dueDays: 1
  },
  other: {
    cases: [
      ["反映流浪狗伤人隐患", "已联系相关部门处理"],
      ["希望增加健身器材", "已转达村委会研究"],
      ["反映垃圾清运不及时", "已协调保洁员按时清运"],
      ["建议村里组织义诊", "已报街道统筹安排"]
    ],
    dueDays: 7
  }
}

/** Notes on matter follow-up visits. @internal */
export const followUpNotes: ReadonlyArray<string> = [
  "入户了解进展",
  "已向村委会反映，等待答复",
  "电话联系相关部门跟进",
  "当事人表示情况好转",
  "继续跟踪处理"
]
