// Field vocabularies and lenient parsers shared by the API schemas and the importers.
// Stored values are English codes; users may write the Chinese labels, which are mapped here.

export const MATURITY = ['lab', 'small_pilot', 'pilot', 'industrial'] as const
export type Maturity = (typeof MATURITY)[number]
export const MATURITY_LABEL: Record<Maturity, string> = { lab: '实验室', small_pilot: '小试', pilot: '中试', industrial: '产业化' }
/** TRL band of each stage, for comparing a TRL with a stage. */
export const MATURITY_TRL: Record<Maturity, [number, number]> = { lab: [1, 3], small_pilot: [4, 5], pilot: [6, 7], industrial: [8, 9] }

export const TRANSFER_MODES = ['transfer', 'license', 'equity', 'co_development', 'service', 'other'] as const
export type TransferMode = (typeof TRANSFER_MODES)[number]
export const TRANSFER_MODE_LABEL: Record<TransferMode, string> = {
  transfer: '转让', license: '许可', equity: '作价投资', co_development: '合作开发', service: '技术服务', other: '其他',
}

export const PATENT_TYPES = ['invention', 'utility_model', 'design'] as const
export type PatentType = (typeof PATENT_TYPES)[number]
export const LEGAL_STATUS = ['pending', 'valid', 'invalid'] as const
export type LegalStatus = (typeof LEGAL_STATUS)[number]

export const VISIBILITY = ['public', 'platform', 'private'] as const
export type Visibility = (typeof VISIBILITY)[number]

const clean = (s: string) => s.normalize('NFKC').trim()

export function parseMaturity(v: string): Maturity | null {
  const s = clean(v).toLowerCase()
  if ((MATURITY as readonly string[]).includes(s)) return s as Maturity
  if (/产业化|量产|批量|规模化|市场化|已应用|推广应用/.test(s)) return 'industrial'
  if (/中试/.test(s)) return 'pilot'
  if (/小试|样品|样机|原型/.test(s)) return 'small_pilot'
  if (/实验室|研发|研究|概念|理论/.test(s)) return 'lab'
  const trl = /trl\s*(\d)/.exec(s)
  if (trl) return maturityFromTrl(Number(trl[1]))
  return null
}

export function maturityFromTrl(trl: number): Maturity {
  return trl <= 3 ? 'lab' : trl <= 5 ? 'small_pilot' : trl <= 7 ? 'pilot' : 'industrial'
}

/** Modes named in free text, e.g. "完全转让许可转让技术入股合作生产" or "技术转让,技术许可,委托开发". */
export function parseTransferModes(v: string | string[]): TransferMode[] {
  const s = clean(Array.isArray(v) ? v.join(',') : v).toLowerCase()
  const out = new Set<TransferMode>()
  for (const code of TRANSFER_MODES) if (new RegExp(`\\b${code}\\b`).test(s)) out.add(code)
  if (/完全转让|技术转让|(^|[^可])转让|买断/.test(s.replace(/许可转让/g, '许可'))) out.add('transfer')
  if (/许可/.test(s)) out.add('license')
  if (/入股|作价|投资/.test(s)) out.add('equity')
  if (/合作开发|委托开发|合作生产|联合开发|共同开发|合作研发/.test(s)) out.add('co_development')
  if (/技术服务|技术咨询|咨询|服务/.test(s)) out.add('service')
  if (/其他|其它/.test(s)) out.add('other')
  return TRANSFER_MODES.filter((m) => out.has(m))
}

export function parsePatentType(v: string): PatentType | null {
  const s = clean(v).toLowerCase()
  if ((PATENT_TYPES as readonly string[]).includes(s)) return s as PatentType
  if (/实用新型/.test(s)) return 'utility_model'
  if (/外观/.test(s)) return 'design'
  if (/发明/.test(s)) return 'invention'
  return null
}

export function parseLegalStatus(v: string): LegalStatus | null {
  const s = clean(v).toLowerCase()
  if ((LEGAL_STATUS as readonly string[]).includes(s)) return s as LegalStatus
  if (/失效|无效|撤回|驳回|放弃|届满|终止|未缴|权利恢复失败/.test(s)) return 'invalid'
  if (/有效|授权|维持|权利恢复/.test(s)) return 'valid'
  if (/审中|审查|公开|实审|实质审查|申请中|待审/.test(s)) return 'pending'
  return null
}

export function parseVisibility(v: string): Visibility | null {
  const s = clean(v).toLowerCase()
  if ((VISIBILITY as readonly string[]).includes(s)) return s as Visibility
  if (/公开/.test(s)) return 'public'
  if (/平台|会员/.test(s)) return 'platform'
  if (/私有|保密|不公开|仅自己/.test(s)) return 'private'
  return null
}

/** "H01M 10/42" -> "H01M10/42"; null when it is not an IPC code. */
export function normalizeIpc(v: string): string | null {
  const s = clean(v).toUpperCase().replace(/\s+/g, '')
  const m = /^([A-H]\d{2}[A-Z])(\d{1,4})?(?:\/(\d{1,6}))?$/.exec(s)
  if (!m) return null
  return m[1]! + (m[2] ?? '') + (m[3] && m[2] ? '/' + m[3] : '')
}

/** All IPC codes in a cell such as "H01M10/42;H01M 10/48 | G01R31/36". Returns [codes, bad parts]. */
export function parseIpcList(v: string | string[]): { codes: string[]; bad: string[] } {
  const parts = (Array.isArray(v) ? v : splitList(v)).map(clean).filter(Boolean)
  const codes: string[] = []
  const bad: string[] = []
  for (const p of parts) {
    const c = normalizeIpc(p)
    if (c) {
      if (!codes.includes(c)) codes.push(c)
    } else bad.push(p)
  }
  return { codes, bad }
}

/** "CN 114123456 A" -> "CN114123456A". */
export function normalizePublicationNumber(v: string): string {
  return clean(v).toUpperCase().replace(/[\s.\-_]+/g, '')
}

/** Lists in cells: split on , ; ， ； 、 | and newlines. */
export function splitList(v: string): string[] {
  return v
    .split(/[,;，；、|\n]+/)
    .map((x) => clean(x))
    .filter(Boolean)
}

/** Money in yuan from "120万元", "1.5亿", "100.0万元-200.0万元", "50000"; a range gives [min, max]; "面议" gives nulls. */
export function parseMoneyRange(v: string): [number | null, number | null] | undefined {
  const s = clean(v).replace(/[,，\s]/g, '')
  if (!s || /面议|协商|待定|议价/.test(s)) return [null, null]
  const nums = [...s.matchAll(/(\d+(?:\.\d+)?)(亿|万|千)?/g)]
  if (!nums.length) return undefined
  const unitOf = (u?: string) => (u === '亿' ? 1e8 : u === '万' ? 1e4 : u === '千' ? 1e3 : undefined)
  // "100-200万元": a unit on the last number applies to all.
  const lastUnit = unitOf(nums[nums.length - 1]![2])
  const vals = nums.slice(0, 2).map((m) => Number(m[1]) * (unitOf(m[2]) ?? lastUnit ?? 1))
  return [vals[0]!, vals[1] ?? vals[0]!]
}

/** Dates as YYYY-MM-DD from "2021-03-05", "2021/3/5", "2021.03.05", "20210305", "2021年3月5日" or an Excel serial. */
export function parseDate(v: string | number | Date): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString().slice(0, 10)
  if (typeof v === 'number') {
    if (v > 20000 && v < 80000) return new Date(Math.round((v - 25569) * 86400e3)).toISOString().slice(0, 10)
    v = String(v)
  }
  const s = clean(v)
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s)
  if (!m) {
    m = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(s)
    if (m) m = [m[0], m[1]!, m[2]!, '1'] as unknown as RegExpExecArray
  }
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const dt = new Date(Date.UTC(y, mo - 1, d))
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return undefined
  return dt.toISOString().slice(0, 10)
}
