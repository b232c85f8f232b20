// LSA in plain TypeScript (src/models/lsa.ts): the truncated SVD recovers a known low-rank structure, and texts that
// share a topic but no word end up closer than texts of another topic.
import { describe, expect, it } from 'vitest'
import { embedLsa, fitLsa } from '../../src/models/lsa'
import type { SparseVector } from '../../src/models/sparse'

const vec = (entries: [number, number][]): SparseVector => {
  const e = [...entries].sort((a, b) => a[0] - b[0])
  const norm = Math.sqrt(e.reduce((s, [, v]) => s + v * v, 0))
  return { indices: e.map(([i]) => i), values: e.map(([, v]) => v / norm) }
}
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0)

describe('fitLsa / embedLsa', () => {
  // two topics: words 1-4 (batteries) and 11-14 (water treatment); documents use two or three words of one topic
  const topicA = [1, 2, 3, 4]
  const topicB = [11, 12, 13, 14]
  const docs: SparseVector[] = []
  for (const topic of [topicA, topicB]) {
    for (let i = 0; i < topic.length; i++) {
      docs.push(vec([[topic[i]!, 1], [topic[(i + 1) % topic.length]!, 1]]))
      docs.push(vec([[topic[i]!, 1], [topic[(i + 1) % topic.length]!, 0.5], [topic[(i + 2) % topic.length]!, 0.5]]))
    }
  }

  it('places a text nearer the documents of its topic, even those it shares no word with', () => {
    const m = fitLsa(docs, { dim: 2, minDf: 2, seed: 7 })
    expect(m.dim).toBe(2)
    expect(m.singular[0]!).toBeGreaterThanOrEqual(m.singular[1]!)
    const q = embedLsa(m, vec([[1, 1]]))
    const sameTopicOtherWords = embedLsa(m, vec([[3, 1], [4, 1]]))
    const otherTopic = embedLsa(m, vec([[11, 1], [12, 1]]))
    expect(cos(q, sameTopicOtherWords)).toBeGreaterThan(0.9)
    expect(cos(q, otherTopic)).toBeLessThan(0.2)
  })

  it('is reproducible from its seed, leaves out rare and unwanted terms, and embeds an unknown text as zeros', () => {
    const withRare = [...docs, vec([[99, 1], [1, 1]])]
    const a = fitLsa(withRare, { dim: 2, seed: 3, keep: (ix) => ix !== 14 })
    const b = fitLsa(withRare, { dim: 2, seed: 3, keep: (ix) => ix !== 14 })
    expect(embedLsa(a, docs[0]!)).toEqual(embedLsa(b, docs[0]!))
    expect(a.rows.has(99)).toBe(false) // in one document only
    expect(a.rows.has(14)).toBe(false)
    expect(embedLsa(a, vec([[500, 1]]))).toEqual([0, 0])
  })
})
