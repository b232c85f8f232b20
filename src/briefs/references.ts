// What a brief cites as 参考方向: the need's top confirmed, then suggested, matches, read through the matching
// service's public functions with the requester's own rights (an enterprise sees only confirmed matches of its needs).
// The one place briefs call matching.
import type { MatchingService } from '../matching/service'
import type { Caller } from '../orgs/access'
import type { BriefReference } from './schema'

const TOP = 5

export async function referencesFromMatches(matching: MatchingService, caller: Caller, needId: string): Promise<BriefReference[]> {
  const { items: rows } = await matching.listNeedMatches({ ctx: caller, input: { id: needId, limit: 50 } })
  // a withdrawn or deleted item (title null for this caller) is no reference
  const usable = rows.filter((m) => m.state !== 'rejected' && m.item_title !== null)
  const ordered = [...usable.filter((m) => m.state === 'confirmed'), ...usable.filter((m) => m.state === 'suggested')]
  return ordered.slice(0, TOP).map((m) => ({
    kind: m.item_kind,
    id: m.item_id,
    title: m.item_title!,
    note: [m.state === 'confirmed' ? '已确认匹配' : '系统建议匹配（未经审核）', m.explanation?.summary].filter(Boolean).join('：').slice(0, 300),
    state: m.state as 'confirmed' | 'suggested',
  }))
}
