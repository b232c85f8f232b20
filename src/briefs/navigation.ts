// What a patent-navigation report contributes to a brief: main technical routes (topics), key applicants, white spaces
// and key patents, each cited by the report's section (GB/T 39551-2020 headings as the report renders them).
// Read through the navigation service with the requester's rights; the one place briefs call navigation.
import { UnavailableError } from '../errors'
import type { NavigationService } from '../navigation/service'
import type { Caller } from '../orgs/access'
import type { NavigationDigest } from './template'

export type NavigationMode = 'auto' | 'build' | 'none'

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

/**
 * The digest of the report named (a report ordered with the draft) or of the need's newest built report.
 * A named report still being built throws UnavailableError (the job retries) until `lastAttempt`, which goes on without it.
 */
export async function navigationDigest(
  navigation: NavigationService, ctx: Caller, needId: string, o: { reportId?: string | null; mode: NavigationMode; lastAttempt: boolean },
): Promise<{ digest: NavigationDigest | null; pending?: string }> {
  if (o.mode === 'none') return { digest: null }
  const row = o.reportId ? await navigation.getReport({ ctx, input: { id: o.reportId } }) : await navigation.latestReportForNeed({ ctx, input: { needId } })
  if (!row) return { digest: null }
  if (row.status !== 'completed' || !row.report) {
    if (row.status === 'failed' || o.lastAttempt) return { digest: null, pending: row.id }
    throw new UnavailableError('The navigation report is still being built / 专利导航报告尚在生成')
  }
  const r = row.report
  const topics = r.clusters?.items ?? []
  const routes = topics.length
    ? [...topics].sort((a, b) => b.size - a.size).slice(0, 5).map((c) => ({ title: clip(`${c.label}（${c.terms.slice(0, 4).join('、')}；${c.size} 件）`, 120), section: '六、技术主题' }))
    : r.ipc.subclasses.slice(0, 4).map((x) => ({ title: `${x.code}（${x.count} 件）`, section: '三、技术构成' }))
  return {
    digest: {
      reportId: row.id,
      routes,
      applicants: r.applicants.top.slice(0, 3).map((a) => ({ name: clip(`${a.name}（${a.count} 件）`, 120), section: '四、创新主体' })),
      whiteSpaces: r.opportunities.white_spaces.slice(0, 3).map((w) => ({ title: clip(`${w.label}：${w.reason}`, 160), section: '八、技术空白与机会' })),
      keyPatents: r.key_patents.slice(0, 3).map((p) => ({ id: p.id, title: clip(`${p.publication_number} ${p.title}`, 200), section: '九、重点专利' })),
    },
  }
}
