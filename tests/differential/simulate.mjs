// Decide every fact document of an NDJSON corpus with @cloud-copilot/iam-simulate.
//
// usage: node simulate.mjs SIMULATOR_DIR CORPUS.ndjson > SIM.ndjson
//
// SIMULATOR_DIR is the npm prefix the simulator was installed into (outside the repository:
// the simulator is AGPL and a test-time tool only; nothing of it is committed).
//
// For each document, one output line:
//   {"index": N, "decision": "allowed"|"denied"|null,
//    "authorizations": [{"action", "resource", "decision", "result", "blockedBy",
//                        "ignoredContextKeys", "explain"}],
//    "error": "..." (when the simulator refused the input)}
// The translation follows facts.md "Meaning": identity policies, the bucket policy as the
// resource policy, SCP levels of the principal's account, RCP levels of the bucket's
// account (both skipped for a management account or an account in no organization), the
// permissions boundary, the session policies (merged into one), the VPC endpoint policy,
// and the request context keys built from the request.

import { readFileSync } from 'node:fs'
import { decide, loadSimulator } from './lib.mjs'

const [simDir, corpusPath] = process.argv.slice(2)
if (!simDir || !corpusPath) {
  console.error('usage: node simulate.mjs SIMULATOR_DIR CORPUS.ndjson')
  process.exit(2)
}
loadSimulator(simDir)

const lines = readFileSync(corpusPath, 'utf8').split('\n').filter((l) => l.trim() !== '')
let index = 0
for (const line of lines) {
  let out
  try {
    out = { index, ...(await decide(JSON.parse(line))) }
  } catch (e) {
    out = { index, decision: null, error: `exception: ${e && e.message}` }
  }
  process.stdout.write(JSON.stringify(out) + '\n')
  index++
}
