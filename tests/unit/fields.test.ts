import { describe, expect, it } from 'vitest'
import {
  normalizeIpc, normalizePublicationNumber, parseDate, parseIpcList, parseLegalStatus, parseMaturity, parseMoneyRange,
  parsePatentType, parseTransferModes,
} from '../../src/catalog/fields'
import { decodeText, detectFormat } from '../../src/imports/read'
import iconv from 'iconv-lite'

describe('field parsers', () => {
  it('normalises IPC codes and publication numbers', () => {
    expect(normalizeIpc('H01M 10/42')).toBe('H01M10/42')
    expect(normalizeIpc(' g06f ')).toBe('G06F')
    expect(normalizeIpc('XYZ')).toBeNull()
    expect(parseIpcList('H01M10/42; H01M 10/48 | bad')).toEqual({ codes: ['H01M10/42', 'H01M10/48'], bad: ['bad'] })
    expect(normalizePublicationNumber('CN 114123456 A')).toBe('CN114123456A')
    expect(normalizePublicationNumber('cn114123456b')).toBe('CN114123456B')
  })

  it('reads Chinese labels for maturity, modes, type and status', () => {
    expect(['实验室阶段', '通过小试', '已有样品', '中试', '可以量产', 'TRL 7'].map(parseMaturity)).toEqual(['lab', 'small_pilot', 'small_pilot', 'pilot', 'industrial', 'pilot'])
    expect(parseTransferModes('完全转让许可转让技术入股合作生产')).toEqual(['transfer', 'license', 'equity', 'co_development'])
    expect(parseTransferModes('技术许可,委托开发')).toEqual(['license', 'co_development'])
    expect(parseTransferModes('许可转让')).toEqual(['license'])
    expect(['发明专利', '实用新型', '外观设计'].map(parsePatentType)).toEqual(['invention', 'utility_model', 'design'])
    expect(['授权', '实质审查', '未缴年费终止失效', '驳回'].map(parseLegalStatus)).toEqual(['valid', 'pending', 'invalid', 'invalid'])
  })

  it('parses money in yuan and dates', () => {
    expect(parseMoneyRange('100.0万元-200.0万元')).toEqual([1_000_000, 2_000_000])
    expect(parseMoneyRange('50-80万')).toEqual([500_000, 800_000])
    expect(parseMoneyRange('1.5亿')).toEqual([150_000_000, 150_000_000])
    expect(parseMoneyRange('面议')).toEqual([null, null])
    expect(parseMoneyRange('一百万')).toBeUndefined()
    expect(['2021-03-05', '2021/3/5', '2021.03.05', '20210305', '2021年3月5日', '2021-03-0510:49:39.0'].map((d) => parseDate(d))).toEqual(Array(6).fill('2021-03-05'))
    expect(parseDate(44260)).toBe('2021-03-05') // Excel serial
    expect(parseDate('2021-02-30')).toBeUndefined()
  })
})

describe('file decoding', () => {
  it('detects UTF-8 with and without BOM, and GB18030', () => {
    expect(decodeText(Buffer.from('\ufeff标题', 'utf8'))).toEqual({ text: '标题', encoding: 'utf-8-bom' })
    expect(decodeText(Buffer.from('标题', 'utf8'))).toEqual({ text: '标题', encoding: 'utf-8' })
    expect(decodeText(iconv.encode('公开(公告)号,标题', 'gbk'))).toEqual({ text: '公开(公告)号,标题', encoding: 'gb18030' })
  })

  it('detects formats and refuses files that are not what they claim', () => {
    expect(detectFormat('a.csv', Buffer.from('a,b'))).toBe('csv')
    expect(detectFormat('a.json', Buffer.from('[]'))).toBe('json')
    expect(detectFormat('upload', Buffer.from('{"a":1}'))).toBe('json')
    expect(detectFormat('a.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toBe('xlsx')
    expect(() => detectFormat('a.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toThrow(/ZIP/)
    expect(() => detectFormat('a.csv', Buffer.from([1, 0, 2]))).toThrow(/binary/)
    expect(() => detectFormat('a.csv', Buffer.alloc(0))).toThrow(/empty/)
    expect(() => detectFormat('a.xls', Buffer.from('x'))).toThrow(/xls/)
  })
})
