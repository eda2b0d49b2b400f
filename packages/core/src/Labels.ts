/**
 * Every enumeration of the model with its user-facing labels in zh-Hans, zh-Hant and en,
 * from one table. The model's literal schemas are derived from this table, so a value
 * without labels cannot exist.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A label in the three locales Minqing speaks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Label {
  readonly "zh-Hans": string
  readonly "zh-Hant": string
  readonly en: string
}

/**
 * The locales of every label.
 *
 * @since 0.1.0
 * @category models
 */
export type Locale = keyof Label

/** @since 0.1.0 @category constants */
export const locales: ReadonlyArray<Locale> = ["zh-Hans", "zh-Hant", "en"]

const l = (zhHans: string, zhHant: string, en: string): Label => ({ "zh-Hans": zhHans, "zh-Hant": zhHant, en })

/**
 * The table: enumeration → value → label.
 *
 * @since 0.1.0
 * @category constants
 */
export const table = {
  placeLevel: {
    city: l("市", "市", "City"),
    district: l("区（县）", "區（縣）", "District / county"),
    subdistrict: l("街道", "街道", "Subdistrict"),
    village: l("村（社区）", "村（社區）", "Village / community"),
    grid: l("片区（网格）", "片區（網格）", "Grid"),
    building: l("楼栋", "樓棟", "Building"),
    unit: l("单元", "單元", "Unit")
  },
  liaisonBackground: {
    "party-member": l("党员", "黨員", "Party member"),
    "villager-group-leader": l("村民组长", "村民組長", "Villager-group leader"),
    "grid-worker": l("网格员", "網格員", "Grid worker"),
    "villager-representative": l("村民代表", "村民代表", "Villager representative")
  },
  sex: {
    male: l("男", "男", "Male"),
    female: l("女", "女", "Female")
  },
  presence: {
    present: l("在家", "在家", "Present"),
    away: l("外出", "外出", "Away")
  },
  eligibility: {
    eligible: l("可接种", "可接種", "Eligible"),
    "temporarily-contraindicated": l("暂缓接种", "暫緩接種", "Temporarily contraindicated"),
    "permanently-contraindicated": l("禁忌接种", "禁忌接種", "Permanently contraindicated")
  },
  visitOutcome: {
    contacted: l("已见面", "已見面", "Contacted"),
    "nobody-home": l("无人在家", "無人在家", "Nobody home"),
    refused: l("拒绝", "拒絕", "Refused")
  },
  observationKind: {
    "health-check": l("健康排查", "健康排查", "Health check"),
    "vaccination-check": l("疫苗接种核查", "疫苗接種核查", "Vaccination check"),
    "elderly-wellbeing": l("独居老人问候", "獨居老人問候", "Elderly wellbeing"),
    decoction: l("发放中药预防汤剂", "發放中藥預防湯劑", "Decoction handed out"),
    publicity: l("宣传", "宣傳", "Publicity delivered"),
    matter: l("民情事项", "民情事項", "Matter raised or followed up"),
    "arrival-seen": l("来（返）人员核查", "來（返）人員核查", "Arrival seen")
  },
  vaccinationStatus: {
    unvaccinated: l("未接种", "未接種", "Unvaccinated"),
    partial: l("未完成全程", "未完成全程", "Partially vaccinated"),
    complete: l("已完成全程", "已完成全程", "Primary course complete"),
    boosted: l("已加强", "已加強", "Boosted")
  },
  wellbeing: {
    well: l("安好", "安好", "Well"),
    "needs-help": l("需要帮助", "需要幫助", "Needs help"),
    unwell: l("身体不适", "身體不適", "Unwell")
  },
  need: {
    meals: l("送餐", "送餐", "Meals"),
    medicine: l("买药", "買藥", "Medicine"),
    "medical-care": l("就医", "就醫", "Medical care"),
    shopping: l("代购", "代購", "Shopping"),
    company: l("陪伴", "陪伴", "Company"),
    repairs: l("维修", "維修", "Repairs"),
    other: l("其他", "其他", "Other")
  },
  riskLevel: {
    low: l("低风险", "低風險", "Low risk"),
    medium: l("中风险", "中風險", "Medium risk"),
    high: l("高风险", "高風險", "High risk")
  },
  arrivalStatus: {
    expected: l("待到达", "待到達", "Expected"),
    arrived: l("已到达", "已到達", "Arrived"),
    cleared: l("已解除", "已解除", "Cleared"),
    cancelled: l("已取消", "已取消", "Cancelled")
  },
  matterCategory: {
    "help-request": l("求助", "求助", "Help request"),
    dispute: l("矛盾纠纷", "矛盾糾紛", "Dispute"),
    infrastructure: l("基础设施", "基礎設施", "Infrastructure"),
    "policy-question": l("政策咨询", "政策諮詢", "Policy question"),
    "epidemic-report": l("疫情报告", "疫情報告", "Epidemic report"),
    other: l("其他", "其他", "Other")
  },
  matterStatus: {
    open: l("待办", "待辦", "Open"),
    "in-progress": l("办理中", "辦理中", "In progress"),
    resolved: l("已办结", "已辦結", "Resolved"),
    escalated: l("已上报", "已上報", "Escalated")
  },
  campaignKind: {
    decoction: l("中药预防汤剂发放", "中藥預防湯劑發放", "Decoction distribution"),
    leaflet: l("入户宣传单", "入戶宣傳單", "Leaflet round"),
    "online-notice": l("线上宣传", "線上宣傳", "Online notice")
  },
  publicityMedium: {
    leaflet: l("宣传单", "宣傳單", "Leaflet"),
    explanation: l("当面讲解", "當面講解", "Explanation in person"),
    "online-post": l("线上转发", "線上轉發", "Online post")
  },
  channel: {
    "work-group": l("工作群", "工作群", "Work group"),
    "wechat-moments": l("朋友圈", "朋友圈", "WeChat Moments"),
    "village-broadcast": l("村广播", "村廣播", "Village broadcast"),
    other: l("其他", "其他", "Other")
  },
  priority: {
    low: l("低", "低", "Low"),
    normal: l("普通", "普通", "Normal"),
    high: l("高", "高", "High")
  },
  taskState: {
    upcoming: l("未到期", "未到期", "Upcoming"),
    due: l("今日应访", "今日應訪", "Due"),
    overdue: l("已逾期", "已逾期", "Overdue"),
    done: l("已完成", "已完成", "Done"),
    missed: l("已漏访", "已漏訪", "Missed"),
    cancelled: l("已取消", "已取消", "Cancelled")
  },
  role: {
    liaison: l("民情联络员", "民情聯絡員", "Liaison"),
    "village-leader": l("村（社区）负责人", "村（社區）負責人", "Village leader"),
    "subdistrict-admin": l("街道管理员", "街道管理員", "Subdistrict administrator"),
    auditor: l("审计员", "審計員", "Auditor")
  }
} as const satisfies Record<string, Record<string, Label>>

/**
 * The name of an enumeration in the table.
 *
 * @since 0.1.0
 * @category models
 */
export type Enumeration = keyof typeof table

/**
 * The values of an enumeration.
 *
 * @since 0.1.0
 * @category models
 */
export type ValueOf<E extends Enumeration> = keyof (typeof table)[E] & string

/**
 * The values of an enumeration, in table order.
 *
 * @since 0.1.0
 * @category getters
 */
export const values = <E extends Enumeration>(e: E): ReadonlyArray<ValueOf<E>> =>
  Object.keys(table[e]) as Array<ValueOf<E>>

/**
 * The label of a value in a locale. Unknown values (a level a deployment added, say) come
 * back as themselves.
 *
 * @since 0.1.0
 * @category getters
 */
export const label = <E extends Enumeration>(e: E, value: ValueOf<E> | (string & {}), locale: Locale): string => {
  const entry = (table[e] as Record<string, Label>)[value]
  return entry === undefined ? value : entry[locale]
}

/**
 * A literal schema for an enumeration, derived from the table.
 *
 * @since 0.1.0
 * @category schemas
 */
export const literal = <E extends Enumeration>(e: E): Schema.Literal<[ValueOf<E>, ...Array<ValueOf<E>>]> =>
  Schema.Literal(...(values(e) as [ValueOf<E>, ...Array<ValueOf<E>>]))
