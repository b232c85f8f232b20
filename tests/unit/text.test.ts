import { describe, expect, it } from 'vitest'
import { hashEmbed } from '../../src/models/hash-embedder'
import { contentHash, keywords, normalize, searchTokens, tokenize } from '../../src/text/analyze'

const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0)

describe('text analysis', () => {
  it('normalises full-width characters and whitespace', () => {
    expect(normalize('  ＳＯＨ　估计（误差＜３％）\n\t方法 ')).toBe('SOH 估计(误差<3%) 方法')
  })

  it('segments Chinese with jieba and drops punctuation', () => {
    const t = tokenize('锂离子电池健康状态估计，误差小于3%。')
    expect(t).toContain('锂离子')
    expect(t).toContain('电池')
    expect(t.some((x) => /[，。]/.test(x))).toBe(false)
  })

  it('keeps sub-words in search mode and removes stop words', () => {
    const s = searchTokens('本发明公开了一种锂离子电池的制备方法')
    expect(s).toContain('离子')
    expect(s).toContain('锂离子')
    expect(s).not.toContain('本发明')
    expect(s).not.toContain('的')
  })

  it('extracts topical keywords, not boilerplate', () => {
    const k = keywords('本发明公开了一种钙钛矿太阳能电池的制备方法，通过界面钝化提高钙钛矿电池的光电转换效率和稳定性。', 5).map((x) => x.term)
    expect(k).toContain('钙钛矿')
    expect(k).not.toContain('本发明')
    expect(k).not.toContain('方法')
  })

  it('hashes content deterministically', () => {
    expect(contentHash(['同一段文字'])).toBe(contentHash(['同一段文字 ']))
    expect(contentHash(['同一段文字'])).not.toBe(contentHash(['另一段文字']))
  })
})

describe('hash embedder', () => {
  it('is deterministic, normalised, and closer for related texts', () => {
    const a = hashEmbed('锂离子电池健康状态估计方法', 512)
    const b = hashEmbed('动力电池健康状态在线估计', 512)
    const c = hashEmbed('小麦赤霉病抗病品种选育', 512)
    expect(hashEmbed('锂离子电池健康状态估计方法', 512)).toEqual(a)
    expect(Math.abs(cos(a, a) - 1)).toBeLessThan(1e-5)
    expect(cos(a, b)).toBeGreaterThan(cos(a, c) + 0.2)
  })
})
