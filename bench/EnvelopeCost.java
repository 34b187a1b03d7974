// Costs per getPayload answer, each before and now, timed in alternating rounds in one JVM:
// 1. giving the builder's executionPayload to newPayload: re-encoded from a Jackson tree (before)
//    or as its exact bytes (JsonRpcCodec.member, now);
// 2. reading L2's block for selection and the block log: a Jackson tree of the whole envelope
//    (before) or BlockSummary.scan, one streaming pass that keeps no transaction (now);
// 3. the safety checks of one builder block, with a Jovian op-node's attributes (fee parameters
//    decoded and compared with extraData) and with the same attributes before Holocene.
// usage: mvn -q package -DskipTests -Dskip.e2e=true && java -cp target/rollup-boost.jar bench/EnvelopeCost.java [TXS]
import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.engine.BlockSummary;
import io.rollupboost.engine.SafetyChecks;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;

public class EnvelopeCost {
  public static void main(String[] args) throws Exception {
    int txs = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    StringBuilder json = new StringBuilder("{\"executionPayload\":{\"blockHash\":\"0x");
    json.append("11".repeat(32)).append("\",\"gasUsed\":\"0x5208\",\"transactions\":[");
    for (int i = 0; i < txs; i++) {
      json.append(i == 0 ? "" : ",").append("\"0x02f8").append("ab".repeat(150)).append('"');
    }
    json.append("]},\"blockValue\":\"0x10\",\"blobsBundle\":{\"commitments\":[],\"proofs\":[],\"blobs\":[]}}");
    RawJson envelope = RawJson.of(json.toString());
    JsonNode tree = JsonRpcCodec.MAPPER.readTree(envelope.bytes());
    long sink = 0;
    double reencode = 0;
    double exact = 0;
    double treeRead = 0;
    double scanRead = 0;
    // Alternate the two in rounds so that both see the same machine; the first rounds warm the JIT.
    for (int round = 0; round < 8; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        sink += JsonRpcCodec.MAPPER.writeValueAsBytes(tree.get("executionPayload")).length;
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        sink += JsonRpcCodec.member(envelope, "executionPayload").size();
      }
      long t2 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        sink += BlockSummary.of(JsonRpcCodec.MAPPER.readTree(envelope.bytes())).transactions();
      }
      long t3 = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        sink += BlockSummary.scan(envelope).transactions();
      }
      long t4 = System.nanoTime();
      if (round >= 4) {
        reencode += (t1 - t0) / 200e6 / 4;
        exact += (t2 - t1) / 200e6 / 4;
        treeRead += (t3 - t2) / 200e6 / 4;
        scanRead += (t4 - t3) / 200e6 / 4;
      }
    }
    System.out.printf(
        "envelope %d bytes (%d txs): re-encode %.3f ms, exact bytes %.3f ms, ratio %.2f (sink %d)%n",
        envelope.size(), txs, reencode, exact, exact / reencode, sink % 7);
    System.out.printf(
        "L2 block for selection and log: tree %.3f ms, scan %.3f ms, ratio %.2f%n",
        treeRead, scanRead, scanRead / treeRead);
    safetyChecks();
  }

  static void safetyChecks() throws Exception {
    String head = "0x" + "ab".repeat(32);
    String common =
        "\"timestamp\":\"0x6650f0a1\",\"prevRandao\":\"0x"
            + "55".repeat(32)
            + "\",\"withdrawals\":[],\"gasLimit\":\"0x1c9c380\",\"transactions\":[\"0x7ef8f8a0de3d\"]";
    JsonNode before =
        JsonRpcCodec.MAPPER.readTree(
            "{" + common + ",\"suggestedFeeRecipient\":\"0x" + "42".repeat(20) + "\"}");
    JsonNode jovian =
        JsonRpcCodec.MAPPER.readTree(
            "{"
                + common
                + ",\"suggestedFeeRecipient\":\"0x"
                + "42".repeat(20)
                + "\",\"eip1559Params\":\"0x000000fa00000006\",\"minBaseFee\":\"0xf4240\"}");
    JsonNode payload =
        JsonRpcCodec.MAPPER.readTree(
            "{\"parentHash\":\""
                + head
                + "\",\"feeRecipient\":\"0x"
                + "42".repeat(20)
                + "\","
                + common
                + ",\"extraData\":\"0x01000000fa0000000600000000000f4240\"}");
    if (SafetyChecks.check(payload, head, jovian) != null
        || SafetyChecks.check(payload, head, before) != null) {
      throw new IllegalStateException("the sample block must pass both checks");
    }
    double withParams = 0;
    double without = 0;
    long sink = 0;
    for (int round = 0; round < 10; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 200_000; i++) {
        sink += SafetyChecks.check(payload, head, jovian) == null ? 1 : 0;
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < 200_000; i++) {
        sink += SafetyChecks.check(payload, head, before) == null ? 1 : 0;
      }
      long t2 = System.nanoTime();
      if (round >= 5) {
        withParams += (t1 - t0) / 200_000e3 / 5;
        without += (t2 - t1) / 200_000e3 / 5;
      }
    }
    System.out.printf(
        "safety checks per builder block: Jovian attributes %.2f µs, before Holocene %.2f µs,"
            + " ratio %.2f (sink %d)%n",
        withParams, without, withParams / without, sink % 7);
  }
}
