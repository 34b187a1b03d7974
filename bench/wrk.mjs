// wrk's numbers, shared by bench/run (which aggregates its interleaved slices) and report.mjs.
// As a script: node wrk.mjs SLICES.jsonl CLK_TCK prints one "wrk" result line per target and
// connection count: requests and time summed over the slices, p50/p99 the median of the slices'.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

/** A wrk duration ("812.50us", "1.25ms", "2.01s") in microseconds; null when it is none. */
export const wrkUs = (s) => { const m = /^([\d.]+)(us|ms|s)$/.exec(s || ''); return m ? Number(m[1]) * { us: 1, ms: 1e3, s: 1e6 }[m[2]] : null; };

function aggregate(slicesFile, clk) {
  const us = (s) => wrkUs(s) ?? NaN;
  const median = (xs) => { const v = xs.filter(Number.isFinite).sort((a, b) => a - b); return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN; };
  const groups = new Map();
  for (const line of fs.readFileSync(slicesFile, 'utf8').trim().split('\n')) {
    const s = JSON.parse(line); const k = s.target + ' ' + s.conns;
    if (!groups.has(k)) groups.set(k, []); groups.get(k).push(s);
  }
  for (const ss of groups.values()) {
    const requests = ss.reduce((a, s) => a + s.requests, 0), secs = ss.reduce((a, s) => a + us(s.secs) / 1e6, 0);
    console.log(JSON.stringify({ kind: 'wrk', target: ss[0].target, conns: ss[0].conns, rps: Math.round(requests / secs), requests,
      p50: median(ss.map((s) => us(s.p50))).toFixed(1) + 'us', p99: median(ss.map((s) => us(s.p99))).toFixed(1) + 'us',
      non2xx: ss.reduce((a, s) => a + s.non2xx, 0), cpuTicks: ss.reduce((a, s) => a + s.cpuTicks, 0), clk: Number(clk),
      slices: ss.length, sliceRps: ss.map((s) => Math.round(s.requests / (us(s.secs) / 1e6))) }));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) aggregate(process.argv[2], process.argv[3]);
