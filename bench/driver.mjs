// op-node-like block loop driver: FCU+attrs, getPayload, newPayload, FCU (no attrs) per block,
// one block every --interval-ms, over ONE keep-alive connection (like op-node's engine client).
// usage: node driver.mjs --url URL [--duration S] [--warmup S] [--interval-ms 10] [--blocks N]
//                        [--healthz URL] [--out FILE]
// Prints/writes JSON: per-method latency percentiles (microseconds), blocks, errors.
//
// --builder URL (with --url pointing at the fake L2 itself): the design's floor for mode enabled.
// The driver makes, itself and without a proxy, the upstream exchanges rollup-boost needs per
// block: the builder's copy of FCU+attrs (sent alongside, not waited for), getPayload from L2 and
// the builder at once and then newPayload of the builder's block on L2 (timed together as
// getPayload, as op-node sees it), and the builder's copies of newPayload and FCU after L2 answered.
//
// --chain (bench/soak): behave like op-node's sequencer on a real chain instead of replaying one
// canned block: build on the head it got back, distinct attributes per attempt (prevRandao
// carries the attempt number), newPayload + forkchoiceUpdated to the new block, retry after a
// failure, never give up. Extra options: --interval-ms A-B (block time drawn per block),
// --seed N, --call-timeout MS (hard per-call deadline, default 10000), --events FILE (one JSON
// line per attempt with every call's start, latency and outcome, and the block returned).
import http from 'node:http';
import fs from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const url = new URL(args.url);
const duration = Number(args.duration ?? 60);
const warmup = Number(args.warmup ?? 0);
const intervalMs = Number(args['interval-ms'] ?? 10);
const maxBlocks = args.blocks ? Number(args.blocks) : Infinity;
const healthz = args.healthz ? new URL(args.healthz) : null;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const builderUrl = args.builder ? new URL(args.builder) : null;
// The proxy's own connections: its L2 pool (getPayload and validation can overlap) and builder.
const sideAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const HEAD = '0x' + 'ab'.repeat(32);
const fcs = `{"headBlockHash":"${HEAD}","safeBlockHash":"${HEAD}","finalizedBlockHash":"${HEAD}"}`;
const attrs = `{"timestamp":"0x6650f0a1","prevRandao":"0x${'55'.repeat(32)}","suggestedFeeRecipient":"0x${'42'.repeat(20)}",` +
  `"withdrawals":[],"parentBeaconBlockRoot":"0x${'66'.repeat(32)}","transactions":["0x7ef8f8a0de3d"],"noTxPool":false,"gasLimit":"0x1c9c380"}`;
let id = 0;
const body = (method, params) => `{"jsonrpc":"2.0","id":${++id},"method":"${method}","params":${params}}`;

function post(target, payload, via = agent) {
  return new Promise((resolve, reject) => {
    const rq = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent: via,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: 10000 }, (rs) => {
      const chunks = [];
      rs.on('data', (c) => chunks.push(c));
      rs.on('end', () => resolve({ status: rs.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    rq.on('timeout', () => rq.destroy(new Error('timeout')));
    rq.on('error', reject);
    rq.end(payload);
  });
}
async function timed(payload) {
  const t0 = process.hrtime.bigint();
  const r = await post(url, payload);
  const us = Number(process.hrtime.bigint() - t0) / 1000;
  return { us, r };
}
// The builder's copy of a call, not waited for (as the service's ordered lane sends it).
function toBuilder(payload) {
  if (builderUrl) post(builderUrl, payload, sideAgent).catch(() => { errors++; });
}
// getPayload as rollup-boost must do it in mode enabled: both blocks asked at once, then the
// builder's block validated on L2; op-node gets the builder's envelope.
async function timedGetPayloadFloor(payload) {
  const t0 = process.hrtime.bigint();
  const [fromL2, fromBuilder] = await Promise.all([post(url, payload, sideAgent), (async () => {
    const b = await post(builderUrl, payload, sideAgent);
    const env = JSON.parse(b.text).result;
    const v = await post(url, body('engine_newPayloadV3', `[${JSON.stringify(env?.executionPayload ?? {})},[],"0x${'66'.repeat(32)}"]`), sideAgent);
    return JSON.parse(v.text).result?.status === 'VALID' ? b : { status: 0, text: '{"error":"not valid"}' };
  })()]);
  const us = Number(process.hrtime.bigint() - t0) / 1000;
  return { us, r: fromBuilder.status === 200 ? fromBuilder : fromL2 };
}

const METHODS = ['fcu_attrs', 'getPayload', 'newPayload', 'fcu'];
const lat = Object.fromEntries(METHODS.map((m) => [m, []]));
const perBlock = [];
let errors = 0, blocks = 0;

async function block(record) {
  const fcuAttrs = body('engine_forkchoiceUpdatedV3', `[${fcs},${attrs}]`);
  toBuilder(fcuAttrs);
  const a = await timed(fcuAttrs);
  const pid = JSON.parse(a.r.text).result?.payloadId;
  const gpCall = body('engine_getPayloadV3', `["${pid}"]`);
  const g = builderUrl ? await timedGetPayloadFloor(gpCall) : await timed(gpCall);
  const gp = JSON.parse(g.r.text).result;
  const np = body('engine_newPayloadV3', `[${JSON.stringify(gp?.executionPayload ?? {})},[],"0x${'66'.repeat(32)}"]`);
  const n = await timed(np);
  toBuilder(np);
  const fcu = body('engine_forkchoiceUpdatedV3', `[${fcs},null]`);
  const f = await timed(fcu);
  toBuilder(fcu);
  const ok = [a, g, n, f].every((x) => x.r.status === 200 && !JSON.parse(x.r.text).error) && pid;
  if (!ok) errors++;
  if (record) {
    [a, g, n, f].forEach((x, i) => lat[METHODS[i]].push(x.us));
    blocks++;
    if (healthz) {
      const h = await new Promise((res) => http.get(healthz, (rs) => { rs.resume(); res(rs.statusCode); }).on('error', () => res(0)));
      perBlock.push({ block: blocks, getPayloadUs: Math.round(g.us), healthz: h });
    }
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
if (args.chain) {
  const { runChain } = await import('./chainloop.mjs');
  await runChain({ url, duration, args, agent });
  process.exit(0);
}
async function loop(seconds, record) {
  const end = Date.now() + seconds * 1000;
  let next = performance.now();
  while (Date.now() < end && (!record || blocks < maxBlocks)) {
    await block(record);
    next += intervalMs;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait); else next = performance.now();
  }
}

function pct(arr, p) {
  if (!arr.length) return null;
  const s = Float64Array.from(arr).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
if (warmup > 0) await loop(warmup, false);
errors = 0;
const t0 = Date.now();
await loop(duration, true);
const out = { url: url.href, blocks, errors, seconds: (Date.now() - t0) / 1000, intervalMs, methods: {} };
for (const m of METHODS) {
  out.methods[m] = { n: lat[m].length, p50: pct(lat[m], 50), p99: pct(lat[m], 99), p999: pct(lat[m], 99.9), max: pct(lat[m], 100) };
}
if (healthz) out.perBlock = perBlock;
const text = JSON.stringify(out);
if (args.out) fs.writeFileSync(args.out, text); else console.log(text);
agent.destroy();
sideAgent.destroy();
