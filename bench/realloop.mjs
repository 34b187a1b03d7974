// op-node's block loop on the devnet's real ethereumjs clients (ops/devnet), interleaved between
// targets that all end at the same L2 client: directly, through an nginx hop, and through the
// service in mode disabled and in mode enabled (the builder asked and its block validated on L2).
//
// usage: node bench/realloop.mjs --targets 'label=URL[@mode],...' [--blocks N] [--slice 5]
//          [--interval-ms 300] [--warmup N] [--admin URL] [--builder-engine URL] [--out FILE]
//   --warmup N  first N unrecorded, unpaced blocks through each target with a mode (JIT warm-up)
//   @mode   the service's execution mode for that target's slices (set on --admin before each)
// Every target builds on the chain's real head (eth_getBlockByNumber on L2's plain RPC), one
// block per --interval-ms: forkchoiceUpdated with attributes, getPayload, newPayload,
// forkchoiceUpdated to the new block, each call timed. Targets take turns in slices of --slice
// blocks, in a shuffled order each round, and the first block of a slice is not recorded. The
// builder follows the chain in every slice: the service copies it there in mode enabled, the
// driver (untimed, after the block) otherwise; a slice in mode enabled starts once /healthz is
// 200 (the service finds the builder healthy). Run it with the devnet's follower off
// (FOLLOWER=0), or the two would feed the builder at once. For targets with a mode,
// the source of each recorded block comes from the service's blocks_created counters.
// Output (JSON): per target and method p50/p90/max in ms over --blocks recorded blocks, the
// per-block total, and, with a mode, the blocks that came from the builder.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { Rpc, readSecret, hexNum, sleep, ports, local } from '../ops/devnet/lib.mjs'

const { values: opt } = parseArgs({
  options: {
    targets: { type: 'string' },
    blocks: { type: 'string', default: '150' },
    slice: { type: 'string', default: '5' },
    'interval-ms': { type: 'string', default: '300' },
    admin: { type: 'string', default: local(ports.admin) },
    'builder-engine': { type: 'string', default: local(ports.builderEngine) },
    warmup: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
})
const secret = readSecret()
const blocks = Number(opt.blocks)
const slice = Number(opt.slice)
const intervalMs = Number(opt['interval-ms'])
const METHODS = ['fcu_attrs', 'getPayload', 'newPayload', 'fcu', 'block']
const targets = opt.targets.split(',').map((spec) => {
  const [label, rest] = spec.split('=')
  const [url, mode] = rest.split('@')
  return { label, mode, rpc: new Rpc(url, { secret, timeoutMs: 10_000 }), lat: Object.fromEntries(METHODS.map((m) => [m, []])), fromBuilder: 0, errors: 0 }
})
const l2 = new Rpc(local(ports.l2Rpc), { timeoutMs: 5000 })
// The builder follows the chain as its own op-node would: in slices where the service does not
// copy the chain to it (other targets, mode disabled), the driver does, after the timed calls.
const builder = new Rpc(opt['builder-engine'], { secret, timeoutMs: 10_000 })

/** The service's count of blocks it returned from the builder. */
async function builderBlocks() {
  const text = await (await fetch(`${opt.admin}/prometheus`)).text()
  return Number(text.match(/rollup_boost_blocks_created_total\{source="builder"\} (\S+)/)?.[1] ?? 0)
}

async function setMode(mode) {
  const res = await fetch(`${opt.admin}/tasks/execution-mode?mode=${mode}`, { method: 'POST' })
  if (!res.ok) throw new Error(`execution-mode ${mode}: HTTP ${res.status}`)
  await res.text()
}

// Before a slice in mode enabled: wait (unmeasured) until the service finds the builder healthy;
// its probe may still remember the builder as behind from before the other targets' slices.
async function builderHealthy(t) {
  const url = new URL('/healthz', t.rpc.url)
  for (let i = 0; i < 200; i++) {
    const res = await fetch(url).catch(() => null)
    if (res?.status === 200) return
    await res?.text()
    await sleep(50)
  }
  throw new Error(`${t.label}: /healthz not 200 within 10 s`)
}

async function block(t, record) {
  const parent = await l2.call('eth_getBlockByNumber', ['latest', false])
  const timestamp = Math.max(hexNum(parent.timestamp) + 1, Math.floor(Date.now() / 1000))
  const attrs = {
    timestamp: '0x' + timestamp.toString(16),
    prevRandao: '0x' + randomBytes(32).toString('hex'),
    suggestedFeeRecipient: '0x4200000000000000000000000000000000000011',
    withdrawals: [],
    parentBeaconBlockRoot: '0x' + randomBytes(32).toString('hex'),
  }
  const fcs = { headBlockHash: parent.hash, safeBlockHash: parent.hash, finalizedBlockHash: parent.hash }
  const took = {}
  const timed = async (name, method, params) => {
    const t0 = performance.now()
    const r = await t.rpc.call(method, params)
    took[name] = performance.now() - t0
    return r
  }
  const t0 = performance.now()
  const fcu = await timed('fcu_attrs', 'engine_forkchoiceUpdatedV3', [fcs, attrs])
  const gp = await timed('getPayload', 'engine_getPayloadV3', [fcu.payloadId])
  const ep = gp.executionPayload
  const np = await timed('newPayload', 'engine_newPayloadV3', [ep, [], attrs.parentBeaconBlockRoot])
  if (np.status !== 'VALID') throw new Error(`newPayload ${np.status}`)
  const head = { headBlockHash: ep.blockHash, safeBlockHash: ep.blockHash, finalizedBlockHash: parent.hash }
  await timed('fcu', 'engine_forkchoiceUpdatedV3', [head, null])
  took.block = performance.now() - t0
  if (t.mode !== 'enabled') {
    await builder.call('engine_newPayloadV3', [ep, [], attrs.parentBeaconBlockRoot])
    await builder.call('engine_forkchoiceUpdatedV3', [head, null])
  }
  if (record) for (const m of METHODS) t.lat[m].push(took[m])
}

// JIT warm-up of the service, unrecorded and unpaced: N blocks per target with a mode.
for (const t of targets.filter((x) => x.mode)) {
  await setMode(t.mode)
  if (t.mode === 'enabled') await builderHealthy(t)
  for (let i = 0; i < Number(opt.warmup); i++) await block(t, false)
}

let next = performance.now()
while (targets.some((t) => t.lat.block.length < blocks)) {
  for (const t of targets.slice().sort(() => Math.random() - 0.5)) {
    if (t.lat.block.length >= blocks) continue
    if (t.mode) await setMode(t.mode)
    if (t.mode === 'enabled') await builderHealthy(t)
    let before = null
    for (let i = 0; i <= slice && t.lat.block.length < blocks; i++) {
      // Counted from the first recorded block on.
      if (i === 1 && t.mode) before = await builderBlocks()
      await sleep(Math.max(0, next - performance.now()))
      next = Math.max(next + intervalMs, performance.now())
      try {
        await block(t, i > 0)
      } catch (e) {
        t.errors++
        console.error(`${t.label}: ${e.message}`)
      }
    }
    if (before != null) t.fromBuilder += (await builderBlocks()) - before
  }
}

const pct = (a, p) => {
  const s = a.slice().sort((x, y) => x - y)
  return Number(s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))].toFixed(3))
}
const out = { blocks, slice, intervalMs, warmup: Number(opt.warmup), targets: {} }
for (const t of targets) {
  out.targets[t.label] = {
    mode: t.mode ?? null,
    blocks: t.lat.block.length,
    errors: t.errors,
    fromBuilder: t.mode ? t.fromBuilder : null,
    methods: Object.fromEntries(METHODS.map((m) => [m, { p50: pct(t.lat[m], 50), p90: pct(t.lat[m], 90), max: pct(t.lat[m], 100) }])),
  }
}
if (opt.out) fs.writeFileSync(opt.out, JSON.stringify(out))
console.log(JSON.stringify(out))
