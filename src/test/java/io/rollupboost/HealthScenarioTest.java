package io.rollupboost;

import static io.rollupboost.testing.FakeEngine.Reply;
import static io.rollupboost.testing.Fixtures.BUILDER_HASH;
import static io.rollupboost.testing.Fixtures.FCS;
import static io.rollupboost.testing.Fixtures.L2_HASH;
import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.Fixtures;
import io.rollupboost.testing.RawHttp;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed's failure-scenario table, row by row, against the running service with a 200 ms probe:
 * how fast {@code /healthz} notices, which block op-node gets meanwhile, and recovery. "leader"
 * variants drive block production through the fault; "follower" variants only get probed.
 */
final class HealthScenarioTest {
  static final FakeEngine L2 = TestService.L2;
  static final FakeEngine BUILDER = TestService.BUILDER;
  static final long INTERVAL_MS = 200;

  /** Two probe intervals plus scheduling slack on a busy two-core machine. */
  static final long DETECT_MS = 2 * INTERVAL_MS + 150;

  final RpcClient rpc = new RpcClient();

  @BeforeEach
  void healthyCluster() {
    L2.reset();
    BUILDER.reset();
    rpc.post(TestService.admin() + "/tasks/execution-mode?mode=enabled", "", null);
    rpc.post(TestService.admin() + "/tasks/builder-breaker?action=reset", "", null);
    L2.on("engine_getPayloadV3", Reply.result(FakeEngine.envelope(L2_HASH, 7, 21000, 1)));
    BUILDER.on("engine_getPayloadV3", Reply.result(FakeEngine.envelope(BUILDER_HASH, 7, 90000, 5)));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> healthz() == 200);
  }

  @AfterEach
  void restart() {
    L2.reset();
    BUILDER.reset();
    TestService.restartStopped();
  }

  int healthz() {
    return rpc.get(TestService.app() + "healthz").status();
  }

  /** Milliseconds until {@code /healthz} answers {@code code}, polled every 5 ms. */
  long millisUntil(int code) {
    long start = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> healthz() == code);
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("detected /healthz " + code + " after " + millis + " ms");
    return millis;
  }

  /** One block as op-node's sequencer makes it: the block hash, or null when it got an error. */
  record Block(String hash, long getPayloadMillis, JsonNode error) {}

  Block produceBlock() {
    JsonNode fcu =
        rpc.post(
                TestService.app(),
                call(1, "engine_forkchoiceUpdatedV3", "[" + FCS + "," + Fixtures.ATTRS_V3 + "]"))
            .json();
    if (fcu.has("error")) {
      return new Block(null, 0, fcu.get("error"));
    }
    String id = fcu.path("result").path("payloadId").asText();
    long start = System.nanoTime();
    JsonNode reply =
        rpc.post(TestService.app(), call(2, "engine_getPayloadV3", "[\"" + id + "\"]")).json();
    long millis = (System.nanoTime() - start) / 1_000_000;
    return new Block(
        reply.path("result").path("executionPayload").path("blockHash").asText(null),
        millis,
        reply.get("error"));
  }

  double builderDegradations() {
    return rpc.metric(
        TestService.admin(),
        "rollup_boost_health_transitions_total{component=\"builder\",from=\"healthy\",to=\"unhealthy\"}");
  }

  String details() {
    return rpc.get(TestService.app() + "healthz/details").body();
  }

  // ---- execution client failures ------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"leader", "follower"})
  void executionClientFailsThen503AndRecovers(String role) {
    L2.stop();
    if (role.equals("leader")) {
      Block block = produceBlock();
      assertThat(block.error()).as("no L2 block can exist").isNotNull();
      assertThat(block.error().path("message").asText()).contains("l2");
    }
    assertThat(millisUntil(503)).isLessThanOrEqualTo(DETECT_MS);
    assertThat(details()).contains("\"rollup_boost_health\":\"ServiceUnavailable\"");
    assertThat(
            rpc.get(TestService.app() + "healthz/details")
                .json()
                .path("components")
                .path("l2")
                .path("last_error")
                .asText())
        .contains("l2 ")
        .contains(" failed: ");

    L2.start();
    assertThat(millisUntil(200)).isLessThanOrEqualTo(DETECT_MS);
    if (role.equals("leader")) {
      assertThat(produceBlock().hash()).isEqualTo(BUILDER_HASH);
    }
  }

  @Test
  void l2ClientOutOfSyncIs503() {
    L2.head(50, 30);

    assertThat(millisUntil(503)).isLessThanOrEqualTo(DETECT_MS);
    assertThat(details()).contains("s old (max 10 s)");
  }

  // ---- builder failures ---------------------------------------------------------------------

  @Test
  void leaderBuilderStopsThenL2BlocksWithoutWaitingAndRecovery() {
    BUILDER.stop();
    assertThat(millisUntil(206)).isLessThanOrEqualTo(DETECT_MS);

    for (int i = 0; i < 5; i++) {
      Block block = produceBlock();
      assertThat(block.hash()).isEqualTo(L2_HASH);
      assertThat(block.getPayloadMillis()).as("no builder wait once bypassed").isLessThan(100);
    }
    BUILDER.start();
    assertThat(millisUntil(200)).isLessThanOrEqualTo(DETECT_MS);
    assertThat(produceBlock().hash()).isEqualTo(BUILDER_HASH);
  }

  @Test
  void leaderBuilderHangingCostsOneDeadlineThenNothing() {
    BUILDER.on("engine_forkchoiceUpdatedV3", Reply.hang());
    BUILDER.on("engine_getPayloadV3", Reply.hang());
    Block first = produceBlock();
    assertThat(first.hash()).isEqualTo(L2_HASH);
    assertThat(first.getPayloadMillis()).as("payloadDeadline 400ms").isBetween(350L, 900L);

    BUILDER.on("eth_getBlockByNumber", Reply.hang());
    assertThat(millisUntil(206)).isLessThanOrEqualTo(DETECT_MS + INTERVAL_MS);
    long engineCallsBefore = BUILDER.engineCalls();
    long[] latencies = new long[10];
    for (int i = 0; i < latencies.length; i++) {
      Block block = produceBlock();
      assertThat(block.hash()).isEqualTo(L2_HASH);
      latencies[i] = block.getPayloadMillis();
    }
    Arrays.sort(latencies);
    assertThat(latencies[latencies.length - 1])
        .as("getPayload = L2 latency while bypassed")
        .isLessThan(100);
    assertThat(BUILDER.engineCalls())
        .as("no FCU-with-attributes or getPayload reached it")
        .isEqualTo(engineCallsBefore);
    assertThat(details()).contains("\"builder_bypassed\":true");
  }

  @ParameterizedTest
  @ValueSource(strings = {"leader", "follower"})
  void builderFallsOutOfSyncThen206AndRecovers(String role) {
    L2.head(100, 0);
    BUILDER.head(90, 0);
    assertThat(millisUntil(206)).isLessThanOrEqualTo(DETECT_MS);
    assertThat(details()).contains("10 blocks behind l2");
    if (role.equals("leader")) {
      long before = BUILDER.count("engine_getPayloadV3");
      assertThat(produceBlock().hash()).isEqualTo(L2_HASH);
      assertThat(BUILDER.count("engine_getPayloadV3")).isEqualTo(before);
    }

    BUILDER.head(99, 0);
    assertThat(millisUntil(200))
        .as("1 block behind is within maxBuilderLag 2")
        .isLessThanOrEqualTo(DETECT_MS);
    if (role.equals("leader")) {
      assertThat(produceBlock().hash()).isEqualTo(BUILDER_HASH);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"leader", "follower"})
  void builderStopsProducingBlocksIsStaleThen206(String role) {
    BUILDER.head(1, 25);
    assertThat(millisUntil(206)).isLessThanOrEqualTo(DETECT_MS);
    assertThat(details()).contains("s old (max 10 s)");
    if (role.equals("leader")) {
      assertThat(produceBlock().hash()).isEqualTo(L2_HASH);
    }
    BUILDER.head(1, 0);
    assertThat(millisUntil(200)).isLessThanOrEqualTo(DETECT_MS);
  }

  @Test
  void builderFailingOnGetPayloadIs206UntilTheNextGoodEvidence() {
    BUILDER.on("engine_getPayloadV3", Reply.error(-38001, "Unknown payload"));

    double before = builderDegradations();
    assertThat(produceBlock().hash()).isEqualTo(L2_HASH);
    // Read the transition, not /healthz: a 200 ms probe round may already have restored it.
    assertThat(builderDegradations())
        .as("the failed getPayload itself degrades the builder")
        .isEqualTo(before + 1);
    assertThat(millisUntil(200))
        .as("a good probe round restores it")
        .isLessThanOrEqualTo(DETECT_MS);
  }

  @Test
  void disabledModeIgnoresADeadBuilder() {
    BUILDER.stop();
    assertThat(millisUntil(206)).isLessThanOrEqualTo(DETECT_MS);

    rpc.post(TestService.admin() + "/tasks/execution-mode?mode=disabled", "", null);

    assertThat(healthz()).isEqualTo(200);
    assertThat(produceBlock().hash()).isEqualTo(L2_HASH);
    rpc.post(TestService.admin() + "/tasks/execution-mode?mode=enabled", "", null);
    assertThat(healthz()).isEqualTo(206);
  }

  @Test
  void healthzAnswersFromCacheWhileBothUpstreamsHang() throws Exception {
    L2.on("eth_getBlockByNumber", Reply.hang());
    BUILDER.on("eth_getBlockByNumber", Reply.hang());
    try (RawHttp http = new RawHttp(TestService.APP.getLocalPort(), "/healthz")) {
      for (int i = 0; i < 2000; i++) {
        http.get();
      }
      // The best of three rounds of 1000: the machine is shared with the JIT, GC and other
      // builds, and one descheduled round says nothing about the endpoint.
      long best = Long.MAX_VALUE;
      for (int round = 0; round < 3 && best >= 5_000; round++) {
        long[] micros = new long[1000];
        for (int i = 0; i < micros.length; i++) {
          long start = System.nanoTime();
          int code = http.get();
          micros[i] = (System.nanoTime() - start) / 1000;
          assertThat(code).isIn(200, 206, 503);
        }
        Arrays.sort(micros);
        long p99 = micros[(int) (micros.length * 0.99) - 1];
        System.out.println(
            "healthz while upstreams hang: p50 "
                + micros[micros.length / 2]
                + " µs, p99 "
                + p99
                + " µs");
        best = Math.min(best, p99);
      }
      assertThat(best).as("p99 of /healthz in µs").isLessThan(5_000);
    }
  }

  @Test
  void detailsCarryTheConductorFieldAndPerComponentState() {
    JsonNode d = rpc.get(TestService.app() + "healthz/details").json();

    assertThat(d.path("rollup_boost_health").asText()).isEqualTo("Healthy");
    assertThat(d.path("execution_mode").asText()).isEqualTo("enabled");
    assertThat(d.path("components").path("l2").path("state").asText()).isEqualTo("healthy");
    assertThat(d.path("components").path("builder").path("head_number").asLong()).isEqualTo(1);
    assertThat(d.path("components").path("builder").path("head_age_seconds").asDouble())
        .isLessThan(5);
    assertThat(rpc.get(TestService.app() + "readyz").status()).isEqualTo(200);
    assertThat(rpc.get(TestService.app() + "livez").status()).isEqualTo(200);
    assertThat(rpc.get(TestService.admin() + "/healthcheck").body())
        .contains("\"l2\"")
        .contains("\"builder\"");
  }
}
