// Imports refuse what they cannot read, and say why: unrecognised encodings name the accepted ones.
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertRecognisedEncoding } from '../../src/imports/read'
import { createTestApp, type TestApp } from '../helpers/app'
import { uploadImport } from '../helpers/imports'

let t: TestApp
let uni: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp()
  uni = await t.tenant('university', 'university')
})
afterAll(() => t.close())

const HEADER = '公开号,标题,摘要,申请人\n'
const ROWS = ['CN114000001A,一种锂离子电池健康状态估计方法,基于深度学习的电池健康状态在线估计,东南大学', 'CN114000002A,一种钙钛矿太阳能电池的制备方法,两步旋涂法与界面钝化,南京大学']

describe('file encodings', () => {
  it('refuses a Shift-JIS file: the encoding could not be recognised, and which encodings are accepted', async () => {
    const sjis = iconv.encode('特許番号,タイトル,要約,出願人\nJP2020123456A,リチウムイオン電池の製造方法,電池の健康状態を推定する,株式会社テスト\n', 'shift_jis')
    const r = await uploadImport(t, uni.key, 'patent', 'jp.csv', sjis)
    expect(r.status).toBe(400)
    const body = await r.json()
    expect(body.type).toBe('/problems/bad_file')
    expect(body.detail).toMatch(/无法识别文件编码/)
    expect(body.detail).toMatch(/could not be recognised/)
    expect(body.detail).toMatch(/UTF-8.*GB18030/)
    expect(body.detail).not.toMatch(/僀|儕|摿/) // no mis-decoded columns
  })

  it('refuses a file with a UTF-8 header and Latin-1 rows (mixed encodings)', async () => {
    const mixed = Buffer.concat([Buffer.from(HEADER, 'utf8'), iconv.encode('CN114000003A,Café résumé naïve,Crème brûlée façade,Université\n', 'latin1')])
    const r = await uploadImport(t, uni.key, 'patent', 'mixed.csv', mixed)
    expect(r.status).toBe(400)
    const body = await r.json()
    expect(body.detail).toMatch(/could not be recognised/)
    expect(body.detail).toMatch(/mixed encodings|编码混用/)
  })

  it('still accepts UTF-8, UTF-8 with BOM and GB18030/GBK Chinese files', async () => {
    const text = HEADER + ROWS.join('\n') + '\n'
    for (const [name, buf] of [
      ['u8.csv', Buffer.from(text, 'utf8')],
      ['bom.csv', Buffer.from('\ufeff' + text, 'utf8')],
      ['gb.csv', iconv.encode(text, 'gb18030')],
      ['gbk.csv', iconv.encode(text.replace('东南大学', '东南大学（堃珺研究所）'), 'gbk')],
    ] as const) {
      const r = await uploadImport(t, uni.key, 'patent', name, buf)
      expect(r.status, name).toBe(202)
    }
    await t.settle()
  })

  it('judges the bytes in one pass (unit): Latin-1 alone, and a stray bad byte in a large GB file', () => {
    expect(() => assertRecognisedEncoding(iconv.encode('name,city\nRenée,Zürich\nJosé,São Paulo\n', 'latin1'))).toThrow(/could not be recognised/)
    const big = iconv.encode((HEADER + ROWS.join('\n') + '\n').repeat(200), 'gb18030')
    big[500] = 0x80 // one corrupt byte in a long Chinese file is not a reason to refuse it
    expect(() => assertRecognisedEncoding(big)).not.toThrow()
  })
})

describe('uploads with bad names and fields', () => {
  it('a NUL in the file name or the mapping is a 400, never a 500', async () => {
    const form = new FormData()
    form.set('file', new File([HEADER + ROWS[0]], 'a\u0000b.csv'))
    form.set('kind', 'patent')
    const r = await t.request('/v1/imports', { method: 'POST', key: uni.key, body: form })
    expect(r.status).toBe(400)
    expect((await r.json()).errors[0].field).toBe('form.file')
    const form2 = new FormData()
    form2.set('file', new File([HEADER + ROWS[0]], 'ok.csv'))
    form2.set('kind', 'patent')
    form2.set('map', 'title=标题\u0000')
    const r2 = await t.request('/v1/imports', { method: 'POST', key: uni.key, body: form2 })
    expect(r2.status).toBe(400)
    expect((await r2.json()).errors[0].field).toBe('form.map')
  })
})
