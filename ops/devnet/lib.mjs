// Shared helpers for driver.mjs, follower.mjs and forge-proxy.mjs (Node 20 stdlib + @ethereumjs libs).
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const DEVNET_DIR = dirname(fileURLToPath(import.meta.url))
export const RUN_DIR = process.env.DEVNET_RUN_DIR ?? join(DEVNET_DIR, 'run')

/** Same defaults as env.sh; the same env vars override them. */
export const ports = {
  l2Engine: Number(process.env.L2_ENGINE_PORT ?? 28551),
  l2Rpc: Number(process.env.L2_RPC_PORT ?? 28545),
  builderEngine: Number(process.env.BUILDER_ENGINE_PORT ?? 18551),
  builderRpc: Number(process.env.BUILDER_RPC_PORT ?? 18545),
  proxy: Number(process.env.PROXY_PORT ?? 18552),
  rpc: Number(process.env.RPC_PORT ?? 8081),
  admin: Number(process.env.ADMIN_PORT ?? 8082),
}
export const local = (port) => `http://127.0.0.1:${port}`

export const ZERO32 = '0x' + '00'.repeat(32)

/** Reads a 32-byte hex JWT secret file (optional 0x, trailing newline ok). */
export function readSecret(file = process.env.DEVNET_JWT_FILE ?? join(DEVNET_DIR, 'jwt.hex')) {
  const hex = readFileSync(file, 'utf8').trim().replace(/^0x/i, '')
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${file}: not a 32-byte hex secret`)
  return Buffer.from(hex, 'hex')
}

const b64url = (buf) => Buffer.from(buf).toString('base64url')

/** HS256 Engine API token with iat = now. */
export function jwt(secret) {
  const h = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const p = b64url(JSON.stringify({ iat: Math.floor(Date.now() / 1000) }))
  const sig = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')
  return `${h}.${p}.${sig}`
}

/** A JSON-RPC error answered by the peer (as opposed to a transport failure). */
export class RpcError extends Error {
  constructor(method, error) {
    super(`${method}: ${JSON.stringify(error)}`)
    this.method = method
    this.rpcError = error
  }
}

let nextId = 1

/** JSON-RPC client over fetch; secret (Buffer) adds a fresh bearer JWT per call. */
export class Rpc {
  constructor(url, { secret = null, timeoutMs = 10_000 } = {}) {
    this.url = url
    this.secret = secret
    this.timeoutMs = timeoutMs
  }

  async call(method, params = []) {
    const headers = { 'content-type': 'application/json' }
    if (this.secret) headers.authorization = `Bearer ${jwt(this.secret)}`
    let res
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (e) {
      const cause = e.cause?.code ?? e.cause?.message ?? e.name
      throw new Error(`${method}: ${this.url} unreachable (${cause})`)
    }
    const text = await res.text()
    let body
    try {
      body = JSON.parse(text)
    } catch {
      throw new Error(`${method}: HTTP ${res.status} ${text.slice(0, 200)}`)
    }
    if (body.error) throw new RpcError(method, body.error)
    if (res.status !== 200) throw new Error(`${method}: HTTP ${res.status} ${text.slice(0, 200)}`)
    return body.result
  }
}

export const hexNum = (h) => Number(BigInt(h))
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let commonPromise = null
async function genesisCommon() {
  commonPromise ??= (async () => {
    const { createCommonFromGethGenesis } = await import('@ethereumjs/common')
    const genesis = JSON.parse(readFileSync(join(DEVNET_DIR, 'genesis.json'), 'utf8'))
    return createCommonFromGethGenesis(genesis, { chain: 'genesis' })
  })()
  return commonPromise
}

/**
 * Block hash of an ExecutionPayloadV3 (+ the parentBeaconBlockRoot sent with it), computed the
 * way the EL checks it (peers.md rehash.mjs).
 */
export async function payloadBlockHash(payload, parentBeaconBlockRoot) {
  const { createBlockFromExecutionPayload } = await import('@ethereumjs/block')
  const common = await genesisCommon()
  try {
    await createBlockFromExecutionPayload({ ...payload, parentBeaconBlockRoot }, { common })
    return payload.blockHash // already consistent
  } catch (e) {
    const m = /received: (0x[0-9a-f]{64})/.exec(String(e))
    if (!m) throw e
    return m[1]
  }
}

/** Writes one line to stderr with a timestamp (for the long-running helpers). */
export function logLine(tag, msg) {
  process.stderr.write(`${new Date().toISOString()} [${tag}] ${msg}\n`)
}
