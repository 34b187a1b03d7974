// Soak under chaos; run through bench/soak (see bench/SOAK.md). Starts a fake L2 client and a
// fake builder (fake.mjs --chain) and the service jar; runs op-node's block loop (driver.mjs
// --chain), eth_ traffic, a /healthz poller, a resource sampler and a seeded chaos schedule at
// the same time; then checks everything it recorded and prints a summary. Exit 0 = all checks
// passed, 1 = a check failed (listed), 2 = usage, 3 = the harness itself could not run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { mulberry32, rpcCaller } from './chainloop.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));

// ---- options ------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (!a.startsWith('--')) usage(`unexpected argument ${a}`);
  const [k, v] = a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.slice(2), undefined];
  if (k === 'keep' || k === 'help' || k === 'plan') opt[k] = true;
  else if (v !== undefined) opt[k] = v;
  else if (i + 1 < argv.length) opt[k] = argv[++i];
  else usage(`--${k} needs a value`);
}
function usage(msg) {
  if (msg) console.error(`soak: ${msg}`);
  console.error('usage: bench/soak [--duration 10m|60s|S] [--seed N] [--work DIR] [--keep] [--plan] [--probe-interval 500ms] [--call-timeout MS]');
  process.exit(msg ? 2 : 0);
}
if (opt.help) usage();
const known = ['duration', 'seed', 'work', 'keep', 'plan', 'probe-interval', 'call-timeout', 'repo'];
for (const k of Object.keys(opt)) if (!known.includes(k)) usage(`unknown option --${k}`);
const dm = /^(\d+)(s|m)?$/.exec(opt.duration ?? '10m');
if (!dm) usage(`--duration must look like 10m, 60s or 90, not ${opt.duration}`);
const T = Number(dm[1]) * (dm[2] === 'm' ? 60 : 1); // seconds
if (T < 45) usage('--duration must be at least 45s (start window, four faults, end window)');
const SEED = Number(opt.seed ?? 1);
if (!Number.isInteger(SEED)) usage('--seed must be an integer');
const pm = /^(\d+)(ms|s)$/.exec(opt['probe-interval'] ?? '500ms');
if (!pm) usage('--probe-interval must look like 500ms or 1s');
const PROBE_MS = Number(pm[1]) * (pm[2] === 's' ? 1000 : 1);
// As in the devnet: a probe may take up to 1 s although it runs every 500 ms, so that a
// machine busy with other work does not turn one slow loopback answer into a 503.
const PROBE_TIMEOUT_MS = Math.max(1000, PROBE_MS);
const CALL_TIMEOUT = Number(opt['call-timeout'] ?? 5000);
const REPO = path.resolve(opt.repo ?? path.join(BENCH, '..'));
const JAR = path.join(REPO, 'target/rollup-boost.jar');
const JWT = path.join(REPO, 'ops/devnet/jwt.hex');
const JAVA_OPTS = (process.env.SERVICE_JAVA_OPTS ?? '-Xms64m -Xmx256m -XX:+ExitOnOutOfMemoryError').split(/\s+/).filter(Boolean);

// ---- bounds (printed with the summary) ------------------------------------------------------------
const PAYLOAD_DEADLINE_MS = 1000; // builder.payloadDeadline in config.yml
const B = {
  detectMs: PROBE_MS + 2 * PROBE_TIMEOUT_MS, // a hung builder needs one whole probe timeout // fault injected -> expected /healthz code seen
  restoreMs: 4 * PROBE_MS + 2000, // engine back (process listening / fault cleared) -> 200 seen
  l2GraceMs: 1000, // engine errors allowed this long after the L2 client is back
  getPayloadMs: PAYLOAD_DEADLINE_MS + 1000, // getPayload latency outside L2 outages
  heapMiB: (start) => Math.max(8, 0.2 * start), // heap after GC may grow by this much
  threads: 8,
  fds: 32,
  healthzMs: 3000, // /healthz must answer within this (op-conductor's poll is about as patient)
  stallMs: 300, // the harness's own event loop stopped this long: the machine stalled
};
const WARM = Math.min(10, Math.max(4, Math.round(T * 0.05)));
const WIN = Math.round(Math.min(50, Math.max(10, T * 0.18)));
const START_WIN = [WARM, WARM + WIN];
const END_WIN = [T - WIN, T];
const CHAOS = [START_WIN[1] + 1, END_WIN[0] - B.restoreMs / 1000];

// ---- the chaos schedule (seeded, deterministic) -------------------------------------------------
const rng = mulberry32(SEED);
const pick = (arr) => arr[Math.floor(rng() * arr.length)];
const uniform = (a, b) => a + rng() * (b - a);
function shuffle(arr) {
  const a = [...arr];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
const BAD = ['builder-invalid', 'builder-unsafe', 'builder-garbage'];
function schedule() {
  const span = CHAOS[1] - CHAOS[0];
  const faults = [];
  if (span < 90) {
    // Short run: one kill, one hang, one kind of bad block, one L2 outage, evenly spread.
    const kinds = shuffle(['builder-kill', 'builder-hang', pick(BAD), 'l2-kill']);
    const durs = kinds.map((k) => (k === 'l2-kill' ? 2.5 : 3));
    const gap = (span - durs.reduce((x, y) => x + y, 0)) / kinds.length;
    let t = CHAOS[0];
    kinds.forEach((kind, i) => { faults.push({ kind, at: t, dur: durs[i] }); t += durs[i] + gap; });
    return faults;
  }
  let t = CHAOS[0];
  for (;;) {
    for (const kind of shuffle(['builder-kill', 'builder-hang', ...BAD, 'l2-kill'])) {
      const dur = kind === 'l2-kill' ? uniform(2.5, 5) : uniform(3, 8);
      if (t + dur > CHAOS[1]) return faults;
      faults.push({ kind, at: t, dur });
      t += dur + uniform(8, 16);
    }
  }
}
const FAULTS = schedule();
if (opt.plan) {
  console.log(`windows: start ${START_WIN.join('-')}s, end ${END_WIN.join('-')}s; chaos (seed ${SEED}):`);
  for (const f of FAULTS) console.log(`  ${f.at.toFixed(1).padStart(6)}s ${f.kind.padEnd(16)} for ${f.dur.toFixed(1)}s`);
  process.exit(0);
}
const WORK = opt.work ? path.resolve(opt.work) : fs.mkdtempSync(path.join(os.tmpdir(), 'rollup-boost-soak-'));
fs.mkdirSync(WORK, { recursive: true });
for (const f of fs.readdirSync(WORK)) if (/\.(log|jsonl|json|state|tmp)$/.test(f)) fs.rmSync(path.join(WORK, f));

// ---- process handling -----------------------------------------------------------------------------
const children = new Set();
const log = (...a) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}`);
function start(name, cmd, args, env = {}) {
  const out = fs.openSync(path.join(WORK, name + '.log'), 'a');
  const c = spawn(cmd, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  fs.closeSync(out);
  children.add(c);
  c.exited = new Promise((r) => c.once('exit', (code, sig) => { children.delete(c); r({ code, sig }); }));
  return c;
}
function killAll() {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { log(`${sig}: stopping`); killAll(); process.exit(130); });

async function freePorts(n) {
  const servers = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return;
    await sleep(20);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
async function get(url, init = {}) {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: r.status, text: await r.text() };
}
const chainIdOk = (port) => get(`http://127.0.0.1:${port}/`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
}).then((r) => r.status === 200);

const [P_L2, P_B, P_RPC, P_ADM] = await freePorts(4);
const fakes = {};
async function startFake(role) {
  const port = role === 'l2' ? P_L2 : P_B;
  const c = start(`fake-${role}`, process.execPath, [path.join(BENCH, 'fake.mjs'), String(port), '--chain', role,
    '--state', path.join(WORK, `${role}.state`), '--log', path.join(WORK, `${role}-builds.jsonl`)]);
  fakes[role] = c;
  await until(`fake ${role} on ${port}`, () => chainIdOk(port), 15000);
  return c;
}
async function killFake(role) {
  const c = fakes[role];
  c.kill('SIGKILL');
  await c.exited;
}
const control = (mode) => get(`http://127.0.0.1:${P_B}/control?mode=${mode}`, { method: 'POST' });

// ---- run ------------------------------------------------------------------------------------------
if (!fs.existsSync(JAR)) { console.error(`soak: ${JAR} missing (mvn -B -q package -DskipTests)`); process.exit(3); }
log(`duration ${T}s, seed ${SEED}, probe ${PROBE_MS}ms, work dir ${WORK}`);
log(`windows: start ${START_WIN.join('-')}s, end ${END_WIN.join('-')}s; chaos: ${FAULTS.map((f) => `${f.kind}@${f.at.toFixed(1)}s/${f.dur.toFixed(1)}s`).join(', ')}`);
let service;
try {
  await startFake('l2');
  await startFake('builder');
  service = start('service', 'java', [...JAVA_OPTS, `-Ddw.probe.timeout=${PROBE_TIMEOUT_MS}ms`,
    `-Xlog:gc:file=${path.join(WORK, 'gc.log')}:uptime`, '-jar', JAR, 'server', path.join(REPO, 'config.yml')], {
    L2_URL: `http://127.0.0.1:${P_L2}`, BUILDER_URL: `http://127.0.0.1:${P_B}`,
    L2_JWT_SECRET_FILE: JWT, BUILDER_JWT_SECRET_FILE: JWT,
    RPC_PORT: String(P_RPC), ADMIN_PORT: String(P_ADM), EXECUTION_MODE: 'enabled', PROBE_INTERVAL: `${PROBE_MS}ms`,
  });
  await until('service /healthz 200', async () => (await get(`http://127.0.0.1:${P_RPC}/healthz`)).status === 200, 120000);
} catch (e) {
  console.error(`soak: could not start: ${e.message} (logs in ${WORK})`);
  process.exit(3);
}
const SVC = `http://127.0.0.1:${P_RPC}`;
const ADM = `http://127.0.0.1:${P_ADM}`;
let prom0 = '';
try { prom0 = (await get(`${ADM}/prometheus`)).text; } catch { /* counted from zero */ }
const t0 = Date.now();
const tEnd = t0 + T * 1000;
const at = (s) => t0 + s * 1000;
const running = () => Date.now() < tEnd;

// op-node's block loop
const driver = start('driver', process.execPath, [path.join(BENCH, 'driver.mjs'), '--url', `${SVC}/`, '--chain',
  '--duration', String(T), '--seed', String(SEED), '--interval-ms', '100-250', '--call-timeout', String(CALL_TIMEOUT),
  '--events', path.join(WORK, 'blocks.jsonl'), '--out', path.join(WORK, 'driver.json')]);

// eth_ traffic: three keep-alive connections
const eth = { calls: 0, served: 0, failed: [], lost: [], maxMs: 0, byMethod: {} };
const ETH_CALLS = [
  () => ({ method: 'eth_chainId', params: [] }),
  () => ({ method: 'eth_blockNumber', params: [] }),
  () => ({ method: 'eth_getBlockByNumber', params: ['latest', false] }),
  () => ({ method: 'eth_getBalance', params: ['0x' + '42'.repeat(20), 'latest'] }),
  () => ({ method: 'eth_call', params: [{ to: '0x' + '42'.repeat(20), data: '0x70a08231' }, 'latest'] }),
  () => ({ method: 'eth_getTransactionCount', params: ['0x' + '42'.repeat(20), 'pending'] }),
  () => ({ method: 'eth_sendRawTransaction', params: ['0x02f8' + Math.floor(Math.random() * 2 ** 48).toString(16).padStart(12, '0')] }),
  () => [{ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }, { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] }],
];
async function ethWorker(n) {
  const rpc = rpcCaller(new URL(`${SVC}/`), new http.Agent({ keepAlive: true, maxSockets: 1 }), CALL_TIMEOUT);
  let id = 0;
  const wr = mulberry32(SEED * 31 + n);
  while (running()) {
    const spec = ETH_CALLS[Math.floor(wr() * ETH_CALLS.length)]();
    const body = Array.isArray(spec) ? spec : { jsonrpc: '2.0', id: ++id, ...spec };
    const label = Array.isArray(spec) ? 'batch' : spec.method;
    const r = await rpc(body);
    eth.calls++;
    const m = (eth.byMethod[label] ??= { calls: 0, served: 0 });
    m.calls++;
    eth.maxMs = Math.max(eth.maxMs, r.ms);
    if (!r.ans) eth.lost.push({ t: r.t, label, err: r.err });
    else if (!r.ok) eth.failed.push({ t: r.t, t1: r.t + r.ms, label, err: r.err });
    else { eth.served++; m.served++; }
    await sleep(30 + wr() * 40);
  }
}

// /healthz poller
const samples = [];
async function poller() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (running()) {
    const t = Date.now();
    const code = await new Promise((res) => {
      const rq = http.get(`${SVC}/healthz`, { agent, timeout: B.healthzMs }, (rs) => { rs.resume(); rs.on('end', () => res(rs.statusCode)); });
      rq.on('timeout', () => rq.destroy(new Error('timeout')));
      rq.on('error', () => res(0));
    });
    samples.push({ t, code, ms: Date.now() - t });
    const wait = t + 100 - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

// Machine stalls: this process's event loop should tick every 20 ms; when it does not, every
// process on the machine was starved (the harness is not the service), and health deviations
// right after such a stall are reported as excused instead of failing the run.
const stalls = [];
let tick = Date.now();
const stallTimer = setInterval(() => {
  const now = Date.now();
  if (now - tick - 20 >= B.stallMs) stalls.push({ t: tick + 20, ms: now - tick - 20 });
  tick = now;
}, 20);

// service counters at a moment (for per-fault deltas)
async function scrape() {
  try { return (await get(`${ADM}/prometheus`)).text; } catch { return ''; }
}

// resources: threads and fds every second, heap after GC three times in each window
const res = [];
const heap = [];
function procSample() {
  try {
    const st = fs.readFileSync(`/proc/${service.pid}/status`, 'utf8');
    const threads = Number(/Threads:\s+(\d+)/.exec(st)[1]);
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(st)[1]);
    const fds = fs.readdirSync(`/proc/${service.pid}/fd`).length;
    res.push({ t: Date.now(), threads, fds, rssKiB });
  } catch { /* exited: reported below */ }
}
async function sampler() {
  while (running()) {
    procSample();
    await sleep(1000);
  }
}
async function heapSampler() {
  const points = [...[0.3, 0.65, 0.98].map((f) => START_WIN[0] + f * WIN), ...[0.2, 0.55, 0.9].map((f) => END_WIN[0] + f * WIN)];
  for (const s of points) {
    const wait = at(s) - Date.now();
    if (wait > 0) await sleep(wait);
    try {
      await get(`${ADM}/tasks/gc`, { method: 'POST' });
      const g = JSON.parse((await get(`${ADM}/metrics`)).text).gauges;
      heap.push({ t: Date.now(), used: g['jvm.memory.heap.used'].value });
    } catch (e) { heap.push({ t: Date.now(), error: e.message }); }
  }
}

// chaos
async function chaos() {
  let previous = null;
  for (const f of FAULTS) {
    const wait = at(f.at) - Date.now();
    if (wait > 0) await sleep(wait);
    f.prom0 = await scrape();
    if (previous) previous.prom1 = f.prom0; // a fault's counters run until the next one starts
    previous = f;
    f.start = Date.now();
    log(`inject ${f.kind} for ${f.dur.toFixed(1)} s`);
    if (f.kind === 'builder-kill') await killFake('builder');
    else if (f.kind === 'l2-kill') await killFake('l2');
    else if (f.kind === 'builder-hang') fakes.builder.kill('SIGUSR1');
    else await control(f.kind.slice('builder-'.length));
    await sleep(at(f.at + f.dur) - Date.now());
    f.end = Date.now();
    if (f.kind === 'builder-kill') await startFake('builder');
    else if (f.kind === 'l2-kill') await startFake('l2');
    else if (f.kind === 'builder-hang') fakes.builder.kill('SIGUSR2');
    else await control('ok');
    f.ready = Date.now();
    log(`restored ${f.kind} (${f.ready - f.end} ms to listen)`);
  }
}

const loops = [poller(), sampler(), heapSampler(), chaos(), ethWorker(0), ethWorker(1), ethWorker(2)];
await Promise.all(loops);
clearInterval(stallTimer);
const driverExit = await Promise.race([driver.exited, sleep(CALL_TIMEOUT * 4 + 10000).then(() => null)]);
if (!driverExit) driver.kill('SIGKILL');
procSample();
const prom = await scrape();
if (!prom) log('no /prometheus at the end');
if (FAULTS.length) FAULTS[FAULTS.length - 1].prom1 = prom;
const serviceAlive = service.exitCode === null && service.signalCode === null;
service.kill('SIGTERM');
await Promise.race([service.exited, sleep(15000)]);
killAll();

// ---- checks ---------------------------------------------------------------------------------------
const failures = [];
const fail = (msg) => failures.push(msg);
const readJsonl = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const rel = (t) => ((t - t0) / 1000).toFixed(1) + 's';
const attempts = readJsonl(path.join(WORK, 'blocks.jsonl'));
const builds = { l2: readJsonl(path.join(WORK, 'l2-builds.jsonl')), builder: readJsonl(path.join(WORK, 'builder-builds.jsonl')) };
if (!driverExit || driverExit.code !== 0) fail(`block driver did not finish cleanly (${JSON.stringify(driverExit)}; see driver.log)`);
if (!serviceAlive) fail(`the service exited during the run (${service.exitCode ?? service.signalCode}; see service.log)`);

const l2Outages = FAULTS.filter((f) => f.kind === 'l2-kill' && f.start).map((f) => [f.start, (f.ready ?? tEnd) + B.l2GraceMs]);
const inOutage = (a, b) => l2Outages.some(([s, e]) => a <= e && b >= s);

// blocks
const l2ByPid = new Map(builds.l2.map((b) => [b.payloadId, b]));
const builderByRandao = new Map();
for (const b of builds.builder) (builderByRandao.get(b.prevRandao) ?? builderByRandao.set(b.prevRandao, []).get(b.prevRandao)).push(b);
const badBuilt = {};
for (const b of builds.builder) if (b.bad) badBuilt[b.bad] = (badBuilt[b.bad] ?? 0) + 1;
const hashToPid = new Map();
const pids = new Set();
const blk = { requested: attempts.length, answered: 0, produced: 0, fromBuilder: 0, fromL2: 0, failedInOutage: 0, failedOther: 0, unanswered: 0, getPayloadAnswered: 0, maxGetPayloadMs: 0, duplicates: 0, slowExcused: 0 };
const lat = {};
for (const a of attempts) {
  const t1 = a.t1 ?? a.t0;
  const lost = a.calls.filter((c) => !c.ans);
  for (const c of a.calls) (lat[c.label] ??= []).push(c.ms);
  if (lost.length === 0) blk.answered++;
  for (const c of lost) {
    blk.unanswered++;
    if (blk.unanswered <= 5) fail(`block attempt ${a.seq} at ${rel(c.t)}: ${c.m} not answered: ${c.err}`);
  }
  const gp = a.calls.find((c) => c.label === 'getPayload');
  if (gp?.ans && gp.ok) blk.getPayloadAnswered++;
  if (gp && !inOutage(gp.t, gp.t + gp.ms)) {
    blk.maxGetPayloadMs = Math.max(blk.maxGetPayloadMs, gp.ms);
    if (gp.ms > B.getPayloadMs && stalls.some((x) => x.t <= gp.t + gp.ms && x.t + x.ms >= gp.t)) blk.slowExcused++;
    else if (gp.ms > B.getPayloadMs) fail(`attempt ${a.seq} at ${rel(gp.t)}: getPayload took ${gp.ms.toFixed(0)} ms (bound ${B.getPayloadMs} ms)`);
  }
  if (a.payloadId) {
    if (pids.has(a.payloadId)) fail(`payload id ${a.payloadId} handed out twice`);
    pids.add(a.payloadId);
  }
  if (a.block) {
    const b = a.block;
    if (b.prevRandao !== a.prevRandao) fail(`attempt ${a.seq}: block ${b.hash} for payload ${a.payloadId} was built from another attempt's attributes`);
    if (b.parent !== a.head) fail(`attempt ${a.seq}: block ${b.hash} builds on ${b.parent}, op-node asked for ${a.head}`);
    let src = null;
    const own = l2ByPid.get(a.payloadId);
    if (own && own.hash === b.hash) src = 'l2';
    const fromB = (builderByRandao.get(a.prevRandao) ?? []).find((x) => x.hash === b.hash);
    if (fromB) {
      src = 'builder';
      if (fromB.bad) fail(`attempt ${a.seq}: the service returned a deliberately ${fromB.bad} builder block ${b.hash}`);
    }
    if (!src) fail(`attempt ${a.seq}: block ${b.hash} returned for payload ${a.payloadId} was not built for it by either engine`);
    else if (src !== b.claimed) fail(`attempt ${a.seq}: block ${b.hash} claims ${b.claimed}, built by ${src}`);
    const prior = hashToPid.get(b.hash);
    if (prior && prior !== a.payloadId) blk.duplicates++;
    if (prior && prior !== a.payloadId) fail(`block ${b.hash} returned for two payload ids: ${prior} and ${a.payloadId}`);
    hashToPid.set(b.hash, a.payloadId);
    if (a.ok) { if (src === 'builder') blk.fromBuilder++; else blk.fromL2++; }
  }
  if (a.ok) blk.produced++;
  else if (inOutage(a.t0, t1)) blk.failedInOutage++;
  else {
    blk.failedOther++;
    const c = a.calls.find((x) => !x.ok) ?? {};
    if (blk.failedOther <= 10) fail(`block attempt ${a.seq} at ${rel(a.t0)} failed with the L2 client up: ${c.m ?? '?'} ${c.err ?? ''}`);
  }
}
if (blk.failedOther > 10) fail(`... ${blk.failedOther - 10} more block attempts failed with the L2 client up`);
if (blk.unanswered > 5) fail(`... ${blk.unanswered - 5} more unanswered engine calls`);
if (attempts.length < T * 2) fail(`only ${attempts.length} block attempts in ${T}s (expected about ${Math.round(T * 5)})`);

// eth_
const ethOutside = eth.failed.filter((e) => !inOutage(e.t, e.t1));
for (const e of eth.lost.slice(0, 5)) fail(`${e.label} at ${rel(e.t)} not answered: ${e.err}`);
if (eth.lost.length > 5) fail(`... ${eth.lost.length - 5} more unanswered eth_ calls`);
for (const e of ethOutside.slice(0, 5)) fail(`${e.label} at ${rel(e.t)} failed with the L2 client up: ${e.err}`);
if (ethOutside.length > 5) fail(`... ${ethOutside.length - 5} more eth_ failures with the L2 client up`);

// Service counters over the run (scrape at the end minus the scrape before the first block).
const sumOf = (text, name, labels) => text.split('\n').filter((l) => l.startsWith(name + (labels ? '{' : '')) && (!labels || labels.every((x) => l.includes(x))))
  .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
const metric = (name, labels = null) => sumOf(prom, name, labels) - sumOf(prom0, name, labels);

// health
const unanswered = samples.filter((s) => s.code === 0);
if (unanswered.length) fail(`/healthz unanswered within ${B.healthzMs} ms ${unanswered.length} times (first at ${rel(unanswered[0].t)})`);
const healthIssues = [];
let quietFrom = t0;
const quietCheck = (from, to, why) => {
  const off = samples.filter((s) => s.t >= from && s.t < to && s.code !== 200);
  excused.push(...off.filter((s) => stalledNear(s.t)));
  const bad = off.filter((s) => !stalledNear(s.t));
  if (bad.length) healthIssues.push(`${bad.length} samples not 200 in a quiet period ${rel(from)}-${rel(to)} (${why}; first ${bad[0].code} at ${rel(bad[0].t)})`);
};
const stalledNear = (t) => stalls.some((x) => x.t <= t + 1000 && x.t + x.ms >= t - 3000);
const excused = [];
for (const f of FAULTS) {
  if (!f.start) { fail(`fault ${f.kind} never injected`); continue; }
  const expect = f.kind === 'l2-kill' ? 503 : 206;
  quietCheck(quietFrom, f.start, `before ${f.kind}`);
  let det;
  if (f.kind === 'builder-invalid') {
    // An invalid block flashes 206 until the builder's next VALID sync answer; the quality
    // breaker makes it steady after three of them. Detection is the start of the 206 that lasts.
    const inFault = samples.filter((s) => s.t >= f.start && s.t < f.end && !stalledNear(s.t));
    let i = inFault.length;
    while (i > 0 && inFault[i - 1].code === expect) i--;
    det = i < inFault.length && inFault[i].t <= f.start + B.detectMs ? inFault[i] : null;
  } else {
    det = samples.find((s) => s.t >= f.start && s.t <= f.start + B.detectMs && s.code === expect);
  }
  f.detectMs = det ? det.t - f.start : null;
  const delta = (name, labels) => sumOf(f.prom1 ?? '', name, labels) - sumOf(f.prom0 ?? '', name, labels);
  f.invalidBlocks = delta('rollup_boost_builder_fallbacks_total', ['reason="invalid_block"']);
  f.builderDown = delta('rollup_boost_health_transitions_total', ['component="builder"', 'to="unhealthy"']);
  f.nodePartial = delta('rollup_boost_health_transitions_total', ['component="node"', 'to="partial_content"']);
  if (f.kind === 'builder-invalid' && !(f.invalidBlocks >= 1)) healthIssues.push(`${f.kind} at ${rel(f.start)}: no invalid_block fallback counted`);
  if (!det) healthIssues.push(`${f.kind} at ${rel(f.start)}: no ${expect} within ${B.detectMs} ms`);
  const back = f.ready && samples.find((s) => s.t >= f.ready && s.code === 200);
  f.restoreMs = back ? back.t - f.ready : null;
  if (!back || back.t > f.ready + B.restoreMs) healthIssues.push(`${f.kind} restored at ${rel(f.ready ?? f.end)}: no 200 within ${B.restoreMs} ms${back ? ` (after ${back.t - f.ready} ms)` : ''}`);
  const recovered = back ? back.t : (f.ready ?? f.end) + B.restoreMs;
  const during = samples.filter((s) => s.t >= f.start && s.t < recovered);
  f.codes = [...new Set(during.map((s) => s.code))].sort();
  if (expect === 206 && during.some((s) => s.code === 503)) healthIssues.push(`${f.kind} at ${rel(f.start)}: 503 while only the builder was faulty`);
  // A dead, hanging, garbage-answering or degraded builder stays 206 until it is restored.
  if (det) {
    const flap = samples.find((s) => s.t > det.t && s.t < f.end && s.code !== expect && !stalledNear(s.t));
    if (flap) healthIssues.push(`${f.kind} at ${rel(f.start)}: ${flap.code} at ${rel(flap.t)} while the fault lasted`);
  }
  quietFrom = recovered;
}
quietCheck(quietFrom, tEnd, 'after the last fault');
const excusedQuiet = excused.length;
healthIssues.forEach(fail);
const transitions = [];
for (let i = 1; i < samples.length; i++) if (samples[i].code !== samples[i - 1].code) transitions.push(`${samples[i - 1].code}->${samples[i].code}@${rel(samples[i].t)}`);
const created = { builder: metric('rollup_boost_blocks_created_total', ['source="builder"']), l2: metric('rollup_boost_blocks_created_total', ['source="l2"']) };
if (prom && created.builder + created.l2 !== blk.getPayloadAnswered) fail(`the service counted ${created.builder + created.l2} blocks returned, op-node got ${blk.getPayloadAnswered}`);

// resources
const inWin = (t, w) => t >= at(w[0]) && t <= at(w[1]);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const rs = { start: {}, end: {}, max: {} };
for (const k of ['threads', 'fds', 'rssKiB']) {
  rs.start[k] = median(res.filter((r) => inWin(r.t, START_WIN)).map((r) => r[k]));
  rs.end[k] = median(res.filter((r) => inWin(r.t, END_WIN)).map((r) => r[k]));
  rs.max[k] = Math.max(...res.map((r) => r[k]));
}
const MiB = 1024 * 1024;
rs.start.heapMiB = median(heap.filter((h) => h.used && inWin(h.t, START_WIN)).map((h) => h.used / MiB));
rs.end.heapMiB = median(heap.filter((h) => h.used && inWin(h.t, [END_WIN[0], END_WIN[1] + 5])).map((h) => h.used / MiB));
if (heap.some((h) => h.error)) fail(`heap samples failed: ${heap.filter((h) => h.error).map((h) => h.error).join('; ')}`);
const heapTol = B.heapMiB(rs.start.heapMiB);
if (!(rs.end.heapMiB - rs.start.heapMiB <= heapTol)) fail(`heap after GC grew ${rs.start.heapMiB.toFixed(1)} -> ${rs.end.heapMiB.toFixed(1)} MiB (tolerance +${heapTol.toFixed(1)} MiB)`);
if (!(rs.end.threads - rs.start.threads <= B.threads)) fail(`threads grew ${rs.start.threads} -> ${rs.end.threads} (tolerance +${B.threads})`);
if (!(rs.end.fds - rs.start.fds <= B.fds)) fail(`open fds grew ${rs.start.fds} -> ${rs.end.fds} (tolerance +${B.fds})`);

// service log
const svcLog = fs.existsSync(path.join(WORK, 'service.log')) ? fs.readFileSync(path.join(WORK, 'service.log'), 'utf8').split('\n') : [];
const errors = svcLog.filter((l) => /^ERROR\s/.test(l));
errors.slice(0, 3).forEach((l) => fail(`service logged an error: ${l.slice(0, 300)}`));
if (errors.length > 3) fail(`... ${errors.length - 3} more ERROR lines in service.log`);

// ---- summary --------------------------------------------------------------------------------------
const q = (arr, p) => { if (!arr?.length) return NaN; const s = Float64Array.from(arr).sort(); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const fallbacks = [...new Set(prom.split('\n').filter((l) => l.startsWith('rollup_boost_builder_fallbacks_total{')).map((l) => /reason="([^"]+)"/.exec(l)[1]))]
  .map((r) => [r, metric('rollup_boost_builder_fallbacks_total', [`reason="${r}"`])]).filter(([, n]) => n > 0).map(([r, n]) => `${r}=${n}`);
const nodeTransitions = metric('rollup_boost_health_transitions_total', ['component="node"']);
const out = [];
out.push(`soak: ${T}s, seed ${SEED}, probe interval ${PROBE_MS} ms (timeout ${PROBE_TIMEOUT_MS} ms), op-node call timeout ${CALL_TIMEOUT} ms, JVM ${JAVA_OPTS.join(' ')}`);
out.push(`blocks: requested ${blk.requested}, answered ${blk.answered}, produced ${blk.produced} (builder ${blk.fromBuilder}, l2 ${blk.fromL2}), failed while L2 was down ${blk.failedInOutage}, failed otherwise ${blk.failedOther}, unanswered calls ${blk.unanswered}, blocks returned for two payload ids ${blk.duplicates}`);
out.push(`deliberately bad builder blocks built (none may be returned): ${Object.entries(badBuilt).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
out.push(`engine latency ms (p50/p99/max): ${Object.entries(lat).map(([m, a]) => `${m} ${f1(q(a, 0.5))}/${f1(q(a, 0.99))}/${f1(q(a, 1))}`).join(', ')}; getPayload max outside L2 outages ${f1(blk.maxGetPayloadMs)} (bound ${B.getPayloadMs}${blk.slowExcused ? `, ${blk.slowExcused} over it during machine stalls` : ''})`);
out.push(`service counted: blocks builder ${created.builder}, l2 ${created.l2}; fallbacks ${fallbacks.join(' ') || 'none'}; bypassed ${metric('rollup_boost_builder_bypass_total')}; builder sync dropped ${metric('rollup_boost_builder_sync_dropped_total')}`);
out.push(`eth_: calls ${eth.calls}, served ${eth.served}, failed while L2 was down ${eth.failed.length - ethOutside.length}, failed otherwise ${ethOutside.length}, unanswered ${eth.lost.length}, max ${f1(eth.maxMs)} ms`);
const expectedTransitions = 2 * FAULTS.length;
out.push(`health: ${samples.length} polls; ${FAULTS.length} faults; poller saw ${transitions.length} transitions, expected ${expectedTransitions} (away from 200 and back per fault; a builder-invalid fault may add a 206 flash before the breaker degrades the builder); the service counted ${nodeTransitions} node and ${metric('rollup_boost_health_transitions_total', ['component="builder"'])} builder transitions`);
for (const f of FAULTS) {
  out.push(`  ${rel(f.start ?? at(f.at)).padStart(7)} ${f.kind.padEnd(16)} ${f1((f.end - f.start) / 1000)}s  ${f.kind === 'l2-kill' ? 503 : 206} after ${f.detectMs ?? '-'} ms (<= ${B.detectMs}), 200 ${f.restoreMs ?? '-'} ms after restore (<= ${B.restoreMs}), polled ${(f.codes ?? []).join('/')}; service: builder unhealthy x${f.builderDown}, node 206 x${f.nodePartial}${f.invalidBlocks ? `, invalid blocks rejected ${f.invalidBlocks}` : ''}`);
}
out.push(`  transitions: ${transitions.join(' ') || 'none'}`);
const gcPauses = (fs.existsSync(path.join(WORK, 'gc.log')) ? fs.readFileSync(path.join(WORK, 'gc.log'), 'utf8') : '').split('\n')
  .map((l) => /Pause.* (\d+\.\d+)ms$/.exec(l)).filter(Boolean).map((m) => Number(m[1]));
out.push(`machine: ${stalls.length} stalls of the harness itself >= ${B.stallMs} ms (max ${stalls.length ? Math.max(...stalls.map((x) => x.ms)) : 0} ms); ${excusedQuiet} health polls off 200 right after one (excused); /healthz latency max ${Math.max(...samples.map((x) => x.ms))} ms; JVM GC pauses ${gcPauses.length} (with the forced ones of the heap samples), max ${f1(Math.max(0, ...gcPauses))} ms`);
out.push(`resources (start window ${START_WIN.join('-')}s vs end window ${END_WIN.join('-')}s, medians): heap after GC ${f1(rs.start.heapMiB)} -> ${f1(rs.end.heapMiB)} MiB (tolerance +${f1(heapTol)}), threads ${rs.start.threads} -> ${rs.end.threads} (tolerance +${B.threads}, max ${rs.max.threads}), fds ${rs.start.fds} -> ${rs.end.fds} (tolerance +${B.fds}, max ${rs.max.fds}), RSS ${f1(rs.start.rssKiB / 1024)} -> ${f1(rs.end.rssKiB / 1024)} MiB`);
out.push(`service log: ${svcLog.filter((l) => /^WARN\s/.test(l)).length} WARN, ${errors.length} ERROR lines`);
out.push(failures.length ? `FAILED (${failures.length}):\n${failures.map((f) => '  - ' + f).join('\n')}` : 'PASSED: every check held');
const summary = out.join('\n');
console.log(summary);
fs.writeFileSync(path.join(WORK, 'summary.txt'), summary + '\n');
fs.writeFileSync(path.join(WORK, 'summary.json'), JSON.stringify({ T, seed: SEED, probeMs: PROBE_MS, bounds: { ...B, heapMiB: heapTol }, faults: FAULTS.map(({ prom0: _a, prom1: _b, ...f }) => f), stalls, blocks: blk, eth: { ...eth, failed: eth.failed.length, lost: eth.lost.length }, created, transitions, nodeTransitions, resources: rs, heap, failures }, null, 1));
if (failures.length || opt.keep || opt.work) log(`logs and records kept in ${WORK}`);
else fs.rmSync(WORK, { recursive: true, force: true });
process.exit(failures.length ? 1 : 0);
