// Clarity check of a brief, deterministic and explained: quantified indicators, a budget, a timeline, boundary
// conditions and an acceptance method. A value marked 待确认 counts as missing; a 建议值 is not the enterprise's word
// either, so a target only counts when it comes from the need or a person wrote it.
import { type BriefContent, type Clarity, TBD } from './schema'

export const CLARITY_CHECKS = [
  { key: 'indicators', label: '量化技术指标', weight: 30, missing: '量化技术指标：没有可检验的量化目标值（如 ≥95%、≤0.5 mm、1000 次循环）' },
  { key: 'acceptance', label: '验收方式', weight: 20, missing: '验收方式：未说明如何测试或验收（测试方法、标准或第三方检测）' },
  { key: 'budget', label: '经费预算', weight: 20, missing: '经费预算：未给出投入经费或榜单金额' },
  { key: 'timeline', label: '研发周期', weight: 15, missing: '研发周期：未给出研发周期或交付时间' },
  { key: 'boundary', label: '边界条件', weight: 15, missing: '边界条件：未说明使用工况、约束或适用范围（温度、尺寸、材料、现有设备等）' },
] as const
export type ClarityKey = (typeof CLARITY_CHECKS)[number]['key']

const HAS_NUMBER = /\d/
export const isTbd = (s: string | undefined | null) => !s || !s.trim() || s.trim().startsWith(TBD) || /^(?:面议|面谈|协商|商议|不详|无|暂无|未知)$/.test(s.trim())

/** Is this indicator a stated, quantified target? */
export const statedTarget = (i: BriefContent['indicators'][number]) =>
  HAS_NUMBER.test(i.target) && !isTbd(i.target) && (i.basis === '需求原文' || i.basis === '人工填写')

export function clarityOf(c: BriefContent): Clarity {
  const stated = c.indicators.filter(statedTarget)
  const methods = c.indicators.filter((i) => !isTbd(i.method))
  const evidence: Record<ClarityKey, [boolean, string]> = {
    indicators: [stated.length > 0, stated.length ? `${stated.length} 项量化指标：${stated.slice(0, 3).map((i) => `${i.name} ${i.target}${i.unit}`).join('；')}` : '无'],
    acceptance: [
      methods.length > 0 || (!isTbd(c.acceptance) && /测试|检测|试验|验收|标准|第三方|考核|GB|ISO/.test(c.acceptance) && !c.acceptance.includes(TBD)),
      methods.length ? `${methods.length} 项指标给出测试方法` : isTbd(c.acceptance) || c.acceptance.includes(TBD) ? '无' : c.acceptance.slice(0, 60),
    ],
    budget: [!isTbd(c.budget) && HAS_NUMBER.test(c.budget) && !c.budget.includes(TBD), isTbd(c.budget) ? '无' : c.budget.slice(0, 60)],
    timeline: [!isTbd(c.duration) && HAS_NUMBER.test(c.duration) || /[一二两三四五六七八九十半]+(?:个月|年|周|天)/.test(c.duration) && !c.duration.includes(TBD), isTbd(c.duration) ? '无' : c.duration.slice(0, 60)],
    boundary: [c.constraints.some((s) => !isTbd(s)), c.constraints.filter((s) => !isTbd(s)).slice(0, 2).join('；').slice(0, 80) || '无'],
  }
  const checks = CLARITY_CHECKS.map((k) => ({ key: k.key, label: k.label, weight: k.weight, ok: evidence[k.key][0], evidence: evidence[k.key][1] }))
  return {
    score: checks.reduce((s, k) => s + (k.ok ? k.weight : 0), 0),
    missing: CLARITY_CHECKS.filter((k) => !evidence[k.key][0]).map((k) => k.missing),
    checks,
  }
}
