// Chain mode of bench/fake.mjs (`--chain l2|builder`), used by bench/soak: a fake execution
// client that keeps a chain instead of canned answers, so a checker can tell which engine built
// the block op-node got back for which payload id.
//
// - forkchoiceUpdated: a known head becomes the head (unknown: SYNCING); with attributes it
//   builds a block at once under a fresh random payload id and appends one line per build to
//   --log (payload id, block hash, prevRandao, role, and whether the block was deliberately bad).
// - getPayload: that block (unknown id: error -38001). Block hash = sha256 over the payload's
//   other fields and the role, so the same attributes give a different block per engine.
// - newPayload: VALID when the block hash matches the payload (INVALID otherwise); the block
//   becomes known (parent not required: a restarted builder must be able to catch up).
// - eth_getBlockByNumber("latest") = head (number, hash, timestamp) for the health probe.
// - --state FILE: head and recent blocks survive a kill -9 (written atomically), like a real
//   client's database.
// - POST /control?mode=ok|invalid|unsafe|garbage switches block quality (answered even while
//   hanging): invalid = wrong block hash (L2 says INVALID), unsafe = every other block on a wrong
//   parent (fails the service's safety checks before validation) and the others with EIP-1559
//   parameters in extraData other than the chain's defaults the attributes ask for (valid on L2,
//   caught by comparing with L2's block), garbage = every answer is an HTML page instead of JSON.
import crypto from 'node:crypto';
import fs from 'node:fs';

export const GENESIS = '0x' + 'ab'.repeat(32);
const RECENT = 64;

export function createChain(role, { statePath, logPath } = {}) {
  let mode = 'ok';
  const known = new Map(); // hash -> { number, timestamp }
  const builds = new Map(); // payloadId -> envelope JSON text
  let head = { hash: GENESIS, number: 0, timestamp: Math.floor(Date.now() / 1000) };
  let txCounter = 0;
  let unsafeBuilds = 0;

  if (statePath && fs.existsSync(statePath)) {
    try {
      const s = JSON.parse(fs.readFileSync(statePath, 'utf8'));
      head = s.head;
      for (const [h, b] of s.known) known.set(h, b);
    } catch (e) {
      console.error(`unreadable state ${statePath}: ${e.message}; starting from genesis`);
    }
  }
  known.set(head.hash, { number: head.number, timestamp: head.timestamp });
  if (head.hash !== GENESIS && !known.has(GENESIS)) known.set(GENESIS, { number: 0, timestamp: head.timestamp });

  function remember(hash, block) {
    known.delete(hash);
    known.set(hash, block);
    while (known.size > RECENT) known.delete(known.keys().next().value);
  }
  function save() {
    if (!statePath) return;
    const tmp = statePath + '.tmp';
    fs.writeFileSync(tmp, JSON.stringify({ head, known: [...known].slice(-16) }));
    fs.renameSync(tmp, statePath);
  }
  const hex = (n) => '0x' + n.toString(16);
  const num = (q) => (typeof q === 'number' ? q : parseInt(q, 16));
  const status = (s, lvh, err = null) => ({ status: s, latestValidHash: lvh, validationError: err });

  function blockHash(p) {
    const { blockHash: _ignored, ...rest } = p;
    return '0x' + crypto.createHash('sha256').update(JSON.stringify(rest)).digest('hex');
  }

  /** Before Holocene the client's own bytes; after, its fee parameters (zero: this chain's defaults). */
  function extraData(attrs) {
    if (!attrs.eip1559Params) return '0x' + Buffer.from(role).toString('hex');
    const params = /^0x0{16}$/.test(attrs.eip1559Params) ? '000000fa00000006' : attrs.eip1559Params.slice(2);
    if (attrs.minBaseFee == null) return '0x00' + params;
    return '0x01' + params + BigInt(attrs.minBaseFee).toString(16).padStart(16, '0');
  }

  function build(fcs, attrs) {
    const parent = known.get(fcs.headBlockHash);
    const own = role === 'builder' ? 3 : 1; // the builder packs more transactions
    const txs = [...(attrs.transactions || [])];
    // each own transaction starts with the role's first letter (chainloop reads who built a block)
    for (let i = 0; i < own; i++) txs.push('0x02f8' + role.charCodeAt(0).toString(16) + (++txCounter).toString(16).padStart(8, '0'));
    let parentHash = fcs.headBlockHash;
    let bad = null;
    const otherFees = mode === 'unsafe' && attrs.eip1559Params && unsafeBuilds++ % 2 === 1;
    if (mode === 'unsafe' && !otherFees) { parentHash = '0x' + crypto.randomBytes(32).toString('hex'); bad = 'unsafe'; }
    if (otherFees) bad = 'unsafe (fee parameters)';
    const p = {
      parentHash,
      feeRecipient: attrs.suggestedFeeRecipient,
      stateRoot: '0x' + crypto.createHash('sha256').update(role + txCounter).digest('hex'),
      receiptsRoot: '0x' + '44'.repeat(32),
      logsBloom: '0x' + '00'.repeat(256),
      prevRandao: attrs.prevRandao,
      blockNumber: hex(parent.number + 1),
      gasLimit: attrs.gasLimit ?? '0x1c9c380',
      gasUsed: hex(21000 * txs.length),
      timestamp: attrs.timestamp,
      extraData: otherFees ? extraData({ ...attrs, eip1559Params: '0x000000320000000a' }) : extraData(attrs),
      baseFeePerGas: '0x3b9aca00',
      blockHash: null,
      transactions: txs,
      withdrawals: attrs.withdrawals ?? [],
      blobGasUsed: '0x0',
      excessBlobGas: '0x0',
    };
    p.blockHash = blockHash(p);
    if (mode === 'invalid') { p.blockHash = '0x' + crypto.randomBytes(32).toString('hex'); bad = 'invalid'; }
    const payloadId = '0x' + crypto.randomBytes(8).toString('hex');
    const envelope = { executionPayload: p, blockValue: hex(role === 'builder' ? 2000 : 1000), blobsBundle: { commitments: [], proofs: [], blobs: [] }, shouldOverrideBuilder: false };
    builds.set(payloadId, JSON.stringify(envelope));
    while (builds.size > 256) builds.delete(builds.keys().next().value);
    if (logPath) {
      fs.appendFileSync(logPath, JSON.stringify({ t: Date.now(), role, payloadId, hash: p.blockHash, prevRandao: p.prevRandao, parent: parentHash, number: parent.number + 1, bad }) + '\n');
    }
    return payloadId;
  }

  function result(method, params) {
    switch (method) {
      case 'engine_forkchoiceUpdatedV3': {
        const [fcs, attrs] = params;
        const target = known.get(fcs.headBlockHash);
        if (!target) return { payloadStatus: status('SYNCING', null), payloadId: null };
        if (head.hash !== fcs.headBlockHash) { head = { hash: fcs.headBlockHash, number: target.number, timestamp: target.timestamp }; save(); }
        const payloadId = attrs ? build(fcs, attrs) : null;
        return { payloadStatus: status('VALID', fcs.headBlockHash), payloadId };
      }
      case 'engine_getPayloadV3': case 'engine_getPayloadV4': {
        const env = builds.get(params[0]);
        if (!env) throw { code: -38001, message: 'Unknown payload' };
        return { raw: env };
      }
      case 'engine_newPayloadV3': case 'engine_newPayloadV4': {
        const p = params[0];
        if (!p || blockHash(p) !== p.blockHash) return status('INVALID', null, 'block hash mismatch');
        remember(p.blockHash, { number: num(p.blockNumber), timestamp: num(p.timestamp) });
        save();
        return status('VALID', p.blockHash);
      }
      case 'engine_exchangeCapabilities':
        return ['engine_forkchoiceUpdatedV3', 'engine_getPayloadV3', 'engine_newPayloadV3', 'engine_getPayloadV4', 'engine_newPayloadV4'];
      case 'eth_getBlockByNumber': {
        const tag = params?.[0];
        if (typeof tag === 'string' && tag.startsWith('0x') && parseInt(tag, 16) !== head.number) {
          for (const [h, b] of known) if (b.number === parseInt(tag, 16)) return { number: hex(b.number), hash: h, timestamp: hex(b.timestamp) };
          return null;
        }
        return { number: hex(head.number), hash: head.hash, timestamp: hex(head.timestamp), transactions: [] };
      }
      case 'eth_blockNumber': return hex(head.number);
      case 'eth_chainId': return '0x385';
      case 'eth_sendRawTransaction': case 'eth_sendRawTransactionConditional':
        return '0x' + crypto.createHash('sha256').update(String(params?.[0])).digest('hex');
      case 'eth_getBalance': return '0xde0b6b3a7640000';
      case 'eth_getTransactionCount': return '0x7';
      case 'eth_gasPrice': return '0x3b9aca00';
      case 'eth_call': return '0x';
      default: return '0x1';
    }
  }

  function one(req) {
    const id = JSON.stringify(req?.id ?? null);
    try {
      const r = result(req.method, req.params);
      const text = r && typeof r === 'object' && 'raw' in r ? r.raw : JSON.stringify(r);
      return `{"jsonrpc":"2.0","id":${id},"result":${text}}`;
    } catch (e) {
      const err = e && typeof e.code === 'number' ? e : { code: -32603, message: String(e?.message ?? e) };
      return `{"jsonrpc":"2.0","id":${id},"error":${JSON.stringify(err)}}`;
    }
  }

  return {
    /** The HTTP answer (content type, body) for one request body. */
    answer(bodyText) {
      if (mode === 'garbage') return { type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
      let req;
      try { req = JSON.parse(bodyText); } catch {
        return { type: 'application/json', body: '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}' };
      }
      return { type: 'application/json', body: Array.isArray(req) ? '[' + req.map(one).join(',') + ']' : one(req) };
    },
    setMode(m) {
      if (!['ok', 'invalid', 'unsafe', 'garbage'].includes(m)) return false;
      mode = m;
      return true;
    },
  };
}
