// Pure parts of the model writer and the navigation wait: parsing, grounding of numbers, retry while a report builds.
import { describe, expect, it } from 'vitest'
import { groundInNeed, MAX_ANSWER_CHARS, parseModelAnswer } from '../../src/briefs/model-writer'
import { navigationDigest } from '../../src/briefs/navigation'
import { templateBrief } from '../../src/briefs/template'
import { UnavailableError } from '../../src/errors'
import type { NavigationService } from '../../src/navigation/service'
import { SYSTEM } from '../../src/orgs/access'

const base = templateBrief({ need: { title: '测试', description: '要求强度≥500MPa，周期6个月。' }, issuer: 'x', keywords: [], references: [] })

describe('model answers', () => {
  it('refuses non-JSON, huge and schema-breaking answers with short reasons', () => {
    expect(parseModelAnswer('hello')).toEqual({ ok: false, errors: ['not a JSON object'] })
    expect(parseModelAnswer('x'.repeat(MAX_ANSWER_CHARS + 1)).ok).toBe(false)
    const r = parseModelAnswer(JSON.stringify({ title: 't', extra: 1 }))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors.join(' ')).toMatch(/problem|Unrecognized/)
  })

  it('marks every target, budget and period whose numbers are not in the need as 待确认', () => {
    const c = {
      ...base,
      indicators: [
        { name: '强度', target: '≥500', unit: 'MPa', method: '拉伸试验', basis: '需求原文' as const },
        { name: '硬度', target: '≥60', unit: 'HRC', method: '', basis: '需求原文' as const },
        { name: '寿命', target: '≥10', unit: '年', method: '', basis: '建议值' as const },
        { name: '成本', target: '低', unit: '', method: '', basis: '需求原文' as const },
      ],
      budget: '100万元',
      duration: '6个月',
    }
    const { content, marked } = groundInNeed(c, '要求强度≥500MPa，周期6个月。')
    expect(marked).toBe(2)
    expect(content.indicators.map((i) => [i.target, i.basis])).toEqual([
      ['≥500', '需求原文'], ['待确认（建议 ≥60）', '待确认'], ['≥10', '建议值'], ['低', '待确认'],
    ])
    expect(content.budget).toBe('待确认（建议：100万元）')
    expect(content.duration).toBe('6个月')
  })
})

describe('waiting for a navigation report', () => {
  const nav = (status: string) => ({ getReport: async () => ({ id: 'r1', status, report: null }), latestReportForNeed: async () => null }) as unknown as NavigationService
  it('retries while the named report is being built, then goes on without it', async () => {
    await expect(navigationDigest(nav('running'), SYSTEM, 'n', { reportId: 'r1', mode: 'build', lastAttempt: false })).rejects.toBeInstanceOf(UnavailableError)
    expect(await navigationDigest(nav('running'), SYSTEM, 'n', { reportId: 'r1', mode: 'build', lastAttempt: true })).toEqual({ digest: null, pending: 'r1' })
    expect(await navigationDigest(nav('failed'), SYSTEM, 'n', { reportId: 'r1', mode: 'build', lastAttempt: false })).toEqual({ digest: null, pending: 'r1' })
    expect(await navigationDigest(nav('completed'), SYSTEM, 'n', { mode: 'auto', lastAttempt: false })).toEqual({ digest: null })
  })
})
