import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Config } from '../config'
import type { Db } from '../db'
import type { Caller } from '../orgs/access'
import type { Judge } from '../roadshows/judges'
import type { Services } from '../services'

export interface AppDeps {
  config: Config
  db: Db
  services: Services
  /** Present when a queue backend needs checking (Redis); throws when unreachable. */
  queuePing?: () => Promise<void>
  /** True once the process is shutting down: /readyz answers 503 and connections are not kept alive. */
  draining?: () => boolean
}

export type AppEnv = {
  Variables: {
    requestId: string
    caller: Caller
    /** on /v1/judging/* only: the judge whose scoring link the request carries */
    judge: Judge
  }
}

export type App = OpenAPIHono<AppEnv>
