// Indicator extraction and the clarity check on needs written for these tests in the style of posted enterprise needs
// (no text here is copied from any dataset).
import { describe, expect, it } from 'vitest'
import { clarityOf } from '../../src/briefs/clarity'
import { extractQuantities, numbersIn, standardsIn } from '../../src/briefs/indicators'
import { templateBrief } from '../../src/briefs/template'

type Expect = { name?: RegExp; target: string; unit: string; role?: 'target' | 'current' | 'condition'; kind?: 'indicator' | 'money' | 'duration' }

const cases: { text: string; want: Expect[]; not?: string[] }[] = [
  {
    text: '我司生产的密封圈在高温油液中易老化。要求耐温范围 -30~150℃，压缩永久变形≤25%，使用寿命不低于3000小时。',
    want: [
      { name: /耐温范围/, target: '-30~150', unit: '℃' },
      { name: /压缩永久变形/, target: '≤25', unit: '%' },
      { name: /使用寿命/, target: '≥3000', unit: '小时' },
    ],
  },
  {
    text: '现有清洗设备每小时处理量约800件，希望提高到每小时1500件以上，同时破损率控制在0.5%以内。',
    want: [
      { target: '≈800', unit: '件', role: 'current' },
      { target: '≥1500', unit: '件', role: 'target' },
      { name: /破损率/, target: '≤0.5', unit: '%', role: 'target' },
    ],
  },
  {
    text: '开发一种钠离子电池正极材料，首次放电比容量＞130mAh/g，1C倍率下循环2000次后容量保持率不小于85%，材料成本低于3万元/吨。',
    want: [
      { name: /首次放电比容量/, target: '>130', unit: 'mAh/g' },
      { target: '≥85', unit: '%' },
    ],
  },
  {
    text: '产品为户外储能柜，需在环境温度-20℃至45℃条件下稳定运行，电芯温差不大于5℃，整柜防护等级IP55。',
    want: [
      { name: /环境温度/, target: '-20~45', unit: '℃', role: 'condition' },
      { name: /电芯温差/, target: '≤5', unit: '℃', role: 'target' },
    ],
    not: ['55'],
  },
  {
    text: '目标：焊缝缺陷识别准确率≥98%，单张图像处理时间<=200 ms，漏检率小于0.2%。',
    want: [
      { name: /准确率/, target: '≥98', unit: '%' },
      { name: /处理时间/, target: '≤200', unit: 'ms' },
      { name: /漏检率/, target: '<0.2', unit: '%' },
    ],
  },
  {
    text: '希望将涂层表面张力从32达因提升到42达因左右，附着力达到1级，耐盐雾时间1000小时以上。',
    want: [
      { name: /表面张力/, target: '32', unit: '达因', role: 'current' },
      { name: /表面张力/, target: '≥42', unit: '达因', role: 'target' },
      { name: /耐盐雾时间/, target: '≥1000', unit: '小时' },
    ],
  },
  {
    text: '要求电机轴跳动≤0.5 mm，转速范围 1000-3000 r/min，噪声不高于65dB。',
    want: [
      { name: /轴跳动/, target: '≤0.5', unit: 'mm' },
      { name: /转速范围/, target: '1000~3000', unit: 'r/min' },
      { name: /噪声/, target: '≤65', unit: 'dB' },
    ],
  },
  {
    text: '胶粘剂固含量50±2%，粘度3000~5000 mPa·s，储存期常温下6个月。',
    want: [
      { name: /固含量/, target: '50±2', unit: '%' },
      { name: /粘度/, target: '3000~5000', unit: 'mPa·s' },
      { name: /储存期/, target: '6', unit: '个月' },
    ],
  },
  {
    text: '电池包要求充放电1000 次循环后容量保持率≥80%，样品需在30 天内交付测试。',
    want: [
      { target: '1000', unit: '次循环' },
      { name: /容量保持率/, target: '≥80', unit: '%' },
      { target: '≤30', unit: '天', kind: 'duration' },
    ],
  },
  {
    text: '本项目研发经费预算80万元，研发周期12个月，需按GB/T 2423.1-2008进行低温试验。',
    want: [
      { target: '80', unit: '万元', kind: 'money' },
      { target: '12', unit: '个月', kind: 'duration' },
    ],
    not: ['2423.1', '2008'],
  },
  {
    text: '１、颗粒粒径Ｄ５０小于１０μｍ；２、纯度不低于９９．５％；３、水分含量＜０．３％。',
    want: [
      { name: /粒径/, target: '<10', unit: 'μm' },
      { name: /纯度/, target: '≥99.5', unit: '%' },
      { name: /水分含量/, target: '<0.3', unit: '%' },
    ],
    not: ['1', '2', '3'],
  },
  {
    text: '2019年公司引进一条18650型电芯产线，目前良品率约为92%，计划2021年底前提升至97%以上。',
    want: [
      { name: /良品率/, target: '≈92', unit: '%', role: 'current' },
      { target: '≥97', unit: '%', role: 'target' },
    ],
    not: ['2019', '18650', '2021'],
  },
  {
    text: '需求一种单人使用的搬运夹具，可搬运150KG以上的圆柱形工件，工件直径范围200-400mm。',
    want: [
      { target: '≥150', unit: 'kg' },
      { name: /直径范围/, target: '200~400', unit: 'mm' },
    ],
  },
  {
    text: '污水处理后COD不超过50mg/L，氨氮≤5 mg/L，处理能力每天500吨。',
    want: [
      { name: /COD/, target: '≤50', unit: 'mg/L' },
      { name: /氨氮/, target: '≤5', unit: 'mg/L' },
      { target: '500', unit: '吨' },
    ],
  },
  {
    text: '控制器采样频率不低于4khz，通信延时小于10毫秒，工作电压12V~24V。',
    want: [
      { name: /采样频率/, target: '≥4', unit: 'kHz' },
      { name: /通信延时/, target: '<10', unit: '毫秒' },
      { name: /工作电压/, target: '12~24', unit: 'V' },
    ],
  },
]

describe('indicator extraction on real-looking needs', () => {
  for (const [i, c] of cases.entries()) {
    it(`need ${i + 1}: ${c.text.slice(0, 24)}…`, () => {
      const qs = extractQuantities(c.text)
      for (const w of c.want) {
        const hit = qs.find((q) => q.target === w.target && q.unit === w.unit && (!w.name || w.name.test(q.name)))
        expect(hit, `${w.target} ${w.unit} in ${JSON.stringify(qs.map((q) => `${q.name}|${q.target}|${q.unit}|${q.role}`))}`).toBeDefined()
        if (w.role) expect(hit!.role).toBe(w.role)
        expect(hit!.kind).toBe(w.kind ?? 'indicator')
      }
      for (const n of c.not ?? []) expect(qs.map((q) => q.value)).not.toContain(n)
    })
  }

  it('reads nothing from a need without numbers, and reads long input through', () => {
    expect(extractQuantities('希望找到一种环保的除味技术，提高产品品质。')).toEqual([])
    const long = '要求强度≥500MPa，'.repeat(5000) + '目前'.repeat(20000)
    // Behaviour only (tests never time): every repeated target is found to the end of a long text.
    expect(extractQuantities(long).length).toBeGreaterThan(0)
  })

  it('finds standards and canonical numbers', () => {
    expect(standardsIn('安全性能满足GB/T31485-2015及ISO 9001要求')).toEqual(['GB/T31485-2015', 'ISO 9001'])
    expect([...numbersIn('容量≥4,000mAh，电压4.0V')]).toEqual(['4000', '4'])
  })
})

describe('clarity check', () => {
  const brief = (description: string, extra: Record<string, unknown> = {}) =>
    templateBrief({ need: { title: '测试需求', description, ...extra }, issuer: '测试企业', keywords: [], references: [] })

  it('a vague need scores 0 and says exactly what is missing, in Chinese, and the brief asks for it', () => {
    const c = brief('希望提升产品质量，降低生产成本，欢迎高校专家联系。')
    const r = clarityOf(c)
    expect(r.score).toBe(0)
    expect(r.missing.map((m) => m.split('：')[0])).toEqual(['量化技术指标', '验收方式', '经费预算', '研发周期', '边界条件'])
    expect(c.open_questions.join('')).toMatch(/关键技术指标.*目标值/)
    expect(c.open_questions.join('')).toMatch(/研发经费或榜单金额/)
  })

  it('a clear need scores 100 with evidence for each check', () => {
    const c = brief('要求在环境温度-10~40℃条件下运行，检测准确率≥99%，按GB/T 18268进行电磁兼容测试，研发周期10个月，研发经费预算60万元。')
    const r = clarityOf(c)
    expect(r.missing).toEqual([])
    expect(r.score).toBe(100)
    expect(r.checks.find((k) => k.key === 'indicators')!.evidence).toContain('≥99')
  })

  it('counts the need\'s structured budget, and 建议值/待确认 targets do not count as stated', () => {
    const c = brief('希望改进焊接工艺。', { budget_min: 300000, budget_max: 500000 })
    expect(c.budget).toBe('30万元~50万元')
    expect(clarityOf(c).checks.find((k) => k.key === 'budget')!.ok).toBe(true)
    const suggested = { ...c, indicators: [{ name: '焊缝强度', target: '≥400', unit: 'MPa', method: '待确认', basis: '建议值' as const }] }
    expect(clarityOf(suggested).checks.find((k) => k.key === 'indicators')!.ok).toBe(false)
    const written = { ...suggested, indicators: [{ ...suggested.indicators[0]!, basis: '人工填写' as const }] }
    expect(clarityOf(written).checks.find((k) => k.key === 'indicators')!.ok).toBe(true)
  })
})
