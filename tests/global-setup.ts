// With DATABASE_URL set, apply migrations once before the files run (they would also serialise on the advisory lock).
import { openPg } from '../src/db/pg'
import { migrate } from '../src/db/migrate'
import { TEST_EMBEDDING_DIM } from './helpers/env'

export default async function setup() {
  const url = process.env.DATABASE_URL
  if (!url) return
  const db = openPg(url)
  try {
    await migrate(db, { embeddingDim: TEST_EMBEDDING_DIM })
  } finally {
    await db.close()
  }
}
