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
// --targets 'label=URL[+BUILDER_URL][@PID],...' (instead of --url): interleaved measurement. The
// block loop visits the targets in slices of --slice-ms (default 1000) of consecutive blocks, in
// a freshly shuffled order each round (--seed N), until each target had --duration seconds; the
// first --slice-warm-blocks (default 2) blocks of a slice are not recorded. A machine whose speed
// drifts over minutes (a shared VM) then shifts every target alike, so differences between
// targets are the targets'. With @PID the CPU time (utime+stime of PID and its children, from
// /proc) during the target's slices is reported as cpuTicks over cpuBlocks. Output:
// { interleaved: {...}, targets: { label: <the single-target output> } }.
//
// --chain (bench/soak): behave like op-node's sequencer on a real chain instead of replaying one
// canned block: build on the head it got back, distinct attributes per attempt (prevRandao
// carries the attempt number), newPayload + forkchoiceUpdated to the new block, retry after a
// failure, never give up. Extra options: --interval-ms A-B (block time drawn per block),
// --seed N, --call-timeout MS (hard per-call deadline, default 10000), --events FILE (one JSON
// line per attempt with every call's start, latency and outcome, and the block returned).
import http from 'node:http';
import fs from 'node:fs';
import { mulberry32 } from './chainloop.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const duration = Number(args.duration ?? 60);
const warmup = Number(args.warmup ?? 0);
const intervalMs = Number(args['interval-ms'] ?? 10);
const maxBlocks = args.blocks ? Number(args.blocks) : Infinity;
const healthz = args.healthz ? new URL(args.healthz) : null;
const sliceMs = Number(args['slice-ms'] ?? 1000);
const sliceWarmBlocks = Number(args['slice-warm-blocks'] ?? 2);

const HEAD = '0x' + 'ab'.repeat(32);
const fcs = `{"headBlockHash":"${HEAD}","safeBlockHash":"${HEAD}","finalizedBlockHash":"${HEAD}"}`;
const attrs = `{"timestamp":"0x6650f0a1","prevRandao":"0x${'55'.repeat(32)}","suggestedFeeRecipient":"0x${'42'.repeat(20)}",` +
  `"withdrawals":[],"parentBeaconBlockRoot":"0x${'66'.repeat(32)}","transactions":["0x7ef8f8a0de3d"],"noTxPool":false,"gasLimit":"0x1c9c380",` +
  `"eip1559Params":"0x000000fa00000006","minBaseFee":"0xf4240"}`; // a Jovian chain's op-node
let id = 0;
const body = (method, params) => `{"jsonrpc":"2.0","id":${++id},"method":"${method}","params":${params}}`;
const METHODS = ['fcu_attrs', 'getPayload', 'newPayload', 'fcu'];

function post(target, payload, via) {
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

/** One thing the loop drives: its URL (and builder, for the floor), connections and results. */
function makeTarget(label, url, builderUrl, pid) {
  return {
    label, url, builderUrl, pid,
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    // The proxy's own connections: its L2 pool (getPayload and validation can overlap) and builder.
    sideAgent: new http.Agent({ keepAlive: true, maxSockets: 4 }),
    lat: Object.fromEntries(METHODS.map((m) => [m, []])),
    perBlock: [], errors: 0, blocks: 0, cpuTicks: 0, cpuBlocks: 0, measuredMs: 0,
  };
}

async function timed(t, payload) {
  const t0 = process.hrtime.bigint();
  const r = await post(t.url, payload, t.agent);
  return { us: Number(process.hrtime.bigint() - t0) / 1000, r };
}
// The builder's copy of a call, not waited for (as the service's ordered lane sends it).
function toBuilder(t, payload) {
  if (t.builderUrl) post(t.builderUrl, payload, t.sideAgent).catch(() => { t.errors++; });
}
// getPayload as rollup-boost must do it in mode enabled: both blocks asked at once, then the
// builder's block validated on L2; op-node gets the builder's envelope.
async function timedGetPayloadFloor(t, payload) {
  const t0 = process.hrtime.bigint();
  const [fromL2, fromBuilder] = await Promise.all([post(t.url, payload, t.sideAgent), (async () => {
    const b = await post(t.builderUrl, payload, t.sideAgent);
    const env = JSON.parse(b.text).result;
    const v = await post(t.url, body('engine_newPayloadV3', `[${JSON.stringify(env?.executionPayload ?? {})},[],"0x${'66'.repeat(32)}"]`), t.sideAgent);
    return JSON.parse(v.text).result?.status === 'VALID' ? b : { status: 0, text: '{"error":"not valid"}' };
  })()]);
  const us = Number(process.hrtime.bigint() - t0) / 1000;
  return { us, r: fromBuilder.status === 200 ? fromBuilder : fromL2 };
}

async function block(t, record) {
  const fcuAttrs = body('engine_forkchoiceUpdatedV3', `[${fcs},${attrs}]`);
  toBuilder(t, fcuAttrs);
  const a = await timed(t, fcuAttrs);
  const pid = JSON.parse(a.r.text).result?.payloadId;
  const gpCall = body('engine_getPayloadV3', `["${pid}"]`);
  const g = t.builderUrl ? await timedGetPayloadFloor(t, gpCall) : await timed(t, gpCall);
  const gp = JSON.parse(g.r.text).result;
  const np = body('engine_newPayloadV3', `[${JSON.stringify(gp?.executionPayload ?? {})},[],"0x${'66'.repeat(32)}"]`);
  const n = await timed(t, np);
  toBuilder(t, np);
  const fcu = body('engine_forkchoiceUpdatedV3', `[${fcs},null]`);
  const f = await timed(t, fcu);
  toBuilder(t, fcu);
  const ok = [a, g, n, f].every((x) => x.r.status === 200 && !JSON.parse(x.r.text).error) && pid;
  if (!record) return;
  if (!ok) t.errors++;
  [a, g, n, f].forEach((x, i) => t.lat[METHODS[i]].push(x.us));
  t.blocks++;
  if (healthz) {
    const h = await new Promise((res) => http.get(healthz, (rs) => { rs.resume(); res(rs.statusCode); }).on('error', () => res(0)));
    t.perBlock.push({ block: t.blocks, getPayloadUs: Math.round(g.us), healthz: h });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
if (args.chain) {
  const { runChain } = await import('./chainloop.mjs');
  await runChain({ url: new URL(args.url), duration, args, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) });
  process.exit(0);
}

/** Blocks against `t`, one per intervalMs, for `ms` or until `stop()`; `record(i)` per block. */
async function run(t, ms, record) {
  const end = performance.now() + ms;
  let next = performance.now();
  for (let i = 0; performance.now() < end; i++) {
    const rec = record(i);
    if (rec && t.blocks >= maxBlocks) break;
    await block(t, rec);
    next += intervalMs;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait); else next = performance.now();
  }
}

// utime+stime (clock ticks) of a pid and its direct children (nginx master + worker).
function cpuTicks(pid) {
  let total = 0;
  const pids = [pid];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      pids.push(...fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
    }
  } catch { /* gone */ }
  for (const p of pids) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      total += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return total;
}

function pct(arr, p) {
  if (!arr.length) return null;
  const s = Float64Array.from(arr).sort();
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
function summary(t) {
  const out = { url: t.url.href, blocks: t.blocks, errors: t.errors, seconds: t.measuredMs / 1000, intervalMs, methods: {} };
  for (const m of METHODS) {
    const l = t.lat[m];
    out.methods[m] = { n: l.length, p50: pct(l, 50), p99: pct(l, 99), p999: pct(l, 99.9), max: pct(l, 100) };
  }
  if (t.builderUrl) out.builder = t.builderUrl.href;
  if (healthz) out.perBlock = t.perBlock;
  if (t.pid) Object.assign(out, { pid: t.pid, cpuTicks: t.cpuTicks, cpuBlocks: t.cpuBlocks });
  return out;
}

let text;
if (args.targets) {
  const targets = args.targets.split(',').map((spec) => {
    const m = /^([\w.-]+)=([^+@]+)(?:\+([^@]+))?(?:@(\d+))?$/.exec(spec.trim());
    if (!m) throw new Error(`bad target ${spec}: want label=URL[+BUILDER_URL][@PID]`);
    return makeTarget(m[1], new URL(m[2]), m[3] ? new URL(m[3]) : null, m[4] ? Number(m[4]) : null);
  });
  const rnd = mulberry32(Number(args.seed ?? 1));
  const shuffled = () => {
    const a = targets.slice();
    for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
    return a;
  };
  for (let w = 0; w < warmup * 1000; w += sliceMs) for (const t of shuffled()) await run(t, sliceMs, () => false);
  const t0 = Date.now();
  let rounds = 0;
  while (targets.some((t) => t.measuredMs < duration * 1000 && t.blocks < maxBlocks)) {
    rounds++;
    for (const t of shuffled()) {
      const c0 = t.pid ? cpuTicks(t.pid) : 0;
      const s0 = performance.now();
      let n = 0;
      await run(t, sliceMs, (i) => { n++; return i >= sliceWarmBlocks; });
      t.measuredMs += performance.now() - s0;
      if (t.pid) { t.cpuTicks += cpuTicks(t.pid) - c0; t.cpuBlocks += n; }
    }
  }
  const out = { interleaved: { sliceMs, sliceWarmBlocks, rounds, seconds: (Date.now() - t0) / 1000, seed: Number(args.seed ?? 1) }, targets: {} };
  for (const t of targets) out.targets[t.label] = summary(t);
  text = JSON.stringify(out);
  targets.forEach((t) => { t.agent.destroy(); t.sideAgent.destroy(); });
} else {
  const t = makeTarget('single', new URL(args.url), args.builder ? new URL(args.builder) : null, null);
  if (warmup > 0) await run(t, warmup * 1000, () => false);
  const s0 = performance.now();
  await run(t, duration * 1000, () => true);
  t.measuredMs = performance.now() - s0;
  text = JSON.stringify(summary(t));
  t.agent.destroy(); t.sideAgent.destroy();
}
if (args.out) fs.writeFileSync(args.out, text); else console.log(text);
