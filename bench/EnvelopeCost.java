// The cost, per getPayload answer, of giving the builder's executionPayload to newPayload: by
// re-encoding it from a Jackson tree (before) or as its exact bytes (JsonRpcCodec.member, now).
// usage: mvn -q package -DskipTests -Dskip.e2e=true && java -cp target/rollup-boost.jar bench/EnvelopeCost.java [TXS]
import com.fasterxml.jackson.databind.JsonNode;
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
      if (round >= 4) {
        reencode += (t1 - t0) / 200e6 / 4;
        exact += (t2 - t1) / 200e6 / 4;
      }
    }
    System.out.printf(
        "envelope %d bytes (%d txs): re-encode %.3f ms, exact bytes %.3f ms, ratio %.2f (sink %d)%n",
        envelope.size(), txs, reencode, exact, exact / reencode, sink % 7);
  }
}
