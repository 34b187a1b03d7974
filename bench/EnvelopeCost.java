// Costs per getPayload answer, each before and now, timed in alternating rounds in one JVM:
// 1. giving the builder's executionPayload to newPayload: re-encoded from a Jackson tree (before)
//    or as its exact bytes (JsonRpcCodec.member, now);
// 2. reading L2's block for selection and the block log: a Jackson tree of the whole envelope
//    (before) or BlockSummary.scan, one streaming pass that keeps no transaction (now).
// usage: mvn -q package -DskipTests -Dskip.e2e=true && java -cp target/rollup-boost.jar bench/EnvelopeCost.java [TXS]
import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.engine.BlockSummary;
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
  }
}
