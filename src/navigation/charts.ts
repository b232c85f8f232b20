// Charts of a report as inline SVG, drawn by Apache ECharts' server-side SVG renderer (no browser). ECharts escapes
// the text it writes into the SVG; labels are also clipped so that long applicant names do not crowd a chart.
import * as echarts from 'echarts'
import type { Report } from './schema'
import { LEGAL_LABEL, TYPE_LABEL } from './build'

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
export const PALETTE = ['#2f6db5', '#e07b39', '#3a9e6d', '#c0504d', '#8064a2', '#4bacc6', '#9b7b39', '#d46aa8', '#6b8e23', '#7f7f7f', '#1f9e9e', '#b5862f']

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) + '…' : s)

function render(option: Record<string, unknown>, width = 760, height = 340): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: FONT, fontSize: 12 }, backgroundColor: '#fff', ...option })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

const title = (text: string) => ({ text, left: 'center', top: 4, textStyle: { fontSize: 14, fontWeight: 'bold', fontFamily: FONT } })

export function trendChart(r: Report): string | null {
  if (!r.trend.length) return null
  return render({
    title: title('专利申请与授权趋势（件）'),
    legend: { top: 28, data: ['申请量', '授权量'] },
    grid: { left: 50, right: 20, top: 64, bottom: 36 },
    xAxis: { type: 'category', data: r.trend.map((t) => String(t.year)), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '申请量', type: 'bar', data: r.trend.map((t) => t.applications), label: { show: r.trend.length <= 16, position: 'top', fontSize: 10 } },
      { name: '授权量', type: 'line', data: r.trend.map((t) => t.grants), symbolSize: 6 },
    ],
  })
}

export function ipcChart(r: Report): string | null {
  const rows = r.ipc.subclasses.slice(0, 10).reverse()
  if (!rows.length) return null
  return render({
    title: title('IPC 主分类小类分布（件）'),
    grid: { left: 70, right: 40, top: 40, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((s) => s.code) },
    series: [{ type: 'bar', data: rows.map((s) => s.count), label: { show: true, position: 'right', fontSize: 10 } }],
  }, 760, 60 + rows.length * 28)
}

/** Growth by IPC subclass: the last `window` years against the `window` before, side by side (the growth in the label). */
export function ipcGrowthChart(r: Report): string | null {
  const ref = r.ipc.reference_year
  const rows = r.ipc.subclasses.filter((s) => s.recent + s.previous > 0).slice(0, 10).reverse()
  if (ref === null || !rows.length) return null
  const w = r.ipc.window
  const recentName = `近${w}年（${ref - w + 1}–${ref}）`
  const previousName = `前${w}年（${ref - 2 * w + 1}–${ref - w}）`
  const growthOf = (g: number | null) => (g === null ? '新出现' : `${g >= 0 ? '+' : ''}${Math.round(g * 100)}%`)
  return render({
    title: title(`IPC 主分类小类：近${w}年与前${w}年申请量（件）`),
    legend: { top: 26, data: [previousName, recentName] },
    grid: { left: 70, right: 70, top: 56, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((s) => s.code) },
    series: [
      { name: previousName, type: 'bar', data: rows.map((s) => s.previous), itemStyle: { color: '#a9c4e4' }, barGap: '10%' },
      {
        name: recentName, type: 'bar', data: rows.map((s) => ({ value: s.recent, growth: growthOf(s.growth) })),
        label: { show: true, position: 'right', fontSize: 10, formatter: (p: { value: number; data: { growth: string } }) => `${p.value}（${p.data.growth}）` },
      },
    ],
  }, 760, 80 + rows.length * 40)
}

export function applicantChart(r: Report): string | null {
  const rows = r.applicants.top.slice(0, 10).reverse()
  if (!rows.length) return null
  return render({
    title: title('主要申请人（件）'),
    grid: { left: 230, right: 40, top: 40, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((a) => clip(a.name, 16)) },
    series: [{ type: 'bar', data: rows.map((a) => a.count), label: { show: true, position: 'right', fontSize: 10 } }],
  }, 760, 60 + rows.length * 28)
}

function pie(name: string, data: { name: string; value: number }[], center: string) {
  return {
    name, type: 'pie', radius: ['30%', '54%'], center: [center, '56%'], data: data.filter((d) => d.value > 0), percentPrecision: 1,
    label: { formatter: '{b}\n{c} 件（{d}%）', fontSize: 12, overflow: 'none' }, labelLine: { length: 8, length2: 8 },
    labelLayout: { hideOverlap: false },
  }
}

export function kindsChart(r: Report): string | null {
  const data = r.applicants.kinds.map((k) => ({ name: k.label, value: k.patents }))
  if (!data.some((d) => d.value)) return null
  return render({ title: title('创新主体类型（按第一申请人，件）'), series: [{ ...pie('主体类型', data, '50%'), radius: ['34%', '62%'] }] }, 760, 320)
}

export function legalChart(r: Report): string | null {
  if (!r.counts.patents) return null
  return render({
    title: [
      title('法律状态与专利类型（件）'),
      { text: '法律状态', left: '27%', top: 276, textAlign: 'center', textStyle: { fontSize: 12, fontWeight: 'normal', color: '#555', fontFamily: FONT } },
      { text: '专利类型', left: '73%', top: 276, textAlign: 'center', textStyle: { fontSize: 12, fontWeight: 'normal', color: '#555', fontFamily: FONT } },
    ],
    series: [
      pie('法律状态', r.legal.status.map((s) => ({ name: LEGAL_LABEL[s.name] ?? s.name, value: s.count })), '27%'),
      pie('专利类型', r.legal.types.map((s) => ({ name: TYPE_LABEL[s.name] ?? s.name, value: s.count })), '73%'),
    ],
  }, 760, 300)
}

export function clusterMapChart(r: Report): string | null {
  if (!r.clusters || r.clusters.items.length < 2) return null
  const shown = r.clusters.items.slice(0, 12)
  const series = shown.map((c) => ({
    name: `T${c.id + 1} ${clip(c.label, 10)}`, type: 'scatter', symbolSize: 5, itemStyle: { opacity: 0.55 },
    data: r.clusters!.points.filter((p) => p[2] === c.id).map((p) => [p[0], p[1]]),
  }))
  const others = r.clusters.points.filter((p) => p[2] >= shown.length)
  if (others.length) series.push({ name: '其他主题', type: 'scatter', symbolSize: 4, itemStyle: { opacity: 0.35, color: '#bbb' } as never, data: others.map((p) => [p[0], p[1]]) })
  // topic names at their centres
  series.push({
    name: '主题中心', type: 'scatter', symbolSize: 10, itemStyle: { color: '#222', opacity: 0.9 },
    data: shown.map((c) => ({ value: c.centroid2d, name: `T${c.id + 1}` })) as never,
    label: { show: true, formatter: '{b}', position: 'top', fontSize: 11, fontWeight: 'bold', color: '#222', backgroundColor: 'rgba(255,255,255,0.75)', padding: [1, 2] },
    labelLayout: { moveOverlap: 'shiftY' },
  } as never)
  return render({
    title: title('技术主题分布图（文本向量在主题中心分得最开的两个方向上的投影，每点一件专利）'),
    legend: { type: 'plain', bottom: 4, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 }, data: series.filter((s) => s.name !== '主题中心').map((s) => s.name) },
    grid: { left: 40, right: 20, top: 40, bottom: 90 },
    xAxis: { type: 'value', scale: true, axisLabel: { show: false }, axisTick: { show: false }, axisLine: { onZero: false, lineStyle: { color: '#ccc' } }, splitLine: { show: false } },
    yAxis: { type: 'value', scale: true, axisLabel: { show: false }, axisTick: { show: false }, axisLine: { onZero: false, lineStyle: { color: '#ccc' } }, splitLine: { show: false } },
    series,
  }, 760, 520)
}

export function effectsChart(r: Report): string | null {
  const e = r.effects
  if (!e.branches.length) return null
  const data: [number, number, number][] = []
  e.cells.forEach((row, i) => row.forEach((v, j) => data.push([j, i, v])))
  const max = Math.max(1, ...data.map((d) => d[2]))
  const branches = e.branches.map((b) => `${b.key} ${clip(b.label, 12)}`)
  return render({
    title: title('技术功效矩阵（技术分支 × 功效，件）'),
    grid: { left: 190, right: 20, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: e.effects, axisLabel: { interval: 0, rotate: 30, fontSize: 11 }, splitArea: { show: true } },
    yAxis: { type: 'category', data: branches, inverse: true, axisLabel: { fontSize: 11 }, splitArea: { show: true } },
    visualMap: { min: 0, max, show: false, inRange: { color: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] } },
    series: [{ type: 'heatmap', data, label: { show: true, fontSize: 10, formatter: (p: { value: number[] }) => String(p.value[2]) } }],
  }, 760, 110 + branches.length * 30)
}

export function lifecycleChart(r: Report): string | null {
  const pts = r.lifecycle.points
  if (pts.length < 2) return null
  return render({
    title: title('技术生命周期（申请人数 × 申请量，按年份）'),
    grid: { left: 60, right: 40, top: 44, bottom: 48 },
    xAxis: { type: 'value', name: '申请人数', nameLocation: 'middle', nameGap: 28, minInterval: 1, scale: true },
    yAxis: { type: 'value', name: '申请量', nameLocation: 'middle', nameGap: 40, minInterval: 1, scale: true },
    series: [{
      type: 'line', symbolSize: 7, data: pts.map((p) => ({ value: [p.applicants, p.applications], name: String(p.year) })),
      label: { show: true, formatter: '{b}', position: 'right', fontSize: 10 }, labelLayout: { hideOverlap: true }, lineStyle: { width: 1.5 },
    }],
  }, 760, 380)
}
