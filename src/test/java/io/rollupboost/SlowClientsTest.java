package io.rollupboost;

import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.Fixtures;
import io.rollupboost.testing.RawPost;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idle connections, clients that send headers a byte at a time (slowloris) and clients that trickle
 * a request body must not starve op-node: its block loop keeps getting answers, at about the
 * latency it has without them.
 */
final class SlowClientsTest {
  static final int IDLE = 1000;
  static final int SLOW_HEADERS = 200;
  static final int SLOW_BODIES = 100;

  private final RpcClient rpc = new RpcClient();
  private final List<Socket> sockets = new ArrayList<>();
  private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void resetFakes() {
    TestService.L2.reset();
    TestService.BUILDER.reset();
  }

  @AfterEach
  void closeAll() throws IOException {
    drip.shutdownNow();
    for (Socket s : sockets) {
      s.close();
    }
  }

  @Test
  void slowAndIdleClientsDoNotStarveOpNode() throws Exception {
    blocks(10); // warm-up
    List<Long> before = blocks(30);

    int port = TestService.APP.getLocalPort();
    for (int i = 0; i < IDLE; i++) {
      sockets.add(new Socket("127.0.0.1", port));
    }
    List<OutputStream> headerDrips = new ArrayList<>();
    for (int i = 0; i < SLOW_HEADERS; i++) {
      Socket s = new Socket("127.0.0.1", port);
      sockets.add(s);
      headerDrips.add(s.getOutputStream());
    }
    List<OutputStream> bodyDrips = new ArrayList<>();
    for (int i = 0; i < SLOW_BODIES; i++) {
      Socket s = new Socket("127.0.0.1", port);
      sockets.add(s);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 10000\r\n\r\n{\"jsonrpc\":\"2.0\",")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      bodyDrips.add(out);
    }
    byte[] header =
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
    int[] position = {0};
    drip.scheduleAtFixedRate(
        () -> {
          byte next = position[0] < header.length ? header[position[0]] : (byte) 'a';
          position[0]++;
          for (OutputStream out : headerDrips) {
            write(out, next);
          }
          for (OutputStream out : bodyDrips) {
            write(out, (byte) ' ');
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);

    List<Long> during = blocks(30);
    long p50Before = percentile(before, 0.5);
    long p50During = percentile(during, 0.5);
    long maxDuring = percentile(during, 1.0);
    System.out.printf(
        java.util.Locale.ROOT,
        "slow clients: %d idle, %d slowloris, %d slow bodies held; op-node call p50 %.2f -> %.2f"
            + " ms, p99 %.2f -> %.2f ms, max %.2f ms%n",
        IDLE,
        SLOW_HEADERS,
        SLOW_BODIES,
        p50Before / 1e6,
        p50During / 1e6,
        percentile(before, 0.99) / 1e6,
        percentile(during, 0.99) / 1e6,
        maxDuring / 1e6);
    assertThat(during).hasSize(120);
    assertThat(p50During)
        .as("op-node's median call is not starved")
        .isLessThanOrEqualTo(3 * p50Before + TimeUnit.MILLISECONDS.toNanos(5));
    assertThat(maxDuring)
        .as("no call waits on the slow clients")
        .isLessThan(TimeUnit.SECONDS.toNanos(1));
  }

  private static void write(OutputStream out, byte b) {
    try {
      out.write(b);
      out.flush();
    } catch (IOException e) {
      // the server timed the connection out: fine
    }
  }

  /**
   * Runs op-node's four calls per block over one keep-alive connection with TCP_NODELAY, as
   * op-node's Go client does; returns every call's latency (ns). Fails on errors.
   */
  private List<Long> blocks(int n) throws IOException {
    List<Long> latencies = new ArrayList<>();
    try (RawPost opNode = new RawPost(TestService.APP.getLocalPort())) {
      for (int i = 0; i < n; i++) {
        String id =
            result(
                    opNode,
                    latencies,
                    call(
                        1,
                        "engine_forkchoiceUpdatedV3",
                        "[" + Fixtures.FCS + "," + Fixtures.ATTRS_V3 + "]"))
                .path("payloadId")
                .asText();
        String payload =
            result(opNode, latencies, call(2, "engine_getPayloadV3", "[\"" + id + "\"]"))
                .path("executionPayload")
                .toString();
        result(
            opNode,
            latencies,
            call(
                3, "engine_newPayloadV3", "[" + payload + ",[],\"" + Fixtures.BEACON_ROOT + "\"]"));
        result(
            opNode,
            latencies,
            call(4, "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + ",null]"));
      }
    }
    return latencies;
  }

  private JsonNode result(RawPost opNode, List<Long> latencies, String body) throws IOException {
    long t = System.nanoTime();
    RawPost.Response response = opNode.post(body.getBytes(StandardCharsets.UTF_8), rpc.token());
    latencies.add(System.nanoTime() - t);
    JsonNode json = FakeEngine.JSON.readTree(response.body());
    assertThat(json.has("result")).as("%s", response.text()).isTrue();
    return json.get("result");
  }

  private static long percentile(List<Long> values, double q) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }
}
