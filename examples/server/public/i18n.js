/* global window */
// The dashboard's own labels in the three locales Minqing speaks. Enumeration labels (task
// states, roles, priorities, sexes), metric and rule titles come from the core's table,
// served at /dashboard/labels.json.
"use strict"

window.MinqingI18n = {
  locales: ["zh-Hans", "zh-Hant", "en"],
  ui: {
    title: ["民情联络员 · 工作看板", "民情聯絡員 · 工作看板", "Minqing · liaison dashboard"],
    language: ["语言", "語言", "Language"],
    demoAs: ["演示身份", "演示身分", "Demo as"],
    tokenPlaceholder: ["粘贴访问令牌", "貼上存取權杖", "Paste an access token"],
    signIn: ["登录", "登入", "Sign in"],
    signedInAs: ["当前身份", "目前身分", "Signed in as"],
    needToken: [
      "请粘贴管理员发放的访问令牌后登录。",
      "請貼上管理員發放的存取權杖後登入。",
      "Paste an access token issued by an administrator, then sign in."
    ],
    scope: ["范围", "範圍", "Scope"],
    from: ["起始日期", "起始日期", "From"],
    to: ["截止日期", "截止日期", "To"],
    date: ["日期", "日期", "Date"],
    refresh: ["刷新", "重新整理", "Refresh"],
    loading: ["正在加载…", "正在載入…", "Loading…"],
    updated: ["已更新", "已更新", "Updated"],
    failed: ["加载失败", "載入失敗", "Could not load"],
    coverageTitle: ["覆盖率（按村、片区）", "覆蓋率（按村、片區）", "Coverage by village and grid"],
    coverageHint: [
      "颜色越绿覆盖率越高；点击村名展开各片区。",
      "顏色越綠覆蓋率越高；點擊村名展開各片區。",
      "Greener is higher; click a village to show its grids."
    ],
    gridTiles: ["各片区入户排查覆盖率", "各片區入戶排查覆蓋率", "Household screening by grid"],
    place: ["地点", "地點", "Place"],
    households: ["户数", "戶數", "Households"],
    seriesTitle: ["每日入户排查覆盖率", "每日入戶排查覆蓋率", "Daily household screening"],
    seriesLabel: ["当日入户排查覆盖率", "當日入戶排查覆蓋率", "Households screened that day"],
    tasksTitle: ["漏访与逾期任务", "漏訪與逾期任務", "Missed and overdue tasks"],
    missedByRule: ["期内漏访（按规则）", "期內漏訪（按規則）", "Missed in the period, by rule"],
    missedOn: ["漏访任务", "漏訪任務", "Missed tasks on"],
    overdueToday: ["今日逾期任务", "今日逾期任務", "Overdue today"],
    rule: ["规则", "規則", "Rule"],
    count: ["数量", "數量", "Count"],
    compliance: ["按时完成率", "按時完成率", "On time"],
    unvaccinatedTitle: [
      "符合条件、尚未接种的居民",
      "符合條件、尚未接種的居民",
      "Eligible residents not yet vaccinated"
    ],
    elderlyTitle: ["独居老人", "獨居老人", "Elderly people living alone"],
    maskedHint: ["身份证号、手机号已脱敏。", "身分證號、手機號已遮蔽。", "ID and phone numbers are masked."],
    worklistTitle: ["联络员走访清单", "聯絡員走訪清單", "A liaison's worklist"],
    worklistSummary: [
      "{households} 户，{tasks} 项任务，按优先级、逾期、自东向西排序",
      "{households} 戶，{tasks} 項任務，按優先級、逾期、自東向西排序",
      "{households} households, {tasks} tasks, by priority, overdue first, then east to west"
    ],
    liaison: ["联络员", "聯絡員", "Liaison"],
    name: ["姓名", "姓名", "Name"],
    sex: ["性别", "性別", "Sex"],
    age: ["年龄", "年齡", "Age"],
    nationalId: ["身份证号", "身分證號", "National ID"],
    phone: ["手机号", "手機號", "Phone"],
    address: ["住址", "住址", "Address"],
    grid: ["片区", "片區", "Grid"],
    reason: ["原因", "原因", "Reason"],
    subject: ["对象", "對象", "Subject"],
    due: ["应访日期", "應訪日期", "Due"],
    state: ["状态", "狀態", "State"],
    tasks: ["任务", "任務", "Tasks"],
    none: ["无", "無", "None"],
    more: ["仅显示前 {shown} 条，共 {total} 条", "僅顯示前 {shown} 條，共 {total} 條", "Showing {shown} of {total}"],
    footer: [
      "数据来自本服务的 HTTP API，按登录身份的角色与范围返回。",
      "資料來自本服務的 HTTP API，按登入身分的角色與範圍返回。",
      "Figures come from this server's HTTP API, within the signed-in role and scope."
    ],
    apiDocs: ["API 文档", "API 文件", "API docs"]
  }
}
