// Compare s3why's verdicts with the simulator's decisions and report.
//
// usage: node compare.mjs CORPUS.ndjson SIM.ndjson VERDICTS_DIR OUT_DIR
//
// VERDICTS_DIR holds N.json (stdout of `s3why check --format json docs/N.json`) and N.err.
// Writes OUT_DIR/disagreements/N.json (the document, both answers, the simulator's explain)
// and OUT_DIR/summary.json; prints the report. Per action where s3why's verdict carries an
// `authorizations` array, else the final decision.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const [corpusPath, simPath, verdictDir, outDir] = process.argv.slice(2)
if (!outDir) {
  console.error('usage: node compare.mjs CORPUS.ndjson SIM.ndjson VERDICTS_DIR OUT_DIR')
  process.exit(2)
}
const readNdjson = (p) =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
const docs = readNdjson(corpusPath)
const sims = readNdjson(simPath)

function readVerdict(i) {
  const out = path.join(verdictDir, `${i}.json`)
  const err = path.join(verdictDir, `${i}.err`)
  const stdout = existsSync(out) ? readFileSync(out, 'utf8').trim() : ''
  const stderr = existsSync(err) ? readFileSync(err, 'utf8').trim() : ''
  if (!stdout) return { error: `no output${stderr ? `: ${stderr.slice(0, 300)}` : ''}` }
  try {
    const v = JSON.parse(stdout)
    if (v.error) return { error: String(v.error) }
    if (v.decision !== 'allowed' && v.decision !== 'denied') return { error: `no decision in ${stdout.slice(0, 200)}` }
    return v
  } catch (e) {
    return { error: `unparseable output: ${stdout.slice(0, 200)}` }
  }
}

const principalKind = (p) =>
  p === 'anonymous'
    ? 'anonymous'
    : p.endsWith(':root')
      ? 'root'
      : p.includes(':assumed-role/')
        ? 'session'
        : p.includes(':federated-user/')
          ? 'federated'
          : 'user'

// Which policy types the simulator says denied an authorization.
function simDeniers(a) {
  const e = a.explain || {}
  const parts = []
  for (const [name, x] of Object.entries(e)) {
    if (!x || typeof x !== 'object' || !x.result) continue
    if (['ExplicitlyDenied', 'DeniedForAccount'].includes(x.result)) parts.push(`${name}:explicit`)
    else if (x.result === 'ImplicitlyDenied') parts.push(`${name}:implicit`)
  }
  return parts
}

// A short, stable signature of a disagreement, to group them into classes.
function classify(doc, sim, verdict, diffs) {
  const req = doc.request
  const kind = principalKind(req.principal)
  const bucketAccount = (doc.bucket && doc.bucket.account) || (req.principal.split(':')[4] ?? '')
  const cross = kind !== 'anonymous' && bucketAccount !== req.principal.split(':')[4]
  const d = diffs[0]
  const tags = []
  if (kind === 'root') tags.push('root-principal')
  const text = JSON.stringify(doc).toLowerCase()
  const dropped = (sim.authorizations || [])
    .filter((a) => a.action !== 's3:PutObject')
    .flatMap((a) => a.ignoredContextKeys || [])
    .filter((k) => text.includes(k.toLowerCase()))
  if (dropped.length) tags.push(`simulator-dropped-keys-from-sub-request(${[...new Set(dropped)].join(',')})`)
  if (kind === 'session' && req.session && req.session.policies && d && d.sim && d.sim.explain && d.sim.explain.session && d.sim.explain.session.result !== 'Allowed')
    tags.push('session-policy-implicit-deny')
  if (doc.identity && doc.identity.permissions_boundary) tags.push('boundary')
  const docs2008 = [
    ...((doc.identity && doc.identity.policies) || []).map((p) => p.document),
    doc.identity && doc.identity.permissions_boundary,
    doc.bucket && doc.bucket.policy,
    ...((req.session && req.session.policies) || [])
  ]
    .filter(Boolean)
    .map((p) => {
      try {
        return typeof p === 'string' ? JSON.parse(p) : p
      } catch {
        return undefined
      }
    })
    .filter((p) => p && (p.Version === undefined || p.Version === '2008-10-17') && JSON.stringify(p).includes('${'))
  if (docs2008.length) tags.push('unversioned-policy-with-variables')
  // s3why's side: the error findings, else the reasons of the differing authorization.
  let errorFindings = (verdict.findings || []).filter((f) => f.severity === 'error').map((f) => f.id)
  const mine = (verdict.authorizations || []).find((x) => d && String(x.action).toLowerCase() === d.action.toLowerCase())
  if (mine && Array.isArray(mine.reasons)) {
    errorFindings = errorFindings.concat(mine.reasons.map((r) => `${r.policy_type}:${r.explicit ? 'explicit' : 'implicit'}`))
  }
  if (verdict.gates && verdict.gates.length) errorFindings = errorFindings.concat(verdict.gates.map((g) => `gate:${g.id || g.gate || JSON.stringify(g).slice(0, 40)}`))
  const simSide = d && d.sim ? simDeniers(d.sim).join('+') || 'none' : 'n/a'
  return {
    key: `${d ? d.action : 'final'}: s3why ${d ? d.s3why : verdict.decision} / simulator ${d ? d.simDecision : sim.decision}; ${kind}${cross ? ' cross-account' : ''}; s3why[${[...new Set(errorFindings)].join(',') || '-'}] simulator[${simSide}]${tags.length ? ` {${tags.join(',')}}` : ''}`,
    tags
  }
}

// The known families of disagreement (docs/differential.md), each settled against
// aws-semantics.md; anything else is "unclassified" and needs a look.
function family(doc, verdict, diff, tags) {
  if (tags.includes('root-principal')) return 'A root user: simulator wrong (aws-semantics.md §1.1 [S1])'
  if (tags.includes('session-policy-implicit-deny') && diff.s3why === 'allowed')
    return 'B session policy vs a bucket-policy grant to the session or "*": simulator wrong (§1.3, §1.8 [S1])'
  if (diff.s3why === 'denied') {
    let pol = doc.bucket && doc.bucket.policy
    try {
      if (typeof pol === 'string') pol = JSON.parse(pol)
    } catch {
      pol = undefined
    }
    const stmts = pol ? [pol.Statement].flat() : []
    const mine = (verdict.authorizations || []).find((x) => String(x.action).toLowerCase() === String(diff.action).toLowerCase())
    const cited = mine
      ? mine.reasons.filter((r) => r.policy_type === 'bucket-policy').flatMap((r) => r.statements.map((s) => stmts[s.index]))
      : []
    if (cited.length && cited.every((s) => s && s.NotPrincipal))
      return 'C NotPrincipal not naming every identity of the caller: s3why follows §2 [S6]'
  }
  if (tags.includes('unversioned-policy-with-variables'))
    return 'E policy without Version (2008-10-17) using ${...}: variables are literal text; simulator wrong (§2 [S7])'
  if (tags.some((t) => t.startsWith('simulator-dropped-keys')))
    return 'D sub-request context keys: s3why follows decisions.md #21, the simulator drops keys'
  return 'unclassified'
}

const disDir = path.join(outDir, 'disagreements')
rmSync(disDir, { recursive: true, force: true })
mkdirSync(disDir, { recursive: true })

let total = 0
let agree = 0
let simErrors = 0
let s3whyErrors = 0
let perActionCompared = 0
const classes = new Map()
const families = new Map()
const s3whyErrorSamples = new Map()
const byDecision = { allowed: 0, denied: 0 }

for (let i = 0; i < docs.length; i++) {
  total++
  const doc = docs[i]
  const sim = sims[i]
  const verdict = readVerdict(i)
  if (!sim || sim.decision === null || sim.error) {
    simErrors++
    continue
  }
  if (verdict.error) {
    s3whyErrors++
    const k = verdict.error.slice(0, 120)
    s3whyErrorSamples.set(k, (s3whyErrorSamples.get(k) || 0) + 1)
    continue
  }
  byDecision[sim.decision]++
  const diffs = []
  const auths = Array.isArray(verdict.authorizations) ? verdict.authorizations : null
  for (const a of sim.authorizations) {
    let s3whyDecision
    if (auths) {
      const mine = auths.filter((x) => String(x.action).toLowerCase() === a.action.toLowerCase())
      if (mine.length) {
        perActionCompared++
        s3whyDecision = mine.every((x) => x.decision === 'allowed') ? 'allowed' : 'denied'
      }
    }
    if (s3whyDecision !== undefined && s3whyDecision !== a.decision) {
      diffs.push({ action: a.action, s3why: s3whyDecision, simDecision: a.decision, sim: a })
    }
  }
  if (verdict.decision !== sim.decision && diffs.length === 0) {
    // Per-action answers agree (or are unavailable) but the final decisions differ: name
    // the action the simulator denied, else PutObject.
    const a = sim.authorizations.find((x) => x.decision !== 'allowed') || sim.authorizations[0]
    diffs.push({ action: auths ? 'final' : a.action, s3why: verdict.decision, simDecision: auths ? sim.decision : a.decision, sim: a })
  }
  if (diffs.length === 0) {
    agree++
    continue
  }
  const { key, tags } = classify(doc, sim, verdict, diffs)
  const fam = family(doc, verdict, diffs[0], tags)
  families.set(fam, (families.get(fam) || 0) + 1)
  const c = classes.get(key) || { count: 0, examples: [] }
  c.count++
  if (c.examples.length < 5) c.examples.push(i)
  classes.set(key, c)
  writeFileSync(
    path.join(disDir, `${i}.json`),
    JSON.stringify({ index: i, family: fam, class: key, tags, document: doc, s3why: verdict, simulator: sim, differences: diffs.map(({ sim, ...rest }) => rest) }, null, 2) + '\n'
  )
}

const compared = total - simErrors - s3whyErrors
const rate = compared ? (100 * agree) / compared : NaN
const sorted = [...classes.entries()].sort((a, b) => b[1].count - a[1].count)
console.log(`documents:      ${total}`)
console.log(`compared:       ${compared}  (simulator allowed ${byDecision.allowed}, denied ${byDecision.denied})`)
console.log(`not compared:   ${simErrors} simulator errors, ${s3whyErrors} s3why errors`)
console.log(`agreements:     ${agree}`)
console.log(`disagreements:  ${compared - agree}`)
console.log(`agreement rate: ${compared ? rate.toFixed(2) + '%' : 'n/a (nothing compared)'}`)
console.log(`per-action comparisons: ${perActionCompared}${perActionCompared ? '' : ' (s3why verdicts carry no authorizations; final decisions compared)'}`)
if (s3whyErrorSamples.size) {
  console.log('\ns3why errors (first kinds):')
  for (const [k, n] of [...s3whyErrorSamples.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${n}× ${k}`)
}
if (families.size) {
  console.log('\ndisagreement families:')
  for (const [k, n] of [...families.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${k}`)
}
if (sorted.length) {
  console.log('\ndisagreement classes (count, examples in disagreements/N.json):')
  for (const [k, c] of sorted) console.log(`  ${String(c.count).padStart(4)}  ${k}   e.g. ${c.examples.join(', ')}`)
}
writeFileSync(
  path.join(outDir, 'summary.json'),
  JSON.stringify(
    {
      total,
      compared,
      agreements: agree,
      disagreements: compared - agree,
      agreement_rate: compared ? Number(rate.toFixed(4)) : null,
      simulator_errors: simErrors,
      s3why_errors: s3whyErrors,
      families: Object.fromEntries(families),
      classes: Object.fromEntries(sorted.map(([k, c]) => [k, c]))
    },
    null,
    2
  ) + '\n'
)
