#!/usr/bin/env node
// HTTP proxy for the builder's engine port that can forge invalid builder blocks on demand.
//
// usage: node ops/devnet/forge-proxy.mjs LISTEN_PORT TARGET_URL
//
// Forwards every request unchanged (method, path, body, headers incl. Authorization; only
// hop-by-hop headers are dropped) to TARGET_URL and the answer back. While forging is on, the
// result of engine_getPayloadV3 (also inside batches) is rewritten to a well-formed but invalid
// block: stateRoot changed and blockHash recomputed (as peers.md's rehash.mjs does), so the L2
// client's newPayloadV3 answers INVALID ("invalid block stateroot") after executing it.
// The parentBeaconBlockRoot needed for the hash is taken from the forkchoiceUpdated call that
// created the payload id (the proxy remembers payloadId -> parentBeaconBlockRoot).
//
// Forging is on while   GET /forge/on   was called last (GET /forge/off turns it off)
//                  or   the file $FORGE_FILE exists (default ops/devnet/run/forge).
// GET /forge answers the current state as JSON. If the target is down the proxy answers
// HTTP 502 with a plain-text reason. Listens on 127.0.0.1 only.
//
// Stalling (a builder that stays synced and never delivers): after GET /stall/on, calls to
// engine_getPayloadV* are neither forwarded nor answered (the connection is closed after 30 s or
// when the caller gives up); everything else passes. GET /stall/off ends it.
import http from 'node:http'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { RUN_DIR, payloadBlockHash, logLine } from './lib.mjs'

const [listenPort, targetUrl] = process.argv.slice(2)
if (!listenPort || !targetUrl) {
  console.error('usage: node forge-proxy.mjs LISTEN_PORT TARGET_URL')
  process.exit(64)
}
const target = new URL(targetUrl)
const FORGE_FILE = process.env.FORGE_FILE ?? join(RUN_DIR, 'forge')
let forgeFlag = false
let forged = 0
let stallFlag = false
let stalled = 0
const forging = () => forgeFlag || existsSync(FORGE_FILE)
const log = (m) => logLine('forge-proxy', m)

const pbbrByPayloadId = new Map() // payloadId -> parentBeaconBlockRoot (bounded)
const HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'http2-settings', 'host', 'content-length',
])
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

// A kept-alive socket that the builder closed as idle just as it was reused fails with
// ECONNRESET or EPIPE before any answer. Most likely the builder never read the call, so it is
// sent once more, on a new connection (another pooled one may be just as stale). Should the
// builder have read it after all, it gets the call twice: engine calls are idempotent.
async function forward(req, body) {
  try {
    return await forwardOnce(req, body, agent)
  } catch (e) {
    if (!e.reusedSocket || !['ECONNRESET', 'EPIPE'].includes(e.code)) throw e
    log(`${e.code} on a reused connection, sending again on a new one`)
    return forwardOnce(req, body, false)
  }
}

function forwardOnce(req, body, via) {
  return new Promise((resolve, reject) => {
    const headers = {}
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v
    headers['content-length'] = Buffer.byteLength(body)
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers,
        agent: via,
        timeout: 30_000,
      },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      },
    )
    up.on('timeout', () => up.destroy(new Error('upstream timeout')))
    up.on('error', (e) => reject(Object.assign(e, { reusedSocket: up.reusedSocket })))
    up.end(body)
  })
}

const asArray = (x) => (Array.isArray(x) ? x : [x])

/** Remembers payloadId -> parentBeaconBlockRoot from FCU requests with attributes. */
function learn(reqJson, resJson) {
  const byId = new Map(asArray(resJson).map((r) => [JSON.stringify(r?.id), r]))
  for (const call of asArray(reqJson)) {
    if (!/^engine_forkchoiceUpdatedV\d$/.test(call?.method ?? '')) continue
    const pbbr = call.params?.[1]?.parentBeaconBlockRoot
    const pid = byId.get(JSON.stringify(call.id))?.result?.payloadId
    if (pbbr && pid) {
      pbbrByPayloadId.set(pid, pbbr)
      if (pbbrByPayloadId.size > 1024) pbbrByPayloadId.delete(pbbrByPayloadId.keys().next().value)
    }
  }
}

/** Rewrites getPayloadV3 results in place; returns true if something was forged. */
async function forge(reqJson, resJson) {
  const calls = new Map(asArray(reqJson).map((c) => [JSON.stringify(c?.id), c]))
  let changed = false
  for (const r of asArray(resJson)) {
    const call = calls.get(JSON.stringify(r?.id))
    const ep = r?.result?.executionPayload
    if (call?.method !== 'engine_getPayloadV3' || !ep) continue
    const pbbr = pbbrByPayloadId.get(call.params?.[0])
    if (!pbbr) {
      log(`getPayloadV3 ${call.params?.[0]}: unknown parentBeaconBlockRoot, passing the block through unforged`)
      continue
    }
    const original = ep.blockHash
    // flip the last byte of the state root: the block still decodes and hashes fine,
    // but executing it yields a different state root
    const sr = ep.stateRoot
    ep.stateRoot = sr.slice(0, -2) + (parseInt(sr.slice(-2), 16) ^ 0xff).toString(16).padStart(2, '0')
    ep.blockHash = await payloadBlockHash(ep, pbbr)
    forged++
    changed = true
    log(`forged block ${parseInt(ep.blockNumber, 16)}: ${original} -> ${ep.blockHash} (stateRoot ${sr} -> ${ep.stateRoot})`)
  }
  return changed
}

function control(req, res) {
  const s = /^\/stall\/(on|off)\/?$/.exec(req.url.split('?')[0])
  if (s) {
    stallFlag = s[1] === 'on'
    log(`stalling getPayload ${stallFlag ? 'ON' : 'OFF'} (via GET ${req.url})`)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ stalling: stallFlag, stalled }) + '\n')
    return true
  }
  const m = /^\/forge(?:\/(on|off))?\/?$/.exec(req.url.split('?')[0])
  if (!m) return false
  if (m[1] === 'on') forgeFlag = true
  if (m[1] === 'off') {
    forgeFlag = false
    rmSync(FORGE_FILE, { force: true })
  }
  if (m[1]) log(`forging ${forging() ? 'ON' : 'OFF'} (via GET ${req.url})`)
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ forging: forging(), flag: forgeFlag, file: FORGE_FILE, fileExists: existsSync(FORGE_FILE), forged, stalling: stallFlag, stalled }) + '\n')
  return true
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && control(req, res)) return
  const chunks = []
  for await (const c of req) chunks.push(c)
  const body = Buffer.concat(chunks)
  let reqJson = null
  try {
    reqJson = JSON.parse(body.toString('utf8'))
  } catch {
    /* not JSON: forward as is */
  }
  if (stallFlag && asArray(reqJson).some((c) => /^engine_getPayloadV\d$/.test(c?.method ?? ''))) {
    stalled++
    log(`stalled ${asArray(reqJson).map((c) => c?.method).join(',')} ${JSON.stringify(asArray(reqJson)[0]?.params ?? [])}`)
    const giveUp = setTimeout(() => res.destroy(), 30_000)
    res.on('close', () => clearTimeout(giveUp))
    return
  }
  let up
  try {
    up = await forward(req, body)
  } catch (e) {
    res.writeHead(502, { 'content-type': 'text/plain' })
    res.end(`forge-proxy: upstream ${targetUrl} unreachable: ${e.code ?? e.message}\n`)
    return
  }
  let out = up.body
  if (reqJson && up.status === 200) {
    try {
      const resJson = JSON.parse(up.body.toString('utf8'))
      learn(reqJson, resJson)
      if (forging() && (await forge(reqJson, resJson))) out = Buffer.from(JSON.stringify(resJson))
    } catch (e) {
      log(`could not inspect answer: ${e.message}`)
    }
  }
  const headers = {}
  for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) headers[k] = v
  headers['content-length'] = out.length
  res.writeHead(up.status, headers)
  res.end(out)
})
server.keepAliveTimeout = 30_000
server.on('clientError', (err, socket) => socket.destroy(err))
server.listen(Number(listenPort), '127.0.0.1', () => log(`listening on 127.0.0.1:${listenPort} -> ${targetUrl} (forge file ${FORGE_FILE})`))

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close()
    server.closeAllConnections?.()
    agent.destroy()
    process.exit(0)
  })
}
