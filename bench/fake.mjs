// Fake Engine API upstream: canned JSON-RPC answers on loopback, keep-alive, no JWT check.
// usage: node fake.mjs PORT [--hang] [--txs N] [--gzip]   (--hang: accept connections, read requests,
// never answer; --txs N: getPayload blocks carry N more 155-byte transactions, for large-block
// runs; --gzip: gzip every answer whose request accepts gzip, as geth's and op-geth's RPC and
// engine servers do)
// SIGUSR1 switches a running fake to hanging, SIGUSR2 back to answering; SIGHUP makes it hang
// on getPayload only (a builder that stays synced, answers probes and FCU, and never delivers).
// Chain mode for bench/soak: node fake.mjs PORT --chain l2|builder [--state FILE] [--log FILE]
// keeps a chain instead of canned answers (see fakechain.mjs); POST /control?mode=... switches
// its block quality.
import http from 'node:http';
import zlib from 'node:zlib';

const port = Number(process.argv[2] || 0);
let hang = process.argv.includes('--hang');
let hangGetPayload = false;
const gzip = process.argv.includes('--gzip');
const flag = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const chain = flag('--chain')
  ? (await import('./fakechain.mjs')).createChain(flag('--chain'), { statePath: flag('--state'), logPath: flag('--log') })
  : null;
const HEAD = '0x' + 'ab'.repeat(32);     // head the driver builds on
const DEPOSIT = '0x7ef8f8a0de3d';       // deposit the driver forces through its attributes
const TS = '0x6650f0a1';                // attributes timestamp the driver sends

const status = `{"status":"VALID","latestValidHash":"0x${'aa'.repeat(32)}","validationError":null}`;
const envelope = '{"executionPayload":{"parentHash":"' + HEAD + '","feeRecipient":"0x' + '42'.repeat(20) +
  '","stateRoot":"0x' + '33'.repeat(32) + '","receiptsRoot":"0x' + '44'.repeat(32) +
  '","logsBloom":"0x' + '00'.repeat(256) + '","prevRandao":"0x' + '55'.repeat(32) +
  '","blockNumber":"0x1","gasLimit":"0x1c9c380","gasUsed":"0x5208","timestamp":"' + TS +
  '","extraData":"0x01000000fa0000000600000000000f4240","baseFeePerGas":"0x3b9aca00","blockHash":"0x' + '11'.repeat(32) +
  '","transactions":["' + DEPOSIT + '","0x02f80001"' + ',"0x02f8'.concat('ab'.repeat(150), '"').repeat(Number(flag('--txs') || 0)) + '],"withdrawals":[],"blobGasUsed":"0x0","excessBlobGas":"0x0"},' +
  '"blockValue":"0x10","blobsBundle":{"commitments":[],"proofs":[],"blobs":[]},"shouldOverrideBuilder":false}';
const caps = '["engine_forkchoiceUpdatedV3","engine_getPayloadV3","engine_newPayloadV3","engine_getPayloadV4","engine_newPayloadV4"]';

function result(method, params) {
  switch (method) {
    case 'engine_forkchoiceUpdatedV3': {
      const attrs = params && params[1];
      return `{"payloadStatus":${status},"payloadId":${attrs ? '"0x0000000000000001"' : 'null'}}`;
    }
    case 'engine_newPayloadV3': case 'engine_newPayloadV4': return status;
    case 'engine_getPayloadV3': case 'engine_getPayloadV4': return envelope;
    case 'engine_exchangeCapabilities': return caps;
    case 'eth_getBlockByNumber':
      return `{"number":"0x1","hash":"0x${'77'.repeat(32)}","timestamp":"0x${Math.floor(Date.now() / 1000).toString(16)}"}`;
    case 'eth_chainId': return '"0x385"';
    default: return '"0x1"';
  }
}

function answer(req) {
  if (Array.isArray(req)) return '[' + req.map(answer).join(',') + ']';
  return `{"jsonrpc":"2.0","id":${JSON.stringify(req.id ?? null)},"result":${result(req.method, req.params)}}`;
}

const server = http.createServer({ keepAliveTimeout: 120000 }, (rq, rs) => {
  const chunks = [];
  rq.on('data', (c) => chunks.push(c));
  rq.on('end', () => {
    if (chain && rq.url.startsWith('/control')) {
      const mode = new URL(rq.url, 'http://x').searchParams.get('mode');
      const ok = chain.setMode(mode);
      rs.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain' });
      rs.end(ok ? `mode ${mode}\n` : 'mode must be ok, invalid, unsafe or garbage\n');
      return;
    }
    if (hang) return; // never answer
    if (chain) {
      const { type, body } = chain.answer(Buffer.concat(chunks).toString('utf8'));
      rs.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      rs.end(body);
      return;
    }
    let out;
    try {
      const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (hangGetPayload && String(req.method).startsWith('engine_getPayload')) return; // never answer
      out = answer(req);
    } catch { out = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}'; }
    if (gzip && /gzip/.test(rq.headers['accept-encoding'] ?? '')) {
      const zipped = zlib.gzipSync(out);
      rs.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': zipped.length });
      rs.end(zipped);
      return;
    }
    rs.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    rs.end(out);
  });
});
server.headersTimeout = 0; server.requestTimeout = 0;
server.listen(port, '127.0.0.1', () => console.log(`fake ${hang ? 'hang ' : ''}listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGUSR1', () => { hang = true; });
process.on('SIGUSR2', () => { hang = false; hangGetPayload = false; });
process.on('SIGHUP', () => { hangGetPayload = true; });
