// Applicant kinds from names (申请人类型): university, institute, enterprise or individual.
// Order matters: "中国科学院大学" is a university, "中国科学院XX研究所" (科学院 contains 学院) an institute, and an
// institute registered as a company ("XX研究院有限公司") an enterprise.

export const APPLICANT_KINDS = ['university', 'institute', 'enterprise', 'individual'] as const
export type ApplicantKind = (typeof APPLICANT_KINDS)[number]
export const APPLICANT_KIND_LABEL: Record<ApplicantKind, string> = { university: '高校', institute: '科研院所', enterprise: '企业', individual: '个人' }

const COMPANY = /(公司|集团|厂|企业|商行|合作社)$|有限责任|股份|有限公司|\b(co\.?|ltd\.?|inc\.?|corp\.?|corporation|gmbh|llc|s\.?a\.?|ag|plc|company)(\b|$)/i

export function classifyApplicant(raw: string): ApplicantKind {
  const name = raw.normalize('NFKC').trim()
  if (/大学|university|college/i.test(name)) return 'university'
  if (/公司|集团|会社|商会/.test(name) || COMPANY.test(name)) return 'enterprise'
  if (/科学院|研究院|研究所|研究中心|实验室|医院|institute|academy|laboratory/i.test(name)) return 'institute'
  if (/学院|学校|高等专科/.test(name)) return 'university'
  if (/厂$|厂[（(]|工厂/.test(name)) return 'enterprise'
  return 'individual'
}
