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
    double[] ms =
        alternating(
            8,
            200,
            () -> JsonRpcCodec.MAPPER.writeValueAsBytes(tree.get("executionPayload")).length,
            () -> JsonRpcCodec.member(envelope, "executionPayload").size(),
            () -> BlockSummary.of(JsonRpcCodec.MAPPER.readTree(envelope.bytes())).transactions(),
            () -> BlockSummary.scan(envelope).transactions());
    double reencode = ms[0];
    double exact = ms[1];
    double treeRead = ms[2];
    double scanRead = ms[3];
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
    String attributes = "{" + common + ",\"suggestedFeeRecipient\":\"0x" + "42".repeat(20) + "\"";
    JsonNode before = JsonRpcCodec.MAPPER.readTree(attributes + "}");
    JsonNode jovian =
        JsonRpcCodec.MAPPER.readTree(
            attributes + ",\"eip1559Params\":\"0x000000fa00000006\",\"minBaseFee\":\"0xf4240\"}");
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
    double[] ms =
        alternating(
            10,
            200_000,
            () -> SafetyChecks.check(payload, head, jovian) == null ? 1 : 0,
            () -> SafetyChecks.check(payload, head, before) == null ? 1 : 0);
    double withParams = ms[0] * 1e3;
    double without = ms[1] * 1e3;
    System.out.printf(
        "safety checks per builder block: Jovian attributes %.2f µs, before Holocene %.2f µs,"
            + " ratio %.2f (sink %d)%n",
        withParams, without, withParams / without, sink % 7);
  }

  /** Something a timed task returns, kept so that the JIT cannot drop the work. */
  static long sink;

  interface Task {
    long run() throws Exception;
  }

  /**
   * Milliseconds per call of each task: {@code rounds} rounds that each run every task {@code
   * reps} times in turn, so that all see the same machine; the first half of the rounds warm the
   * JIT and are not counted.
   */
  static double[] alternating(int rounds, int reps, Task... tasks) throws Exception {
    double[] ms = new double[tasks.length];
    int counted = rounds - rounds / 2;
    for (int round = 0; round < rounds; round++) {
      for (int t = 0; t < tasks.length; t++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          sink += tasks[t].run();
        }
        if (round >= rounds / 2) {
          ms[t] += (System.nanoTime() - t0) / (reps * 1e6) / counted;
        }
      }
    }
    return ms;
  }
}
