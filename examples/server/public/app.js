/* global window, document, location, fetch, sessionStorage, localStorage, URL, URLSearchParams, Node */
// The dashboard: plain JavaScript over the server's HTTP API (the same endpoints any client
// calls, with the signed-in user's bearer token), charts by chart.js. No build step.
"use strict"

const METRICS = ["household-screening", "rule-compliance", "vaccination-first-dose", "elderly-checkins-done"]
const LIST_LIMIT = 100
const $ = (id) => document.getElementById(id)

const state = {
  lang: "zh-Hans",
  token: undefined,
  settings: undefined,
  labels: undefined,
  me: undefined,
  places: new Map(),
  liaisons: [],
  liaisonOfGrid: new Map(),
  cache: new Map(),
  chart: undefined,
  expanded: new Set(),
  generation: 0
}

// ---------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------

const t = (key, vars = {}) => {
  const entry = window.MinqingI18n.ui[key]
  const text = entry === undefined ? key : entry[window.MinqingI18n.locales.indexOf(state.lang)]
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""))
}
const inLang = (label, fallback = "") => (label && label[state.lang]) || fallback
const enumLabel = (enumeration, value) => inLang(state.labels?.enumerations?.[enumeration]?.[value], value)
const ruleLabel = (id) => inLang(state.labels?.rules?.[id], id)
const metricLabel = (id) => inLang(state.labels?.metrics?.[id], id)

const applyStaticLabels = () => {
  document.documentElement.lang = state.lang
  document.title = t("title")
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t)
  for (const el of document.querySelectorAll("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder)
  $("lang").value = state.lang
}

// ---------------------------------------------------------------------------
// Formatting and masking
// ---------------------------------------------------------------------------

const percent = (score) => (score === null || score === undefined ? "—" : `${(score * 100).toFixed(1)}%`)

// The API masks personal data for roles that may not see it; a dashboard on a shared screen
// masks it for everyone.
const maskNationalId = (s) => (s && /^\d{17}[\dXx]$/.test(s) ? s.slice(0, 3) + "*".repeat(11) + s.slice(-4) : s ?? "")
const maskPhone = (s) => (s && /^\d{11}$/.test(s) ? s.slice(0, 3) + "****" + s.slice(-4) : s ?? "")

const colour = (score) => {
  if (score === null || score === undefined) return "#eef0f3"
  const x = Math.max(0, Math.min(1, (score - 0.6) / 0.4))
  return `hsl(${Math.round(x * 125)}, 62%, ${Math.round(80 - x * 8)}%)`
}

const addDays = (date, days) => {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

const ageOn = (birthDate, on) => {
  const [by, bm, bd] = birthDate.split("-").map(Number)
  const [y, m, d] = on.split("-").map(Number)
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0)
}

const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === "class") el.className = v
    else if (k === "style") Object.assign(el.style, v)
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v)
    else if (k === "dataset") Object.assign(el.dataset, v)
    else el.setAttribute(k, v === true ? "" : String(v))
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c))
  return el
}

const table = (el, headers, rows, total) => {
  el.replaceChildren(
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
    h(
      "tbody",
      {},
      rows.length === 0 ? h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, t("none"))) : rows
    )
  )
  if (total !== undefined && total > rows.length) {
    el.append(
      h("caption", { class: "more" }, t("more", { shown: rows.length, total }))
    )
  }
}

// ---------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------

class ApiError extends Error {}

const api = async (path, params = {}) => {
  const url = new URL(path, location.origin)
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item))
  }
  const response = await fetch(url, { headers: state.token ? { authorization: `Bearer ${state.token}` } : {} })
  const body = await response.json().catch(() => ({}))
  if (!response.ok) throw new ApiError(body.message ?? `${response.status} ${response.statusText}`)
  return body
}

const allPages = async (path, params = {}) => {
  const items = []
  let after
  do {
    const page = await api(path, { ...params, limit: 1000, after })
    items.push(...page.items)
    after = page.next
  } while (after !== undefined)
  return items
}

const cached = (key, load) => {
  if (!state.cache.has(key)) state.cache.set(key, load().catch((e) => (state.cache.delete(key), Promise.reject(e))))
  return state.cache.get(key)
}

// ---------------------------------------------------------------------------
// Signing in
// ---------------------------------------------------------------------------

const signIn = async (token) => {
  state.token = token
  state.cache.clear()
  state.me = await api("/me")
  sessionStorage.setItem("minqing.token", token)
  const places = await allPages("/places")
  state.places = new Map(places.map((p) => [p.id, p]))
  state.liaisons = (await allPages("/liaisons")).filter((l) => l.active)
  state.liaisonOfGrid = new Map()
  for (const l of [...state.liaisons].sort((a, b) => (a.id < b.id ? 1 : -1))) {
    for (const g of l.gridIds) state.liaisonOfGrid.set(g, l)
  }
  fillScopes()
  fillLiaisons()
  renderWho()
}

const renderWho = () => {
  const account = state.me?.account
  if (account === undefined) {
    $("who").textContent = t("needToken")
    return
  }
  const scope = account.scope.map((id) => state.places.get(id)?.name ?? id).join("、")
  $("who").textContent = `${t("signedInAs")}: ${account.name} · ${enumLabel("role", account.role)} · ${scope}`
}

const childrenOf = (id) =>
  [...state.places.values()].filter((p) => p.parentId === id).sort((a, b) => (a.id < b.id ? -1 : 1))

const fillScopes = () => {
  const select = $("scope")
  const previous = select.value
  select.replaceChildren()
  for (const root of state.me.account.scope) {
    const place = state.places.get(root)
    if (place === undefined) continue
    select.append(h("option", { value: place.id }, place.name))
    for (const child of childrenOf(place.id)) {
      if (child.level === "grid") continue
      select.append(h("option", { value: child.id }, `\u3000${child.name}`))
    }
  }
  if ([...select.options].some((o) => o.value === previous)) select.value = previous
}

const fillLiaisons = () => {
  const select = $("liaison")
  const own = state.me.account.liaisonId
  select.replaceChildren(
    ...state.liaisons
      .slice()
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((l) =>
        h("option", { value: l.id }, `${l.name} · ${l.gridIds.map((g) => state.places.get(g)?.name ?? g).join("、")}`)
      )
  )
  if (own !== undefined) select.value = own
}

// ---------------------------------------------------------------------------
// Panels
// ---------------------------------------------------------------------------

const scopeFacts = (scope) =>
  cached(`facts:${scope}`, async () => {
    const [households, residents] = await Promise.all([
      allPages("/households", { scope }),
      allPages("/residents", { scope })
    ])
    return {
      households: new Map(households.map((x) => [x.id, x])),
      residents: new Map(residents.map((x) => [x.id, x]))
    }
  })

const loadCoverage = async ({ scope, from, to, today }) => {
  const report = await api("/coverage", {
    metric: METRICS,
    scope,
    from,
    to,
    asOf: today,
    depth: 2,
    members: "none",
    locale: state.lang
  })
  const byMetric = new Map(report.metrics.map((m) => [m.id, new Map(m.figures.map((f) => [f.placeId, f]))]))
  const figure = (metric, placeId) => byMetric.get(metric)?.get(placeId)

  // Heat table: the scope's children (villages), each with its grids when expanded.
  const root = report.places.find((p) => p.depth === 0)
  const level1 = report.places.filter((p) => p.depth === 1)
  const rowOf = (place, depth) => {
    const screening = figure("household-screening", place.placeId)
    const hasChildren = report.places.some((p) => p.parentId === place.placeId)
    const open = state.expanded.has(place.placeId)
    return h(
      "tr",
      { dataset: { placeId: place.placeId, level: place.level }, class: depth > 1 ? "sub" : undefined },
      h(
        "th",
        { scope: "row" },
        hasChildren
          ? h("button", {
            type: "button",
            class: "expand",
            "aria-expanded": open ? "true" : "false",
            onclick: () => {
              if (open) state.expanded.delete(place.placeId)
              else state.expanded.add(place.placeId)
              renderCoverage()
            }
          }, `${open ? "▾" : "▸"} ${place.name}`)
          : place.name
      ),
      h("td", { class: "num" }, screening?.counts.denominator ?? "—"),
      METRICS.map((id) => {
        const f = figure(id, place.placeId)
        return h("td", {
          class: "score",
          dataset: { metric: id },
          style: { backgroundColor: colour(f?.score) },
          title: f === undefined ? "" : `${f.counts.numerator} / ${f.counts.denominator}`
        }, percent(f?.score))
      })
    )
  }
  const renderCoverage = () => {
    const rows = []
    const top = level1.length > 0 ? level1 : [root]
    for (const place of top) {
      rows.push(rowOf(place, 1))
      if (state.expanded.has(place.placeId)) {
        for (const grid of report.places.filter((p) => p.parentId === place.placeId)) rows.push(rowOf(grid, 2))
      }
    }
    if (level1.length > 0) {
      const total = rowOf(root, 0)
      total.classList.add("total")
      rows.push(total)
    }
    table($("coverage"), [t("place"), t("households"), ...METRICS.map(metricLabel)], rows)
  }
  renderCoverage()

  // Tiles: every grid, coloured by household screening.
  const grids = report.places.filter((p) => p.level === "grid")
  $("tiles").replaceChildren(
    ...grids.map((g) => {
      const f = figure("household-screening", g.placeId)
      const parent = report.places.find((p) => p.placeId === g.parentId)
      return h(
        "div",
        {
          class: "tile",
          style: { backgroundColor: colour(f?.score) },
          title: `${parent?.name ?? ""} ${g.name}: ${f?.counts.numerator ?? 0} / ${f?.counts.denominator ?? 0}`,
          dataset: { placeId: g.placeId }
        },
        h("span", { class: "tile-name" }, g.name.replace(parent?.name ?? "", "")),
        h("span", { class: "tile-score" }, percent(f?.score))
      )
    })
  )

  // The daily series at the scope.
  const series = figure("household-screening", report.scope)?.series ?? []
  renderChart(series)

  // Missed tasks in the period by rule, from rule compliance.
  const compliance = figure("rule-compliance", report.scope)
  const strata = (compliance?.strata ?? []).filter((s) => s.counts.denominator > 0)
  const missedTable = h("table", { class: "list compact" })
  table(
    missedTable,
    [t("rule"), t("count"), t("compliance")],
    strata
      .slice()
      .sort((a, b) => b.counts.missing - a.counts.missing)
      .map((s) =>
        h(
          "tr",
          { dataset: { rule: s.stratum } },
          h("td", {}, ruleLabel(s.stratum)),
          h("td", { class: "num" }, s.counts.missing),
          h("td", { class: "num" }, percent(s.score))
        )
      )
  )
  $("missed-by-rule").replaceChildren(h("h3", {}, t("missedByRule")), missedTable)
}

const renderChart = (series) => {
  const canvas = $("series")
  if (state.chart) state.chart.destroy()
  state.chart = new window.Chart(canvas, {
    type: "line",
    data: {
      labels: series.map((p) => p.date.slice(5)),
      datasets: [{
        label: t("seriesLabel"),
        data: series.map((p) => (p.score === null ? null : Math.round(p.score * 1000) / 10)),
        borderColor: "#0f766e",
        backgroundColor: "rgba(15, 118, 110, 0.15)",
        pointRadius: 3,
        fill: true,
        tension: 0.25
      }]
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        y: { suggestedMin: 80, max: 100, ticks: { callback: (v) => `${v}%` } }
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y}%` } }
      }
    }
  })
}

const taskRows = (tasks, facts) =>
  tasks.slice(0, LIST_LIMIT).map((task) => {
    const household = facts.households.get(task.householdId)
    const resident = task.subjectKind === "resident" ? facts.residents.get(task.subjectId) : undefined
    const grid = household === undefined ? undefined : state.places.get(household.gridId)
    const liaison = household === undefined ? undefined : state.liaisonOfGrid.get(household.gridId)
    return h(
      "tr",
      { dataset: { taskId: task.id } },
      h("td", {}, ruleLabel(task.rule)),
      h("td", {}, resident?.name ?? ""),
      h("td", {}, household?.address ?? task.householdId),
      h("td", {}, grid?.name ?? ""),
      h("td", {}, liaison?.name ?? ""),
      h("td", { class: "num" }, task.due)
    )
  })

const loadTasks = async ({ scope, to, today }) => {
  const facts = await scopeFacts(scope)
  // A day's tasks are missed once their window has closed: the last closed day of the period.
  const day = to < today ? to : addDays(today, -1)
  const headers = [t("rule"), t("subject"), t("address"), t("grid"), t("liaison"), t("due")]
  const [missed, overdue] = await Promise.all([
    api("/tasks", { from: day, to: day, asOf: today, state: "missed", placeId: scope }),
    api("/tasks", { from: today, to: today, asOf: today, state: "overdue", placeId: scope })
  ])
  $("missed-date").textContent = day
  table($("missed"), headers, taskRows(missed.tasks, facts), missed.tasks.length)
  table($("overdue"), headers, taskRows(overdue.tasks, facts), overdue.tasks.length)
}

const personCells = (r, facts, today) => {
  const household = facts.households.get(r.householdId)
  return [
    h("td", {}, r.name),
    h("td", {}, enumLabel("sex", r.sex)),
    h("td", { class: "num" }, ageOn(r.birthDate, today)),
    h("td", { class: "mono" }, maskNationalId(r.nationalId)),
    h("td", { class: "mono" }, maskPhone(r.phone)),
    h("td", {}, household?.address ?? ""),
    h("td", {}, state.places.get(household?.gridId)?.name ?? "")
  ]
}

const loadPeople = async ({ scope, today }) => {
  const [facts, vaccination] = await Promise.all([
    scopeFacts(scope),
    api("/coverage", {
      metric: "vaccination-first-dose",
      scope,
      from: today,
      to: today,
      asOf: today,
      depth: 0,
      members: "gaps",
      locale: state.lang
    })
  ])
  const headers = [t("name"), t("sex"), t("age"), t("nationalId"), t("phone"), t("address"), t("grid")]
  const missing = vaccination.metrics[0].members.filter((m) => m.status === "missing")
  table(
    $("unvaccinated"),
    [...headers, t("reason")],
    missing.slice(0, LIST_LIMIT).flatMap((m) => {
      const r = facts.residents.get(m.subject.id)
      return r === undefined ? [] : [
        h("tr", { dataset: { residentId: r.id } }, personCells(r, facts, today), h("td", {}, m.reason?.label ?? ""))
      ]
    }),
    missing.length
  )
  const elderly = [...facts.residents.values()]
    .filter((r) =>
      r.livesAlone && ageOn(r.birthDate, today) >= 60 && r.activeFrom <= today &&
      (r.activeUntil === undefined || r.activeUntil >= today)
    )
    .sort((a, b) => (a.birthDate < b.birthDate ? -1 : 1))
  table(
    $("elderly"),
    headers,
    elderly.slice(0, LIST_LIMIT).map((r) => h("tr", { dataset: { residentId: r.id } }, personCells(r, facts, today))),
    elderly.length
  )
}

const loadWorklist = async () => {
  const liaisonId = $("liaison").value
  const date = $("worklist-date").value || state.settings.today
  const list = (ol) => $("worklist").replaceChildren(...ol)
  if (!liaisonId) {
    $("worklist-summary").textContent = t("none")
    list([])
    return
  }
  const worklist = await api("/worklist", { liaisonId, date })
  const scope = state.places.get(state.liaisons.find((l) => l.id === liaisonId)?.gridIds[0])?.id
  const facts = scope === undefined ? undefined : await scopeFacts(scope).catch(() => undefined)
  $("worklist-summary").textContent = t("worklistSummary", { households: worklist.stops.length, tasks: worklist.tasks })
  list(worklist.stops.map((stop) =>
    h(
      "li",
      { class: `stop ${stop.priority}${stop.overdue ? " overdue" : ""}`, dataset: { householdId: stop.householdId } },
      h(
        "div",
        { class: "stop-head" },
        h("span", { class: "route" }, `#${stop.routePosition}`),
        h("span", { class: "address" }, stop.address),
        h("span", { class: `badge ${stop.priority}` }, enumLabel("priority", stop.priority)),
        stop.overdue ? h("span", { class: "badge overdue" }, enumLabel("taskState", "overdue")) : null
      ),
      h(
        "ul",
        { class: "stop-tasks" },
        stop.tasks.map((task) => {
          const resident = task.subjectKind === "resident" ? facts?.residents.get(task.subjectId) : undefined
          return h(
            "li",
            {},
            ruleLabel(task.rule),
            resident ? ` · ${resident.name}` : "",
            h("span", { class: `state ${task.state}` }, enumLabel("taskState", task.state))
          )
        })
      )
    )
  ))
}

// ---------------------------------------------------------------------------
// Loading everything
// ---------------------------------------------------------------------------

const setStatus = (text, kind = "") => {
  $("status").textContent = text
  $("status").className = `status ${kind}`
}

const loadAll = async () => {
  if (state.me === undefined) return
  const generation = ++state.generation
  const today = state.settings.today
  const to = $("to").value || today
  const from = $("from").value || addDays(to, -13)
  const scope = $("scope").value
  const query = { scope, from, to: to > today ? today : to, today }
  document.body.dataset.state = "loading"
  setStatus(t("loading"))
  const results = await Promise.allSettled([loadCoverage(query), loadTasks(query), loadPeople(query), loadWorklist()])
  if (generation !== state.generation) return
  const failure = results.find((r) => r.status === "rejected")
  if (failure !== undefined) {
    setStatus(`${t("failed")}: ${failure.reason?.message ?? failure.reason}`, "error")
    document.body.dataset.state = "error"
  } else {
    setStatus(`${t("updated")} ${new Date().toLocaleTimeString(state.lang)}`)
    document.body.dataset.state = "ready"
  }
}

const start = async () => {
  const params = new URLSearchParams(location.search)
  const wanted = params.get("lang") ?? localStorage.getItem("minqing.lang") ?? "zh-Hans"
  state.lang = window.MinqingI18n.locales.includes(wanted) ? wanted : "zh-Hans"
  applyStaticLabels()
  ;[state.settings, state.labels] = await Promise.all([
    fetch("/dashboard/settings.json").then((r) => r.json()),
    fetch("/dashboard/labels.json").then((r) => r.json())
  ])
  $("to").value = state.settings.today
  $("to").max = state.settings.today
  $("from").value = addDays(state.settings.today, -13)
  $("worklist-date").value = state.settings.today

  let token = sessionStorage.getItem("minqing.token") ?? undefined
  if (state.settings.demo) {
    const demo = await fetch("/dashboard/demo.json").then((r) => r.json())
    const select = $("demo-role")
    select.replaceChildren(...demo.map((d) => h("option", { value: d.token, dataset: { role: d.role } }, "")))
    const labelDemo = () => {
      for (const option of select.options) {
        const d = demo.find((x) => x.token === option.value)
        option.textContent = `${enumLabel("role", d.role)} · ${d.scope}`
      }
    }
    labelDemo()
    $("demo-box").hidden = false
    const role = params.get("role") ?? sessionStorage.getItem("minqing.role") ?? "subdistrict-admin"
    const chosen = demo.find((d) => d.role === role) ?? demo[0]
    select.value = chosen.token
    token = chosen.token
    select.addEventListener("change", async () => {
      sessionStorage.setItem("minqing.role", select.selectedOptions[0].dataset.role)
      await signInAndLoad(select.value)
    })
    state.relabelDemo = labelDemo
  }

  $("lang").addEventListener("change", async () => {
    state.lang = $("lang").value
    localStorage.setItem("minqing.lang", state.lang)
    applyStaticLabels()
    state.relabelDemo?.()
    renderWho()
    await loadAll()
  })
  $("token-form").addEventListener("submit", async (event) => {
    event.preventDefault()
    const value = $("token").value.trim()
    if (value !== "") await signInAndLoad(value)
  })
  $("refresh").addEventListener("click", () => loadAll())
  $("scope").addEventListener("change", () => loadAll())
  $("from").addEventListener("change", () => loadAll())
  $("to").addEventListener("change", () => loadAll())
  $("liaison").addEventListener("change", () => loadWorklist().catch((e) => setStatus(e.message, "error")))
  $("worklist-date").addEventListener("change", () => loadWorklist().catch((e) => setStatus(e.message, "error")))

  if (token === undefined) {
    renderWho()
    document.body.dataset.state = "signed-out"
    return
  }
  await signInAndLoad(token)
}

const signInAndLoad = async (token) => {
  try {
    document.body.dataset.state = "loading"
    setStatus(t("loading"))
    await signIn(token)
    await loadAll()
  } catch (e) {
    state.me = undefined
    sessionStorage.removeItem("minqing.token")
    renderWho()
    setStatus(`${t("failed")}: ${e.message}`, "error")
    document.body.dataset.state = "error"
  }
}

window.addEventListener("DOMContentLoaded", () => {
  start().catch((e) => {
    setStatus(`${t("failed")}: ${e.message}`, "error")
    document.body.dataset.state = "error"
  })
})
