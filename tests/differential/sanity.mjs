// Sanity check of the simulator (and of the translation in lib.mjs) on hand-written fact
// documents whose AWS answer aws-semantics.md states. A mismatch is a simulator limitation
// (or a translation bug) to know about before reading differential results.
//
// usage: node sanity.mjs SIMULATOR_DIR [CASES.ndjson]

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { decide, loadSimulator } from './lib.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const [simDir, casesPath = path.join(here, 'sanity', 'cases.ndjson')] = process.argv.slice(2)
if (!simDir) {
  console.error('usage: node sanity.mjs SIMULATOR_DIR [CASES.ndjson]')
  process.exit(2)
}
loadSimulator(simDir)
let ok = 0
const lines = readFileSync(casesPath, 'utf8').split('\n').filter((l) => l.trim())
for (const line of lines) {
  const c = JSON.parse(line)
  const r = await decide(c.doc)
  const agree = r.decision === c.expect
  if (agree) ok++
  const detail = r.authorizations.map((a) => `${a.action}=${a.result || a.error && 'error'}`).join(' ')
  console.log(`${agree ? 'ok  ' : 'DIFF'} ${c.name}: AWS ${c.expect} [${c.source}], simulator ${r.decision} (${detail})`)
}
console.log(`simulator agrees with aws-semantics.md on ${ok} of ${lines.length} hand-written cases`)
