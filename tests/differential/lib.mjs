// Translation of a fact document into @cloud-copilot/iam-simulate inputs, and the decision.
// Shared by simulate.mjs, sanity.mjs and compare.mjs. See simulate.mjs for the contract.

import { createRequire } from 'node:module'
import path from 'node:path'

let sim

// Load the simulator from the npm prefix it was installed into (outside the repository).
export function loadSimulator(simDir) {
  const require = createRequire(path.resolve(simDir, 'package.json'))
  sim = require('@cloud-copilot/iam-simulate')
  return sim
}

// ---- fact document -> simulator inputs ------------------------------------------------------

export function parsePolicy(p) {
  if (p === undefined || p === null) return undefined
  if (typeof p !== 'string') return p
  try {
    return JSON.parse(p)
  } catch {
    return JSON.parse(decodeURIComponent(p))
  }
}

function arnAccount(arn) {
  const parts = arn.split(':')
  return parts.length >= 6 ? parts[4] : undefined
}

// A principal's kind and the ARN aws:PrincipalArn carries.
export function principalInfo(principal) {
  if (principal === 'anonymous') return { kind: 'anonymous' }
  const account = arnAccount(principal)
  const res = principal.split(':').slice(5).join(':')
  if (/^arn:aws[^:]*:sts::/.test(principal) && res.startsWith('assumed-role/')) {
    const [, role] = res.split('/')
    return { kind: 'session', account, principalArn: `arn:aws:iam::${account}:role/${role}`, type: 'AssumedRole' }
  }
  if (/^arn:aws[^:]*:sts::/.test(principal) && res.startsWith('federated-user/')) {
    return { kind: 'federated', account, principalArn: principal, type: 'FederatedUser' }
  }
  if (res === 'root') return { kind: 'root', account, principalArn: principal, type: 'Account' }
  if (res.startsWith('user/')) {
    const name = res.split('/').pop()
    return { kind: 'user', account, principalArn: principal, type: 'User', username: name }
  }
  if (res.startsWith('role/')) return { kind: 'role', account, principalArn: principal, type: 'AssumedRole' }
  return { kind: 'other', account, principalArn: principal }
}

const HEADER_KEYS = [
  'x-amz-acl',
  'x-amz-grant-full-control',
  'x-amz-grant-read',
  'x-amz-grant-read-acp',
  'x-amz-grant-write',
  'x-amz-grant-write-acp',
  'x-amz-storage-class',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-website-redirect-location',
  'x-amz-content-sha256',
  'x-amz-copy-source',
  'x-amz-metadata-directive'
]

function lowerHeaders(h) {
  const out = {}
  for (const [k, v] of Object.entries(h || {})) out[k.toLowerCase()] = String(v)
  return out
}

export function requestContext(doc) {
  const req = doc.request
  const p = principalInfo(req.principal)
  const accounts = doc.accounts || {}
  const bucketAccount = (doc.bucket && doc.bucket.account) || p.account
  const ctx = {}
  if (p.kind === 'anonymous') {
    ctx['aws:PrincipalAccount'] = 'anonymous'
    ctx['aws:PrincipalType'] = 'Anonymous'
  } else {
    ctx['aws:PrincipalArn'] = p.principalArn
    ctx['aws:PrincipalAccount'] = p.account
    if (p.type) ctx['aws:PrincipalType'] = p.type
    if (p.username) ctx['aws:username'] = p.username
    const org = accounts[p.account] && accounts[p.account].organization
    if (org) ctx['aws:PrincipalOrgID'] = org
    const tags = { ...((doc.identity && doc.identity.tags) || {}), ...((req.session && req.session.tags) || {}) }
    for (const [k, v] of Object.entries(tags)) ctx[`aws:PrincipalTag/${k}`] = String(v)
  }
  if (bucketAccount) {
    ctx['s3:ResourceAccount'] = bucketAccount
    ctx['aws:ResourceAccount'] = bucketAccount
  }
  if (req.vpc_endpoint) {
    ctx['aws:SourceVpce'] = req.vpc_endpoint
    if (req.source_vpc) ctx['aws:SourceVpc'] = req.source_vpc
    if (req.vpc_source_ip) ctx['aws:VpcSourceIp'] = req.vpc_source_ip
  } else if (req.source_ip) {
    ctx['aws:SourceIp'] = req.source_ip
  }
  ctx['aws:SecureTransport'] = String(req.secure_transport === undefined ? true : req.secure_transport)
  const h = lowerHeaders(req.headers)
  for (const k of HEADER_KEYS) if (h[k] !== undefined) ctx[`s3:${k}`] = h[k]
  if (h['x-amz-tagging'] !== undefined) {
    const keys = []
    for (const pair of h['x-amz-tagging'].split('&')) {
      if (!pair) continue
      const [k, v = ''] = pair.split('=')
      const key = decodeURIComponent(k.replace(/\+/g, ' '))
      ctx[`s3:RequestObjectTag/${key}`] = decodeURIComponent(v.replace(/\+/g, ' '))
      keys.push(key)
    }
    ctx['s3:RequestObjectTagKeys'] = keys
  }
  for (const [k, v] of Object.entries(req.context || {})) {
    ctx[k] = Array.isArray(v) ? v.map(String) : String(v)
  }
  return ctx
}

function orgLevels(levels) {
  return (levels || []).map((l) => ({
    orgIdentifier: l.target,
    policies: (l.policies || []).map((p) => ({ name: p.name, policy: parsePolicy(p.document) }))
  }))
}

// The permissions a PutObject needs, as (action) list: decisions.md #1 and #21.
export function requiredActions(doc) {
  const h = lowerHeaders(doc.request.headers)
  const actions = [doc.request.action || 's3:PutObject']
  if (h['x-amz-tagging'] !== undefined) actions.push('s3:PutObjectTagging')
  const acl = h['x-amz-acl']
  const grants = Object.keys(h).some((k) => k.startsWith('x-amz-grant-'))
  if ((acl !== undefined && acl !== 'bucket-owner-full-control') || grants) actions.push('s3:PutObjectAcl')
  return actions
}

export function simulation(doc, action) {
  const req = doc.request
  const p = principalInfo(req.principal)
  const accounts = doc.accounts || {}
  const bucketName = (doc.bucket && doc.bucket.name) || req.bucket
  const bucketAccount = (doc.bucket && doc.bucket.account) || p.account
  const resource = `arn:aws:s3:::${bucketName}/${req.key}`
  const anon = p.kind === 'anonymous'
  const pAcct = !anon && accounts[p.account]
  const bAcct = accounts[bucketAccount]
  const inOrg = (a) => a && a.organization && !a.management
  const s = {
    request: {
      principal: anon ? sim.anonymousPrincipal : req.principal,
      action,
      resource: { resource, accountId: bucketAccount },
      contextVariables: requestContext(doc)
    },
    identityPolicies: anon
      ? []
      : ((doc.identity && doc.identity.policies) || []).map((pol, i) => ({
          name: pol.name || `policy${i}`,
          policy: parsePolicy(pol.document)
        })),
    serviceControlPolicies: !anon && inOrg(pAcct) ? orgLevels(pAcct.scps) : [],
    resourceControlPolicies: inOrg(bAcct) ? orgLevels(bAcct.rcps) : []
  }
  const bp = doc.bucket && parsePolicy(doc.bucket.policy)
  if (bp) s.resourcePolicy = bp
  const pb = doc.identity && parsePolicy(doc.identity.permissions_boundary)
  if (pb && !anon) s.permissionBoundaryPolicies = [{ name: 'PermissionsBoundary', policy: pb }]
  const sp = req.session && req.session.policies
  if (sp && sp.length > 0 && (p.kind === 'session' || p.kind === 'federated' || p.kind === 'role')) {
    const statements = sp.flatMap((x) => {
      const d = parsePolicy(x.document !== undefined ? x.document : x)
      return [d.Statement].flat()
    })
    s.sessionPolicy = { Version: '2012-10-17', Statement: statements }
  }
  if (req.vpc_endpoint && doc.vpc_endpoint && doc.vpc_endpoint.policy) {
    s.vpcEndpointPolicies = [{ name: doc.vpc_endpoint.id || req.vpc_endpoint, policy: parsePolicy(doc.vpc_endpoint.policy) }]
  }
  return { simulation: s, resource }
}

// ---- explain output ------------------------------------------------------------------------

function statements(list) {
  return (list || []).map((st) => ({ policy: st.policyId, ...st.explain }))
}

function part(a) {
  if (!a) return undefined
  const out = { result: a.result }
  if (a.allowStatements && a.allowStatements.length) out.allow = statements(a.allowStatements)
  if (a.denyStatements && a.denyStatements.length) out.deny = statements(a.denyStatements)
  if (a.ouAnalysis) {
    out.levels = a.ouAnalysis.map((ou) => ({
      target: ou.orgIdentifier,
      result: ou.result,
      allow: statements(ou.allowStatements).map((x) => x.identifier),
      deny: statements(ou.denyStatements)
    }))
  }
  return out
}

function explain(analysis) {
  if (!analysis) return undefined
  return {
    result: analysis.result,
    sameAccount: analysis.sameAccount,
    blockedBy: analysis.blockedBy,
    identity: part(analysis.identityAnalysis),
    resource: part(analysis.resourceAnalysis),
    permissionBoundary: part(analysis.permissionBoundaryAnalysis),
    session: part(analysis.sessionAnalysis),
    scp: part(analysis.scpAnalysis),
    rcp: part(analysis.rcpAnalysis),
    vpcEndpoint: part(analysis.endpointAnalysis)
  }
}

// ---- main ------------------------------------------------------------------------------------

export async function decide(doc) {
  if (!sim) throw new Error("loadSimulator() first")
  const auths = []
  let error
  for (const action of requiredActions(doc)) {
    const { simulation: s, resource } = simulation(doc, action)
    const r = await sim.runSimulation(s, {})
    if (r.resultType === 'error') {
      error = `${action}: ${JSON.stringify(r.errors)}`
      auths.push({ action, resource, decision: null, error: r.errors })
      continue
    }
    const result = r.overallResult
    const analysis = r.resultType === 'single' ? r.result.analysis : r.results[0] && r.results[0].analysis
    const ignored = r.resultType === 'single' ? r.result.ignoredContextKeys : []
    auths.push({
      action,
      resource,
      decision: result === 'Allowed' ? 'allowed' : 'denied',
      result,
      blockedBy: analysis && analysis.blockedBy,
      ignoredContextKeys: ignored && ignored.length ? ignored : undefined,
      explain: explain(analysis)
    })
  }
  const decision = error ? null : auths.every((a) => a.decision === 'allowed') ? 'allowed' : 'denied'
  return { decision, authorizations: auths, ...(error ? { error } : {}) }
}

