// Shared steps of the brief tests: a need posted by an enterprise, a draft written and waited for.
import { expect } from 'vitest'
import type { TestApp } from './app'

export const CLEAR_NEED = {
  title: '储能电池包液冷板流道优化',
  description:
    '我司为储能系统集成商，现有风冷电池包在夏季高温时电芯温差过大，影响循环寿命。希望开发液冷板流道设计方案：' +
    '在环境温度-20~45℃条件下，电芯最大温差≤3℃，液冷板压降不超过30kPa，系统循环寿命达到6000次以上。' +
    '液冷板需兼容现有电池包尺寸，不得改变模组排布。验收按GB/T 36276进行第三方检测。研发周期12个月，研发经费预算80万元。',
  industry: '新能源-储能',
  cooperation_modes: ['co_development'],
}

export const VAGUE_NEED = {
  title: '提升产品质量的新技术',
  description: '公司希望引进新技术提升产品质量、降低生产成本，欢迎高校专家团队联系洽谈。',
  industry: '制造业',
}

export async function postNeed(t: TestApp, key: string, need: Record<string, unknown>): Promise<string> {
  const r = await t.request('/v1/needs', { method: 'POST', key, json: need })
  expect(r.status, await r.clone().text()).toBe(201)
  return (await r.json()).id
}

/** Drafts a brief and waits for its job; returns the brief as the drafter reads it. */
export async function draft(t: TestApp, key: string, needId: string, body: Record<string, unknown> = {}) {
  const r = await t.request(`/v1/needs/${needId}/briefs`, { method: 'POST', key, json: body })
  expect(r.status, await r.clone().text()).toBe(202)
  const { id, job_id } = await r.json()
  const job = await t.job(job_id)
  expect(job.state, JSON.stringify(job)).toBe('completed')
  return (await t.request(`/v1/briefs/${id}`, { key })).json()
}
