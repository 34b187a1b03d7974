// The --chain block loop of bench/driver.mjs (see its header): op-node's sequencer against the
// service, one keep-alive connection, a hard deadline per call, one JSON line per attempt.
import http from 'node:http';
import fs from 'node:fs';
import crypto from 'node:crypto';

/** Who a fake chain's block says built it: its own transactions carry the role's first letter. */
function claimedBuilder(p) {
  const own = (p.transactions ?? []).find((t) => !String(t).startsWith('0x7e'));
  const letter = own ? String.fromCharCode(parseInt(String(own).slice(6, 8), 16)) : '';
  return { l: 'l2', b: 'builder' }[letter] ?? `unknown (${own})`;
}

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A JSON-RPC caller over `agent` with a hard deadline per call. Resolves (never rejects) with
 * { t, ms, ans, ok, err, result }: ans = a JSON-RPC answer arrived (for a batch: one per
 * element), ok = and it carries no error.
 */
export function rpcCaller(url, agent, timeoutMs) {
  return (body) => {
    const payload = JSON.stringify(body);
    const t = Date.now();
    const h0 = process.hrtime.bigint();
    return new Promise((resolve) => {
      let done = false;
      const finish = (r) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ t, ms: Number(process.hrtime.bigint() - h0) / 1e6, ...r });
      };
      const rq = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (rs) => {
        const chunks = [];
        rs.on('data', (c) => chunks.push(c));
        rs.on('error', (e) => finish({ ans: false, err: 'response: ' + e.message }));
        rs.on('end', () => {
          let j;
          try { j = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch {
            return finish({ ans: false, err: `http ${rs.statusCode}: not JSON` });
          }
          if (Array.isArray(body)) {
            if (!Array.isArray(j) || j.length !== body.length) return finish({ ans: false, err: `batch of ${body.length} answered with ${JSON.stringify(j).slice(0, 80)}` });
            const bad = j.find((x) => x.error);
            return finish(bad ? { ans: true, ok: false, err: `${bad.error.code} ${bad.error.message}` } : { ans: true, ok: true, result: j.map((x) => x.result) });
          }
          if (j.error) return finish({ ans: true, ok: false, err: `${j.error.code} ${j.error.message}`, http: rs.statusCode });
          finish({ ans: true, ok: true, result: j.result });
        });
      });
      const timer = setTimeout(() => { rq.destroy(new Error('timeout')); finish({ ans: false, err: `no answer within ${timeoutMs} ms` }); }, timeoutMs);
      rq.on('error', (e) => finish({ ans: false, err: e.message }));
      rq.end(payload);
    });
  };
}

export async function runChain({ url, duration, args, agent }) {
  const callTimeout = Number(args['call-timeout'] ?? 10000);
  const [lo, hi] = String(args['interval-ms'] ?? '100-250').split('-').map(Number);
  const rng = mulberry32(Number(args.seed ?? 1));
  const events = args.events ? fs.openSync(args.events, 'w') : null;
  const runTag = crypto.randomBytes(8).toString('hex');
  let stop = false;
  process.on('SIGTERM', () => { stop = true; });
  let id = 0;

  const rpc = rpcCaller(url, agent, callTimeout);
  const call = (method, params) => rpc({ jsonrpc: '2.0', id: ++id, method, params }).then((r) => ({ m: method, ...r }));

  // op-node starts from the execution client's head.
  let head = null;
  for (let i = 0; !head && i < 300 && !stop; i++) {
    const r = await call('eth_getBlockByNumber', ['latest', false]);
    if (r.ok && r.result?.hash) head = { hash: r.result.hash, number: parseInt(r.result.number, 16) };
    else await sleep(100);
  }
  if (!head) throw new Error('no head from ' + url.href);
  const genesis = head.hash;

  const lat = {};
  const out = { url: url.href, attempts: 0, produced: 0, failed: 0, unanswered: 0, methods: {} };
  const end = Date.now() + duration * 1000;
  while (!stop && Date.now() < end) {
    const seq = ++out.attempts;
    const start = Date.now();
    const prevRandao = '0x' + runTag + seq.toString(16).padStart(48, '0');
    const attrs = {
      timestamp: '0x' + Math.floor(start / 1000).toString(16),
      prevRandao,
      suggestedFeeRecipient: '0x' + '42'.repeat(20),
      withdrawals: [],
      parentBeaconBlockRoot: '0x' + '66'.repeat(32),
      transactions: ['0x7ef8' + seq.toString(16).padStart(8, '0')],
      noTxPool: false,
      gasLimit: '0x1c9c380',
      eip1559Params: '0x0000000000000000', // Jovian, the chain's default EIP-1559 parameters
      minBaseFee: '0xf4240',
    };
    const rec = { seq, t0: start, head: head.hash, prevRandao, calls: [] };
    const step = async (label, method, params, check) => {
      const r = await call(method, params);
      const { result, ...kept } = r;
      kept.label = label;
      rec.calls.push(kept);
      (lat[label] ??= []).push(r.ms);
      if (!r.ans) { out.unanswered++; return null; }
      if (!r.ok) return null;
      const why = check(result);
      if (why) { kept.ok = false; kept.err = why; return null; }
      return result;
    };
    const fcs = (h) => ({ headBlockHash: h, safeBlockHash: h, finalizedBlockHash: genesis });
    const a = await step('fcu_attrs', 'engine_forkchoiceUpdatedV3', [fcs(head.hash), attrs],
      (r) => (r?.payloadStatus?.status !== 'VALID' ? `status ${r?.payloadStatus?.status}` : r.payloadId ? null : 'no payload id'));
    let block = null;
    if (a) {
      rec.payloadId = a.payloadId;
      const g = await step('getPayload', 'engine_getPayloadV3', [a.payloadId],
        (r) => (r?.executionPayload?.blockHash ? null : 'no execution payload'));
      if (g) {
        const p = g.executionPayload;
        rec.block = { hash: p.blockHash, parent: p.parentHash, prevRandao: p.prevRandao, number: parseInt(p.blockNumber, 16),
          claimed: claimedBuilder(p) };
        const n = await step('newPayload', 'engine_newPayloadV3', [p, [], attrs.parentBeaconBlockRoot],
          (r) => (r?.status === 'VALID' ? null : `status ${r?.status}`));
        if (n) {
          const f = await step('fcu', 'engine_forkchoiceUpdatedV3', [fcs(p.blockHash), null],
            (r) => (r?.payloadStatus?.status === 'VALID' ? null : `status ${r?.payloadStatus?.status}`));
          if (f) block = { hash: p.blockHash, number: parseInt(p.blockNumber, 16) };
        }
      }
    }
    rec.t1 = Date.now();
    rec.ok = block !== null;
    if (block) { out.produced++; head = block; } else out.failed++;
    if (events) fs.writeSync(events, JSON.stringify(rec) + '\n');
    const wait = block ? start + lo + rng() * ((hi ?? lo) - lo) - Date.now() : 100;
    if (wait > 0) await sleep(wait);
  }
  for (const [m, arr] of Object.entries(lat)) {
    const s = Float64Array.from(arr).sort();
    const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
    out.methods[m] = { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
  }
  if (events) fs.closeSync(events);
  const text = JSON.stringify(out);
  if (args.out) fs.writeFileSync(args.out, text); else console.log(text);
  agent.destroy();
}
