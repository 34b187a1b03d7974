#!/usr/bin/env node
// Block driver: plays op-node's sequencer against rollup-boost (the service), one block per slot:
//   FCU(head, attrs) -> getPayloadV3 -> newPayloadV3 -> FCU(new head, null), all through the service.
//
// usage: node ops/devnet/driver.mjs [--blocks N] [--block-time S] [--txs N] [--json]
//          [--url URL] [--admin URL] [--builder-rpc URL] [--jwt FILE | --no-jwt] [--timeout MS]
//   --blocks N       stop after N slots (default: run until SIGINT/SIGTERM)
//   --block-time S   slot length in seconds, fractions ok (default 2)
//   --txs N          sign N EIP-1559 transfers from the dev key per block and send them to the
//                    builder's plain RPC (never to L2) before the FCU; skipped in slots where the
//                    builder is not on L2's head (a lagging builder would get wrong nonces)
//   --json           one JSON object per line (see README.md) instead of text
//   --url            service JSON-RPC (default http://127.0.0.1:$RPC_PORT, 8081)
//   --admin          service admin (default http://127.0.0.1:$ADMIN_PORT, 8082): source of each
//                    block = delta of rollup_boost_blocks_created_total{source} on /prometheus
//   --builder-rpc    builder plain RPC for --txs (default http://127.0.0.1:$BUILDER_RPC_PORT, 18545)
//   --jwt FILE       secret for the bearer token sent to the service (default ops/devnet/jwt.hex;
//                    the service ignores it unless rpc.jwtSecretFile is set); --no-jwt sends none
//   --timeout MS     per-call timeout (default 10000)
// Exit: 0 when all slots produced a block or on SIGINT/SIGTERM; 3 when --blocks N ended with errors.
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Rpc, RpcError, ports, local, readSecret, hexNum, sleep } from './lib.mjs'

const { values: opt } = parseArgs({
  options: {
    blocks: { type: 'string' },
    'block-time': { type: 'string', default: '2' },
    txs: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    url: { type: 'string', default: local(ports.rpc) },
    admin: { type: 'string', default: local(ports.admin) },
    'builder-rpc': { type: 'string', default: local(ports.builderRpc) },
    jwt: { type: 'string' },
    'no-jwt': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '10000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (opt.help) {
  const { readFileSync } = await import('node:fs')
  const src = readFileSync(new URL(import.meta.url), 'utf8').split('\n')
  console.log(src.slice(1, 21).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'))
  process.exit(0)
}
const maxSlots = opt.blocks === undefined ? Infinity : Number(opt.blocks)
const blockTimeMs = Math.round(Number(opt['block-time']) * 1000)
const txsPerBlock = Number(opt.txs)
const timeoutMs = Number(opt.timeout)
if (!(maxSlots >= 0) || !(blockTimeMs > 0) || !(txsPerBlock >= 0) || !(timeoutMs > 0)) {
  console.error('bad arguments; see --help')
  process.exit(64)
}
const secret = opt['no-jwt'] ? null : readSecret(opt.jwt)
const service = new Rpc(opt.url, { secret, timeoutMs })
const builderRpc = new Rpc(opt['builder-rpc'], { timeoutMs: 5000 })
const FEE_RECIPIENT = '0x4200000000000000000000000000000000000011' // OP SequencerFeeVault

// ------------------------------------------------------------------ output
function emit(obj, text) {
  if (opt.json) process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...obj }) + '\n')
  else process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${text}\n`)
}
const short = (h) => (h ? `${h.slice(0, 10)}…${h.slice(-4)}` : '-')
const errObj = (e) => (e instanceof RpcError ? { method: e.method, ...e.rpcError } : { message: String(e.message ?? e) })

// ------------------------------------------------------------------ metrics + health
async function blocksCreated() {
  try {
    const res = await fetch(`${opt.admin}/prometheus`, { signal: AbortSignal.timeout(3000) })
    const text = await res.text()
    const out = { builder: 0, l2: 0 }
    for (const line of text.split('\n')) {
      const m = /^rollup_boost_blocks_created_total\{[^}]*source="(builder|l2)"[^}]*\}\s+(\S+)/.exec(line)
      if (m) out[m[1]] = Number(m[2])
    }
    return out
  } catch {
    return null
  }
}

async function healthz() {
  try {
    const res = await fetch(`${opt.url.replace(/\/$/, '')}/healthz`, { signal: AbortSignal.timeout(3000) })
    await res.arrayBuffer()
    return res.status
  } catch {
    return 0
  }
}

// ------------------------------------------------------------------ transactions
let txLib = null
async function sendTxs(count, l2HeadHash) {
  txLib ??= await (async () => {
    const { createCustomCommon, Mainnet, Hardfork } = await import('@ethereumjs/common')
    const { createFeeMarket1559Tx } = await import('@ethereumjs/tx')
    const { hexToBytes, bytesToHex, privateToAddress } = await import('@ethereumjs/util')
    // well-known public test key (anvil/hardhat account #0), funded in genesis.json; never real funds
    const pk = hexToBytes('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
    const common = createCustomCommon({ chainId: 901 }, Mainnet, { hardfork: Hardfork.Cancun })
    return { createFeeMarket1559Tx, bytesToHex, pk, common, from: bytesToHex(privateToAddress(pk)) }
  })()
  // Nonces come from the builder's head state ('latest'), only once the builder is on L2's head
  // (a builder still catching up would give stale nonces). Not 'pending': ethereumjs counts it as
  // head nonce + the sender's transactions in its pool, and it drops a block's transactions from
  // the pool only after that block is already its 'latest'. A send in that window got nonces two
  // too high, and ethereumjs never builds from a sender whose lowest pooled nonce is not the
  // account's: every later block was empty.
  let head = null
  for (let i = 0; i < 10; i++) {
    head = (await builderRpc.call('eth_getBlockByNumber', ['latest', false]))?.hash
    if (head === l2HeadHash) break
    await sleep(50)
  }
  if (head !== l2HeadHash) return { sent: 0, note: 'builder not on L2 head, no txs this slot' }
  const { createFeeMarket1559Tx, bytesToHex, pk, common, from } = txLib
  let nonce = BigInt(await builderRpc.call('eth_getTransactionCount', [from, 'latest']))
  let sent = 0
  let pooled = 0
  for (let i = 0; i < count; i++) {
    const tx = createFeeMarket1559Tx(
      {
        chainId: 901n,
        nonce: nonce++,
        maxFeePerGas: 10_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
        gasLimit: 21000n,
        to: '0x000000000000000000000000000000000000dEaD',
        value: 1n,
      },
      { common },
    ).sign(pk)
    try {
      await builderRpc.call('eth_sendRawTransaction', [bytesToHex(tx.serialize())])
    } catch (e) {
      // A slot whose block did not include them (the L2 block won) left these same
      // transactions, signed identically, in the pool: they are still pending.
      if (!/already in the TxPool|already known/i.test(e.message)) throw e
      pooled++
    }
    sent++
  }
  return pooled > 0 ? { sent, note: `${pooled} already pooled` } : { sent }
}

// ------------------------------------------------------------------ one slot
async function round(slot) {
  const t0 = performance.now()
  const info = { event: 'block', slot }
  let stage = 'head'
  try {
    const parent = await service.call('eth_getBlockByNumber', ['latest', false])
    info.parentNumber = hexNum(parent.number)
    if (txsPerBlock > 0) {
      stage = 'txs'
      try {
        const r = await sendTxs(txsPerBlock, parent.hash)
        info.sent = r.sent
        if (r.note) info.txNote = r.note
      } catch (e) {
        info.sent = 0
        info.txNote = `tx send failed: ${e.message}`
      }
    }
    const before = await blocksCreated()
    const timestamp = Math.max(hexNum(parent.timestamp) + 1, Math.floor(Date.now() / 1000))
    const attrs = {
      timestamp: '0x' + timestamp.toString(16),
      prevRandao: '0x' + randomBytes(32).toString('hex'),
      suggestedFeeRecipient: FEE_RECIPIENT,
      withdrawals: [],
      parentBeaconBlockRoot: '0x' + randomBytes(32).toString('hex'),
    }
    const fcs = { headBlockHash: parent.hash, safeBlockHash: parent.hash, finalizedBlockHash: parent.hash }
    stage = 'forkchoiceUpdated'
    const fcu = await service.call('engine_forkchoiceUpdatedV3', [fcs, attrs])
    if (fcu.payloadStatus?.status !== 'VALID' || !fcu.payloadId) {
      throw new Error(`forkchoiceUpdated: status ${fcu.payloadStatus?.status} payloadId ${fcu.payloadId}`)
    }
    info.payloadId = fcu.payloadId
    stage = 'getPayload'
    const gp = await service.call('engine_getPayloadV3', [fcu.payloadId])
    const ep = gp.executionPayload
    const after = await blocksCreated()
    stage = 'newPayload'
    const np = await service.call('engine_newPayloadV3', [ep, [], attrs.parentBeaconBlockRoot])
    if (np.status !== 'VALID') throw new Error(`newPayload: status ${np.status} ${np.validationError ?? ''}`)
    stage = 'forkchoiceUpdated(head)'
    const newFcs = { headBlockHash: ep.blockHash, safeBlockHash: ep.blockHash, finalizedBlockHash: parent.hash }
    const fcu2 = await service.call('engine_forkchoiceUpdatedV3', [newFcs, null])
    if (fcu2.payloadStatus?.status !== 'VALID') {
      throw new Error(`forkchoiceUpdated(head): status ${fcu2.payloadStatus?.status}`)
    }
    let source = 'unknown'
    if (before && after) {
      if (after.builder - before.builder >= 1) source = 'builder'
      else if (after.l2 - before.l2 >= 1) source = 'l2'
    }
    Object.assign(info, {
      number: hexNum(ep.blockNumber),
      hash: ep.blockHash,
      parentHash: ep.parentHash,
      timestamp,
      source,
      txs: ep.transactions.length,
      blockValue: gp.blockValue,
      healthz: await healthz(),
      ms: Math.round(performance.now() - t0),
    })
    emit(
      info,
      `block ${info.number} ${short(info.hash)} source=${source} txs=${info.txs} healthz=${info.healthz} ` +
        `${info.ms}ms${info.sent !== undefined ? ` sent=${info.sent}` : ''}${info.txNote ? ` (${info.txNote})` : ''}`,
    )
    return info
  } catch (e) {
    const err = {
      event: 'error',
      slot,
      stage,
      error: errObj(e),
      healthz: await healthz(),
      ms: Math.round(performance.now() - t0),
    }
    emit(err, `ERROR slot ${slot} at ${stage}: ${JSON.stringify(err.error)} healthz=${err.healthz}`)
    return err
  }
}

// ------------------------------------------------------------------ main loop
let stopping = false
let wake = null
const counts = { blocks: 0, errors: 0, builder: 0, l2: 0, unknown: 0 }
function summary() {
  emit(
    { event: 'summary', ...counts },
    `summary: ${counts.blocks} blocks (builder ${counts.builder}, l2 ${counts.l2}, unknown ${counts.unknown}), ${counts.errors} errors`,
  )
}
function onSignal() {
  if (stopping) process.exit(0)
  stopping = true
  wake?.()
  // a slot in flight gets a moment to finish; never hang on a dead peer
  setTimeout(() => {
    summary()
    process.exit(0)
  }, 3000).unref()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

const start = performance.now()
let slot = 0
while (!stopping && slot < maxSlots) {
  const r = await round(slot)
  if (r.event === 'block') {
    counts.blocks++
    counts[r.source]++
  } else counts.errors++
  slot++
  if (stopping || slot >= maxSlots) break
  // next slot boundary (missed boundaries are skipped, not replayed)
  const elapsed = performance.now() - start
  const next = Math.ceil((elapsed + 1) / blockTimeMs) * blockTimeMs
  await new Promise((resolve) => {
    const t = setTimeout(resolve, next - elapsed)
    wake = () => {
      clearTimeout(t)
      resolve()
    }
  })
  wake = null
}
summary()
process.exit(stopping || counts.errors === 0 ? 0 : 3)
