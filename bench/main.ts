// `npm run bench -- <ingest|match|load|responsiveness|navigation|upload|parse|roadshow> [options]`: performance benchmarks (not part of npm test).
import { benchIngest } from './ingest'
import { benchLoad } from './load'
import { benchMatch } from './match'
import { benchNavigation } from './navigation'
import { benchParse } from './parse'
import { benchResponsiveness } from './responsiveness'
import { benchRoadshow } from './roadshow'
import { benchUpload } from './upload'

const [which, ...rest] = process.argv.slice(2)
const benches: Record<string, (argv: string[]) => Promise<void>> = {
  ingest: benchIngest, match: benchMatch, load: benchLoad, responsiveness: benchResponsiveness, navigation: benchNavigation,
  upload: benchUpload, parse: benchParse, roadshow: benchRoadshow,
}
const run = benches[which ?? '']
if (!run) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`)
  process.exit(64)
}
await run(rest)
process.exit(0)
