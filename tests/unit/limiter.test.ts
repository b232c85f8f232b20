import { describe, expect, it } from 'vitest'
import { createLimiter } from '../../src/limiter'

const tick = () => new Promise((r) => setTimeout(r, 1))

describe('createLimiter', () => {
  it('never runs more than its limit at once, and starts waiting calls in order', async () => {
    const limit = createLimiter(2)
    let running = 0
    let peak = 0
    const started: number[] = []
    const calls = Array.from({ length: 7 }, (_, i) => limit(async () => {
      started.push(i)
      running++
      peak = Math.max(peak, running)
      await tick()
      running--
      return i * 10
    }))
    expect(await Promise.all(calls)).toEqual([0, 10, 20, 30, 40, 50, 60])
    expect(peak).toBe(2)
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('frees the slot of a call that throws', async () => {
    const limit = createLimiter(1)
    await expect(limit(async () => { throw new Error('boom') })).rejects.toThrow('boom')
    expect(await limit(async () => 'next')).toBe('next')
  })
})
