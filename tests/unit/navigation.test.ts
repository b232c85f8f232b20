// Pure parts of the navigation reports: applicant kinds, the effect lexicon, clustering, the summary's number check,
// escaping.
import { describe, expect, it } from 'vitest'
import { classifyApplicant } from '../../src/navigation/classify'
import { clusterDocs, clusterDocsOffThread, clusterQuality, symmetricEigen, wardMerge } from '../../src/navigation/cluster'
import { effectsOf } from '../../src/navigation/effects'
import { escapeHtml, escapeMarkdown } from '../../src/navigation/escape'
import { lifeCycle, queryString } from '../../src/navigation/build'
import { Scope } from '../../src/navigation/schema'
import { numbersIn, parseNarrative, templateSummary, unsupportedNumbers } from '../../src/navigation/summary'
import { classesFromQrels } from '../../src/cli/eval-clusters'

describe('applicant kinds', () => {
  it.each([
    ['清华大学', 'university'],
    ['浙江工业大学之江学院', 'university'],
    ['南京工程学院', 'university'],
    ['中国科学院大学', 'university'],
    ['中国科学院物理研究所', 'institute'],
    ['中国科学院', 'institute'],
    ['江苏省产业技术研究院', 'institute'],
    ['国网江苏省电力有限公司电力科学研究院', 'enterprise'],
    ['北京理工大学重庆创新中心', 'university'],
    ['宁德时代新能源科技股份有限公司', 'enterprise'],
    ['中国石油化工集团', 'enterprise'],
    ['上海第三钢铁厂', 'enterprise'],
    ['Huawei Technologies Co., Ltd.', 'enterprise'],
    ['三菱电机株式会社', 'enterprise'],
    ['Stanford University', 'university'],
    ['张三', 'individual'],
    ['王小明', 'individual'],
  ])('%s -> %s', (name, kind) => {
    expect(classifyApplicant(name)).toBe(kind)
  })
})

describe('effect lexicon', () => {
  it('finds effects named outright and "improve ... object" within a few characters', () => {
    expect(effectsOf('本发明结构简单、成本低，显著提高了生产效率。')).toEqual(['提高效率', '降低成本', '简化结构'])
    expect(effectsOf('延长了电池的循环寿命，并有效防止热失控。')).toEqual(['提高安全性', '延长寿命'])
    expect(effectsOf('降低了能耗与废水排放')).toEqual(['节能降耗', '环保减排'])
    expect(effectsOf('检测精度高，误差小')).toEqual(['提高精度'])
  })
  it('does not join a verb to an object across a clause or far away', () => {
    expect(effectsOf('提高温度，成本')).toEqual([])
    expect(effectsOf('提高了该装置在多种复杂工况下运行时的效率')).toEqual([])
    expect(effectsOf('一种电池壳体')).toEqual([])
  })
})

const DOCS = [
  ...['锂电池正极材料包覆', '锂电池负极硅碳材料', '锂电池电解液添加剂', '固态锂电池电解质', '锂电池隔膜涂层'].map((t) => ({ title: t, text: `${t}，提高锂电池的能量密度与循环寿命，正极负极电解液。` })),
  ...['小麦抗病育种方法', '水稻分子标记育种', '玉米杂交育种', '大豆抗旱品种选育', '棉花育种分子标记'].map((t) => ({ title: t, text: `${t}，利用分子标记辅助选择，培育高产抗病作物新品种。` })),
  ...['图像目标检测网络', '深度学习图像分割', '卷积神经网络图像识别', '图像超分辨率神经网络', '视频图像行人检测'].map((t) => ({ title: t, text: `${t}，基于卷积神经网络和深度学习，提高图像识别准确率。` })),
]

describe('clustering', () => {
  it('is deterministic for a seed and separates clearly different topics', () => {
    const a = clusterDocs(DOCS, { k: 3, seed: 7 })
    const b = clusterDocs(DOCS, { k: 3, seed: 7 })
    expect(Array.from(a.assign)).toEqual(Array.from(b.assign))
    expect(a.coords).toEqual(b.coords)
    expect(a.terms).toEqual(b.terms)
    const truth = DOCS.map((_, i) => Math.floor(i / 5))
    expect(clusterQuality(a.assign, truth)).toEqual({ nmi: 1, purity: 1 })
    expect(a.terms.flat()).toEqual(expect.arrayContaining(['锂电池', '育种', '图像']))
  })

  it('with enough documents, over-clusters and merges by Ward, deterministically for a seed', () => {
    // 3 topics x 20 documents: 12 small groups merged to 3 (the Ward path), not plain k-means
    const many = DOCS.flatMap((d, i) => [0, 1, 2, 3].map((v) => ({ title: d.title, text: `${d.text}${'甲乙丙丁'[v]}${i}` })))
    const a = clusterDocs(many, { k: 3, seed: 3 })
    expect(Array.from(clusterDocs(many, { k: 3, seed: 3 }).assign)).toEqual(Array.from(a.assign))
    const truth = many.map((_, i) => Math.floor(i / 20))
    expect(clusterQuality(a.assign, truth)).toEqual({ nmi: 1, purity: 1 })
  })

  it('Ward merges the groups whose merge adds the least within-group variance', () => {
    // four groups on a line at 0, 1, 10 and 12 (sums = centre x size), sizes 1, 1, 1, 3: merging 0 and 1 costs
    // 1*1/2*1 = 0.5, 10 and 12 costs 1*3/4*4 = 3; so two clusters are {0, 1} and {10, 12}, three keep 10 and 12 apart
    const S = Float64Array.from([0, 1, 10, 36])
    const sizes = [1, 1, 1, 3]
    expect(Array.from(wardMerge(S, sizes, 1, 2))).toEqual([0, 0, 1, 1])
    expect(Array.from(wardMerge(S, sizes, 1, 3))).toEqual([0, 0, 1, 2])
  })

  it('gives the same clusters on a worker thread', async () => {
    const here = clusterDocs(DOCS, { k: 3, seed: 7 })
    const there = await clusterDocsOffThread(DOCS, { k: 3, seed: 7 }, 0)
    expect(Array.from(there.assign)).toEqual(Array.from(here.assign))
    expect(there.terms).toEqual(here.terms)
  })

  it('chooses k from the data by silhouette and says how', () => {
    const c = clusterDocs(DOCS, { seed: 7, kMin: 2, kMax: 5 })
    expect(c.k).toBe(3)
    expect(c.criterion).toContain('轮廓系数')
    expect(c.scores!.map((s) => s.k)).toEqual([2, 3]) // at most n / 5
  })

  it('NMI and purity match values worked out by hand', () => {
    // clusters {0,0,1,1} against classes {0,0,0,1}: purity (2 + 1) / 4; NMI from the entropies
    const q = clusterQuality([0, 0, 1, 1], [0, 0, 0, 1])
    expect(q.purity).toBe(0.75)
    const h = (ps: number[]) => -ps.reduce((s, p) => s + p * Math.log(p), 0)
    const mi = 0.5 * Math.log(0.5 / (0.5 * 0.75)) + 0.25 * Math.log(0.25 / (0.5 * 0.75)) + 0.25 * Math.log(0.25 / (0.5 * 0.25))
    expect(q.nmi).toBeCloseTo((2 * mi) / (h([0.5, 0.5]) + h([0.75, 0.25])), 10)
  })

  it('eigen-decomposes a symmetric matrix', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2)
    expect(values[0]).toBeCloseTo(3)
    expect(values[1]).toBeCloseTo(1)
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2)
  })

  it('derives classes from qrels: a query and its relevant documents share one', () => {
    const qrels = new Map([['a', new Map([['b', 1], ['c', 1]])], ['d', new Map([['e', 1]])]])
    const c = classesFromQrels(['a', 'b', 'c', 'd', 'e', 'f'], qrels)
    expect(c.get('a')).toBe(c.get('c'))
    expect(c.get('d')).toBe(c.get('e'))
    expect(new Set(c.values()).size).toBe(3)
  })
})

describe('life cycle and retrieval statement', () => {
  const years = (apps: number[], applicants: number[]) => apps.map((a, i) => ({ year: 2015 + i, applications: a, applicants: applicants[i]! }))
  it('tells growing, mature and declining areas apart', () => {
    expect(lifeCycle(years([5, 6, 5, 10, 12, 14], [3, 3, 3, 6, 7, 8])).stage).toBe('growing')
    expect(lifeCycle(years([10, 10, 10, 11, 10, 10], [6, 6, 6, 6, 6, 6])).stage).toBe('mature')
    expect(lifeCycle(years([10, 10, 10, 4, 3, 2], [6, 6, 6, 3, 2, 2])).stage).toBe('declining')
    expect(lifeCycle(years([1, 1], [1, 1])).stage).toBe('unknown')
  })
  it('writes the scope as a search statement', () => {
    const s = Scope.parse({ keywords: ['固态电解质', '硫化物'], ipc: ['h01m 10/05'], date_from: '2015-01-01', patent_types: ['invention'], legal_status: ['valid'] })
    expect(queryString(s)).toBe('TI/AB/CL=("固态电解质" OR "硫化物") AND IPC=(H01M10/05*) AND AD=[2015-01-01 TO *] AND PT=(发明) AND LS=(有效)')
  })
})

describe('summary numbers', () => {
  const facts = { patents: 120, share_pct: 45.5, years: { first: 2015, last: 2023 }, reason: '近3年申请 40 件', code: 'CN114123456A' }
  it('reads numbers as written', () => {
    expect(numbersIn('共 1,234 件，占 45.50%，增长-20%')).toEqual(['1234', '45.5', '20'])
  })
  it('accepts a narrative whose numbers are all in the statistics and rejects one with a number that is not', () => {
    expect(unsupportedNumbers('2015–2023 年共 120 件，近3年 40 件，占 45.5%', facts)).toEqual([])
    expect(unsupportedNumbers('共 121 件', facts)).toEqual(['121'])
    const ok = parseNarrative(JSON.stringify({ summary: '共 120 件专利。', recommendations: ['关注 CN114123456A。'] }), facts)
    expect(ok).toEqual({ ok: true, text: '共 120 件专利。\n\n建议：\n- 关注 CN114123456A。' })
    const bad = parseNarrative(JSON.stringify({ summary: '共 120 件专利，增长 37%。' }), facts)
    expect(bad).toEqual({ ok: false, reason: 'numbers not in the statistics: 37' })
    expect(parseNarrative('not json', facts).ok).toBe(false)
    expect(parseNarrative(JSON.stringify({ text: 'x' }), facts).ok).toBe(false)
  })
  it('the template states only numbers from the statistics', () => {
    const f = {
      title: 't', query: 'TI/AB/CL=("电池")', cutoff_date: '2026-01-02', window_years: 3, patents: 12, applicants: 5, inventors: 9, first_year: 2018, last_year: 2023,
      peak: { year: 2023, applications: 4 }, recent: { from: 2021, to: 2023, applications: 8, previous_applications: 4, growth_pct: 100 },
      ipc_top: [{ code: 'H01M', count: 12, share_pct: 100, growth_pct: 100 }], ipc_fastest: { code: 'H01M', growth_pct: 100, recent: 8, previous: 4 },
      applicant_kinds: [{ kind: '高校', patents: 7, share_pct: 58.3, applicants: 2 }], applicants_top: [{ name: '甲大学', kind: '高校', count: 6 }],
      co_applicant_pairs: [], legal_status: [{ status: '有效', count: 6, share_pct: 50 }], patent_types: [{ type: '发明', count: 12, share_pct: 100 }],
      topics: [{ topic: 'T1', label: '电池', size: 12, share_pct: 100, growth_pct: null }], lifecycle: { stage: '成长期', reason: '近3年申请 8 件' },
      white_spaces: [], transfer_opportunities: 3, lapsed_free_to_use: 2, key_patents: [{ publication_number: 'CN1A', title: 'x' }],
    }
    const text = templateSummary(f)
    expect(text).toContain('共检得专利 12 件')
    expect(text).toContain('2 件专利已失效，其技术方案可无偿实施')
    expect(unsupportedNumbers(text, f)).toEqual([])
  })
})

describe('escaping', () => {
  it('escapes HTML and Markdown syntax in patent text', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&\u0007`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;')
    expect(escapeMarkdown('a|b [x](javascript:y) <b>*c*</b>\nd `e`')).toBe('a\\|b \\[x\\]\\(javascript:y\\) &lt;b&gt;\\*c\\*&lt;/b&gt; d &#96;e&#96;')
  })
})
