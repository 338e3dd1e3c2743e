// Drives writes at a --data-dir emulator that is killed and restarted under it, or checks that every acknowledged write
// survived.
//   node crash-writes.mjs write  <ack-file> <work-dir> <checks-file>   (DEPOT_API_URL set; the demo seed's tokens)
//   node crash-writes.mjs verify <ack-file>
// A write is appended to the ack file only after its response arrived, so each line is one acknowledged write. Each time
// the emulator comes back, the writer first checks every write acknowledged so far (one line in the checks file),
// then writes again until the emulator dies under it.
import {depot} from '@depot/sdk-node'
import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const [mode, ackFile, workDir] = process.argv.slice(2)
const url = process.env.DEPOT_API_URL
const registry = new URL(url).host
const org = {headers: {Authorization: 'Bearer depot_org_demo'}}
const projects = depot.core.v1.ProjectService
const sha256 = (bytes) => 'sha256:' + createHash('sha256').update(bytes).digest('hex')
const ack = (entry) => appendFileSync(ackFile, JSON.stringify(entry) + '\n')

function run(file, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(file, args, {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('close', (code) => resolve({code, output}))
  })
}

async function projectsAndTokens(n) {
  for (let i = 0; ; i++) {
    const {project} = await projects.createProject({name: `crash-${n}-${i}`, organizationId: 'org-demo'}, org)
    ack({kind: 'project', id: project.projectId, name: project.name})
    const token = await projects.createToken({projectId: project.projectId, description: `crash ${i}`}, org)
    ack({kind: 'token', project: project.projectId, id: token.tokenId, secret: token.secret})
    const {trustPolicy} = await projects.addTrustPolicy(
      {projectId: project.projectId, provider: {case: 'github', value: {repositoryOwner: 'crash', repository: `r${i}`}}}, org)
    ack({kind: 'policy', project: project.projectId, id: trustPolicy.trustPolicyId})
    if (i % 2 === 1) {
      // Announced first: a removal the emulator made but was killed before answering is no loss either way.
      ack({kind: 'policy-removing', project: project.projectId, id: trustPolicy.trustPolicyId})
      await projects.removeTrustPolicy({projectId: project.projectId, trustPolicyId: trustPolicy.trustPolicyId}, org)
      ack({kind: 'policy-removed', project: project.projectId, id: trustPolicy.trustPolicyId})
    }
  }
}

/** An OCI layout holding one image with a fresh layer, pushed with skopeo. */
async function pushes(round) {
  for (let i = 0; ; i++) {
    const dir = join(workDir, `layout-${round}-${i}`)
    mkdirSync(join(dir, 'blobs', 'sha256'), {recursive: true})
    const put = (bytes) => (writeFileSync(join(dir, 'blobs', 'sha256', sha256(bytes).slice(7)), bytes), sha256(bytes))
    const layer = randomBytes(64 * 1024 + i)
    const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [sha256(layer)]}}))
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: put(config), size: config.length},
      layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: put(layer), size: layer.length}],
    }))
    const digest = put(manifest)
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
    writeFileSync(join(dir, 'index.json'), JSON.stringify({schemaVersion: 2, manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length,
      annotations: {'org.opencontainers.image.ref.name': 'v'}}]}))
    const tag = `push-${round}-${i}`
    const pushed = await run('skopeo', ['--insecure-policy', 'copy', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', 'x-token:depot_project_demo',
      `oci:${dir}:v`, `docker://${registry}/proj-demo:${tag}`], {REGISTRY_AUTH_FILE: join(workDir, 'no-auth.json')})
    if (pushed.code !== 0) throw new Error(pushed.output)
    ack({kind: 'image', repository: 'proj-demo', tag, digest})
  }
}

async function builds(round) {
  const context = join(workDir, 'context')
  mkdirSync(context, {recursive: true})
  for (let i = 0; ; i++) {
    writeFileSync(join(context, 'Dockerfile'), `FROM alpine:3.19\nRUN echo ${round}-${i}\n`)
    const home = join(workDir, `home-${round}-${i}`)
    mkdirSync(home, {recursive: true})
    const built = await run(process.env.DEPOT_CLI, ['build', '--progress', 'plain', '--project', 'proj-demo', '--save', context],
      {HOME: home, DEPOT_TOKEN: 'depot_project_demo', DEPOT_NO_UPDATE_NOTIFIER: '1', DEPOT_ERROR_TELEMETRY: '0', DEPOT_DISABLE_OTEL: '1'})
    const named = /naming to \S+\/proj-demo:(\S+)/.exec(built.output)
    if (built.code !== 0 || !named) throw new Error(built.output)
    ack({kind: 'build', id: named[1], repository: 'proj-demo', tag: named[1]})
  }
}

async function registryGet(path, accept) {
  const response = await fetch(`${url}/v2/${path}`, {
    headers: {Authorization: 'Basic ' + Buffer.from('x-token:depot_org_demo').toString('base64'), Accept: accept ?? '*/*'}})
  return {status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer())}
}

/** The image's manifest and every blob it names are there, each with the digest it is stored under. */
async function imageIntact(repository, reference, digest) {
  const manifest = await registryGet(`${repository}/manifests/${reference}`,
    'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json')
  if (manifest.status !== 200) return `manifest ${repository}:${reference} answered ${manifest.status}`
  if (digest && sha256(manifest.body) !== digest) return `manifest ${repository}:${reference} has digest ${sha256(manifest.body)}, not ${digest}`
  const parsed = JSON.parse(manifest.body)
  for (const blob of [parsed.config, ...(parsed.layers ?? [])].filter(Boolean)) {
    const got = await registryGet(`${repository}/blobs/${blob.digest}`)
    if (got.status !== 200 || sha256(got.body) !== blob.digest) return `${repository}:${reference} names blob ${blob.digest}, which answered ${got.status}`
  }
  return null
}

async function check() {
  const acks = existsSync(ackFile)
    ? readFileSync(ackFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((a) => a.kind !== 'policy-removing')
    : []
  const lost = []
  const missingPolicies = []
  const policiesOf = new Map()
  const checkOne = async (a) => {
    try {
      if (a.kind === 'project') {
        const {project} = await projects.getProject({projectId: a.id}, org)
        if (project.name !== a.name) lost.push(`project ${a.id} is named ${project.name}`)
      } else if (a.kind === 'token') {
        const got = await fetch(`${url}/v2/${a.project}/tags/list`, {headers: {Authorization: 'Basic ' + Buffer.from('x-token:' + a.secret).toString('base64')}})
        if (got.status === 401) lost.push(`token ${a.id} of ${a.project} is unknown`)
      } else if (a.kind === 'policy' || a.kind === 'policy-removed') {
        if (!policiesOf.has(a.project)) policiesOf.set(a.project, projects.listTrustPolicies({projectId: a.project}, org))
        const present = (await policiesOf.get(a.project)).trustPolicies.some((p) => p.trustPolicyId === a.id)
        if (a.kind === 'policy' && !present) missingPolicies.push(a)
        if (a.kind === 'policy-removed' && present) lost.push(`removed trust policy ${a.id} of ${a.project} is back`)
      } else if (a.kind === 'image' || a.kind === 'build') {
        const problem = await imageIntact(a.repository, a.tag, a.digest)
        if (problem) lost.push(problem)
        if (a.kind === 'build') {
          const {build} = await depot.core.v1.BuildService.getBuild({buildId: a.id}, org)
          if (!build) lost.push(`build ${a.id} is gone`)
        }
      }
    } catch (error) {
      lost.push(`${a.kind} ${a.id ?? a.tag}: ${error.rawMessage ?? error}`)
    }
  }
  for (let i = 0; i < acks.length; i += 16) await Promise.all(acks.slice(i, i + 16).map(checkOne))

  // A policy may have been removed (and its removal acknowledged) while this ran.
  const removed = new Set((existsSync(ackFile) ? readFileSync(ackFile, 'utf8') : '').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .filter((a) => a.kind === 'policy-removing').map((a) => a.id))
  for (const a of missingPolicies.filter((p) => !removed.has(p.id))) lost.push(`trust policy ${a.id} of ${a.project} is gone`)

  // Nothing half-written is visible: every tag's image is whole, every listed project readable.
  const tags = JSON.parse((await registryGet('proj-demo/tags/list')).body.toString() || '{}').tags ?? []
  for (const tag of tags) {
    const problem = await imageIntact('proj-demo', tag)
    if (problem) lost.push('visible but broken: ' + problem)
  }
  for (const project of (await projects.listProjects({}, org)).projects) {
    if (!project.name) lost.push(`project ${project.projectId} has no name`)
  }

  return {acknowledged: acks.length, lost: lost.length, tagsChecked: tags.length, problems: lost.slice(0, 10)}
}

const up = async () => (await fetch(`${url}/_emulator/health`).catch(() => null))?.ok === true

if (mode === 'verify') {
  const result = await check()
  console.log(JSON.stringify(result))
  process.exit(result.lost === 0 ? 0 : 1)
} else {
  const checksFile = process.argv[5]
  mkdirSync(workDir, {recursive: true})
  writeFileSync(join(workDir, 'no-auth.json'), '{}')
  const waitUntilUp = async () => { while (!(await up())) await new Promise((r) => setTimeout(r, 50)) }
  // Each writer starts over after a failure (the emulator was killed under it: nothing unanswered was acknowledged).
  const forever = async (write) => {
    for (let attempt = 0; ; attempt++) {
      await write(attempt).catch(() => {})
      await waitUntilUp()
    }
  }
  // Each time the emulator is back, everything acknowledged so far is checked.
  const checks = async () => {
    for (let round = 1, wasUp = true; ; ) {
      const isUp = await up()
      if (isUp && !wasUp) {
        round++
        const result = await check().catch((error) => ({interrupted: String(error)}))
        appendFileSync(checksFile, JSON.stringify({round, ...result}) + '\n')
      }
      wasUp = isUp
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  await Promise.all([forever((a) => projectsAndTokens(`${process.pid}-${a}`)), forever((a) => pushes(a)), forever((a) => builds(a)), checks()])
}
