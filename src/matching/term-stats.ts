// Document frequencies of the sparse dimensions, per catalogue: the idf of a query's terms. Recomputed from the stored
// vectors when the catalogue has changed by more than a tenth since the last count (checked at most once a minute per
// process), so idf follows the catalogue without ever re-embedding documents.
import type { Db } from '../db'
import { sparseIndicesOf } from '../models/sparse'
import type { Table } from './retrieve'
import { termStatsStore } from './term-stats-store'
import { yieldToEventLoop } from '../yield'

const CHECK_EVERY_MS = 60_000
const PAGE = 2000
const META_TTL_MS = 2_000
const MAX_CACHED_TERMS = 500_000
const LOAD_PAGE = 50_000

export interface Idf {
  docs: number
  df(index: number): number
  idf(index: number): number
}

export function createTermStats(db: Db) {
  const checked = new Map<Table, number>()

  /** Recounts document frequencies of a catalogue from its stored sparse vectors. */
  async function refresh(table: Table): Promise<number> {
    const df = new Map<number, number>()
    let docs = 0
    let after: string | null = null
    for (;;) {
      const rows = await termStatsStore.sparsePage(db, table, after, PAGE)
      if (!rows.length) break
      for (const row of rows) {
        docs++
        for (const i of sparseIndicesOf(row.sparse)) df.set(i, (df.get(i) ?? 0) + 1)
      }
      after = rows[rows.length - 1]!.id
    }
    await termStatsStore.replace(db, table, docs, df)
    cache.delete(table) // this process sees its own refresh at once
    return docs
  }

  /** Refreshes when missing or when the catalogue size moved by more than 10% (at most one check a minute). */
  const inFlight = new Map<Table, Promise<void>>()
  function ensureFresh(table: Table): Promise<void> {
    // concurrent callers (the sources of one match run at once) share one check
    let p = inFlight.get(table)
    if (!p) {
      p = check(table).finally(() => inFlight.delete(table))
      inFlight.set(table, p)
    }
    return p
  }

  async function check(table: Table): Promise<void> {
    const now = Date.now()
    if (now - (checked.get(table) ?? 0) < CHECK_EVERY_MS) return
    checked.set(table, now)
    const [docs, n] = await Promise.all([termStatsStore.counted(db, table), termStatsStore.documents(db, table)])
    if (docs === undefined || Math.abs(n - docs) > Math.max(1, docs * 0.1)) await refresh(table)
  }

  // Counts only change when a refresh rewrites them (here or in another process), so they are cached per catalogue and
  // keyed by the refresh's time. All of a refresh's counts are read once, in pages that yield to other requests
  // (~100k terms at 100k documents): a search then costs no statistics query at all. A catalogue with more terms than
  // MAX_CACHED_TERMS is looked up term by term instead. The refresh time is re-read at most every META_TTL_MS, so
  // another process's refresh is seen within that.
  type Entry = { stamp: string; docs: number; readAt: number; df: Map<number, number>; complete: boolean; loading?: Promise<void> }
  const cache = new Map<Table, Entry>()

  async function loadAll(table: Table, e: Entry): Promise<void> {
    try {
      let after = -1
      for (;;) {
        const rows = await termStatsStore.page(db, table, after, LOAD_PAGE)
        for (const x of rows) e.df.set(x.term, x.df)
        if (rows.length < LOAD_PAGE) break
        if (e.df.size >= MAX_CACHED_TERMS) return // too many to hold: the rest is looked up as needed
        after = rows[rows.length - 1]!.term
        await yieldToEventLoop()
      }
      e.complete = true
    } catch {
      // counts not read in full: looked up as needed
    } finally {
      e.loading = undefined
    }
  }
  const metaInFlight = new Map<Table, Promise<{ stamp: string; docs: number }>>()
  async function metaOf(table: Table) {
    const c = cache.get(table)
    if (c && Date.now() - c.readAt < META_TTL_MS) return c
    let p = metaInFlight.get(table)
    if (!p) {
      p = termStatsStore.meta(db, table).finally(() => metaInFlight.delete(table))
      metaInFlight.set(table, p)
    }
    const m = await p
    const current = cache.get(table)
    if (current && current.stamp === m.stamp) {
      current.readAt = Date.now()
      return current
    }
    const fresh: Entry = { ...m, readAt: Date.now(), df: new Map<number, number>(), complete: false }
    if (m.stamp) fresh.loading = loadAll(table, fresh)
    cache.set(table, fresh)
    return fresh
  }

  /** idf = ln((N + 1) / (df + 1)) + 1 for the given dimensions (a term no document has gets the largest idf). */
  async function idfFor(table: Table, indices: number[]): Promise<Idf> {
    await ensureFresh(table)
    const c = await metaOf(table)
    if (c.loading) await c.loading
    const missing = c.complete ? [] : [...new Set(indices)].filter((i) => !c.df.has(i))
    if (missing.length) {
      const rows = await termStatsStore.frequencies(db, table, missing)
      if (c.df.size + missing.length > MAX_CACHED_TERMS) c.df = new Map()
      for (const i of missing) c.df.set(i, 0) // absent = no document has it
      for (const x of rows) c.df.set(x.term, x.df)
    }
    const df = new Map(indices.map((i) => [i, c.df.get(i) ?? 0]))
    const docs = c.docs
    return { docs, df: (i) => df.get(i) ?? 0, idf: (i) => Math.log((docs + 1) / ((df.get(i) ?? 0) + 1)) + 1 }
  }

  return { refresh, ensureFresh, idfFor }
}

export type TermStats = ReturnType<typeof createTermStats>
