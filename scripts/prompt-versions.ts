// Pins new prompt files in prompts/versions.json: adds an entry for every prompts/<name>/v<N>.md that has none, and
// never rewrites an existing entry (a changed text goes into a new version file). Run: npx tsx scripts/prompt-versions.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PROMPTS_DIR, VERSIONS_FILE, promptHash, readVersions } from '../src/prompts/registry'

const versions = readVersions()
let added = 0
for (const name of readdirSync(PROMPTS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  for (const file of readdirSync(path.join(PROMPTS_DIR, name)).filter((f) => /^v\d+\.md$/.test(f)).sort()) {
    const id = `${name}/${file.slice(0, -3)}`
    const hash = promptHash(readFileSync(path.join(PROMPTS_DIR, name, file), 'utf8'))
    if (!versions[id]) {
      versions[id] = hash
      added++
      console.log(`pinned ${id} ${hash}`)
    } else if (versions[id] !== hash) {
      console.error(`${id} differs from its pinned hash: leave it as it was and write the new text as a new version file`)
      process.exitCode = 1
    }
  }
}
const sorted = Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)))
writeFileSync(VERSIONS_FILE, `${JSON.stringify(sorted, null, 2)}\n`)
console.log(added ? `${added} new prompt version(s) pinned` : 'nothing new to pin')
