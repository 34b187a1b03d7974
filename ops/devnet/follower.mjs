#!/usr/bin/env node
// Follower: keeps the builder EL on the L2 client's canonical chain, the way the builder's own
// op-node would, so that a restarted (empty) builder catches up.
//
// usage: node ops/devnet/follower.mjs [--l2-rpc URL] [--l2-engine URL] [--builder-rpc URL]
//          [--builder-engine URL] [--jwt FILE] [--poll-ms 200] [--batch 32] [--once]
//
// Every --poll-ms it compares the heads (eth_getBlockByNumber on both plain RPC ports). When the
// builder is behind (or on another branch) it finds the last common block and replays L2's
// canonical blocks after it into the builder: each payload is rebuilt from L2's
// eth_getBlockByNumber (header fields) + engine_getPayloadBodiesByRangeV1 on L2's engine port
// (raw transactions, withdrawals), sent with engine_newPayloadV3(payload, [], parentBeaconBlockRoot)
// to the builder's engine port (JWT), then engine_forkchoiceUpdatedV3 to the last replayed block.
// Peers that are down are waited for (one log line per state change). --once: one catch-up, exit.
import { parseArgs } from 'node:util'
import { Rpc, ports, local, readSecret, hexNum, sleep, logLine } from './lib.mjs'

const { values: opt } = parseArgs({
  options: {
    'l2-rpc': { type: 'string', default: local(ports.l2Rpc) },
    'l2-engine': { type: 'string', default: local(ports.l2Engine) },
    'builder-rpc': { type: 'string', default: local(ports.builderRpc) },
    'builder-engine': { type: 'string', default: local(ports.builderEngine) },
    jwt: { type: 'string' },
    'poll-ms': { type: 'string', default: '200' },
    batch: { type: 'string', default: '32' },
    once: { type: 'boolean', default: false },
  },
})
const secret = readSecret(opt.jwt)
const l2 = new Rpc(opt['l2-rpc'], { timeoutMs: 5000 })
const l2Engine = new Rpc(opt['l2-engine'], { secret, timeoutMs: 10_000 })
const builder = new Rpc(opt['builder-rpc'], { timeoutMs: 5000 })
const builderEngine = new Rpc(opt['builder-engine'], { secret, timeoutMs: 10_000 })
const pollMs = Number(opt['poll-ms'])
const batch = Number(opt.batch)
const log = (m) => logLine('follower', m)

let stopping = false
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (stopping ? process.exit(0) : (stopping = true)))

const hex = (n) => '0x' + n.toString(16)

/** L2's canonical blocks [from, to] as [payload, parentBeaconBlockRoot]. */
async function l2Payloads(from, to) {
  const bodies = await l2Engine.call('engine_getPayloadBodiesByRangeV1', [hex(from), hex(to - from + 1)])
  const out = []
  for (let n = from; n <= to; n++) {
    const b = await l2.call('eth_getBlockByNumber', [hex(n), false])
    const body = bodies[n - from]
    if (!b || !body) throw new Error(`L2 block ${n} not available`)
    out.push([
      {
        parentHash: b.parentHash,
        feeRecipient: b.miner,
        stateRoot: b.stateRoot,
        receiptsRoot: b.receiptsRoot,
        logsBloom: b.logsBloom,
        prevRandao: b.mixHash,
        blockNumber: b.number,
        gasLimit: b.gasLimit,
        gasUsed: b.gasUsed,
        timestamp: b.timestamp,
        extraData: b.extraData,
        baseFeePerGas: b.baseFeePerGas,
        blockHash: b.hash,
        transactions: body.transactions,
        withdrawals: body.withdrawals ?? [],
        blobGasUsed: b.blobGasUsed ?? '0x0',
        excessBlobGas: b.excessBlobGas ?? '0x0',
      },
      b.parentBeaconBlockRoot,
    ])
  }
  return out
}

/** Highest block number <= n that both have with the same hash. */
async function commonAncestor(n) {
  for (; n > 0; n--) {
    const [a, b] = await Promise.all([
      l2.call('eth_getBlockByNumber', [hex(n), false]),
      builder.call('eth_getBlockByNumber', [hex(n), false]),
    ])
    if (a && b && a.hash === b.hash) return n
  }
  return 0
}

let lastState = ''
let pendingLag = null
/** Logs msg when the state key changes (so "in sync" is logged once, not once per block). */
function state(msg, key = msg) {
  if (key !== lastState) log(msg)
  lastState = key
}

async function step() {
  let l2Head, bHead
  try {
    l2Head = await l2.call('eth_getBlockByNumber', ['latest', false])
  } catch (e) {
    return state(`waiting for L2: ${e.message}`)
  }
  try {
    bHead = await builder.call('eth_getBlockByNumber', ['latest', false])
  } catch (e) {
    return state(`waiting for builder: ${e.message}`)
  }
  if (bHead.hash === l2Head.hash) return state(`in sync at ${hexNum(l2Head.number)}`, 'in sync')
  const l2N = hexNum(l2Head.number)
  const bN = hexNum(bHead.number)
  if (bN > l2N) {
    // nothing to replay; L2 catches up with the service's next call
    return // builder momentarily ahead of L2 (the service's sync traffic reached it first)
  }
  // one block behind on L2's newest head: the service's own sync traffic to the builder
  // (newPayload + FCU in the background) is probably in flight; replay only if it persists
  if (l2N - bN === 1 && bHead.hash === l2Head.parentHash && pendingLag !== l2Head.hash) {
    pendingLag = l2Head.hash
    return
  }
  pendingLag = null
  const base = await commonAncestor(Math.min(bN, l2N))
  const to = Math.min(l2N, base + batch)
  const t0 = performance.now()
  const payloads = await l2Payloads(base + 1, to)
  for (const [p, pbbr] of payloads) {
    const st = await builderEngine.call('engine_newPayloadV3', [p, [], pbbr])
    if (st.status !== 'VALID' && st.status !== 'ACCEPTED') {
      throw new Error(`newPayloadV3 block ${hexNum(p.blockNumber)}: ${st.status} ${st.validationError ?? ''}`)
    }
  }
  const last = payloads[payloads.length - 1][0]
  // do not move the builder back if the service's own sync traffic already took it further
  const now = await builder.call('eth_getBlockByNumber', ['latest', false])
  if (hexNum(now.number) <= hexNum(last.blockNumber)) {
    const fcs = { headBlockHash: last.blockHash, safeBlockHash: last.blockHash, finalizedBlockHash: last.parentHash }
    const f = await builderEngine.call('engine_forkchoiceUpdatedV3', [fcs, null])
    if (f.payloadStatus?.status !== 'VALID') throw new Error(`forkchoiceUpdatedV3: ${JSON.stringify(f.payloadStatus)}`)
  }
  lastState = ''
  log(
    `replayed ${base + 1}..${to} into builder (${payloads.length} blocks, ${Math.round(performance.now() - t0)} ms); ` +
      `L2 head ${l2N}`,
  )
}

log(`L2 ${opt['l2-rpc']} / ${opt['l2-engine']} -> builder ${opt['builder-rpc']} / ${opt['builder-engine']}, poll ${pollMs} ms`)
while (!stopping) {
  try {
    await step()
  } catch (e) {
    state(`replay failed (retrying): ${e.message}`, 'failed')
    await sleep(1000)
  }
  if (opt.once && lastState === 'in sync') break
  await sleep(pollMs)
}
process.exit(0)
