package io.rollupboost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.FaultyUpstream;
import io.rollupboost.testing.FaultyUpstream.Fault;
import io.rollupboost.testing.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every upstream fault the issue lists, on each side (builder, L2), against the packaged service in
 * its own process with the documented JVM flags. For each: op-node's calls get L2's block or a
 * clear JSON-RPC error within their deadline, /healthz says the right thing, the error is counted,
 * and after the upstream recovers the service's threads, sockets and heap are back to baseline.
 */
final class FaultSuiteIT {
  static final String L2_HASH = "0x" + "11".repeat(32);
  static final String BUILDER_HASH = "0x" + "22".repeat(32);
  static final long L2_TIMEOUT_MS = 1000;
  static final long PAYLOAD_DEADLINE_MS = 400;

  /** Scheduling slack on a busy two-core machine. */
  static final long SLACK_MS = 400;

  static FaultyUpstream l2;
  static FaultyUpstream builder;
  static ServiceProcess service;
  static Baseline baseline;
  static final List<String> REPORT = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    l2 = new FaultyUpstream(L2_HASH);
    builder = new FaultyUpstream(BUILDER_HASH);
    service =
        ServiceProcess.start(
            Path.of("target/fault-suite-service.log"),
            l2.url(),
            builder.url(),
            "-Ddw.probe.interval=200ms",
            "-Ddw.probe.timeout=300ms",
            "-Ddw.l2.timeout=" + L2_TIMEOUT_MS + "ms",
            "-Ddw.builder.timeout=500ms",
            "-Ddw.builder.payloadDeadline=" + PAYLOAD_DEADLINE_MS + "ms");
    await().atMost(Duration.ofSeconds(20)).until(() -> service.healthz() == 200);
    // Warm every path once (pools, classes, JIT) before the baseline is taken.
    for (int i = 0; i < 20; i++) {
      block(service);
    }
    Baseline.of(service); // the admin pool's first requests start its threads
    baseline = Baseline.of(service);
  }

  @AfterAll
  static void stop() throws Exception {
    REPORT.forEach(System.out::println);
    if (service != null) {
      service.close();
    }
    l2.close();
    builder.close();
  }

  static Stream<Arguments> faults() {
    List<Arguments> all = new ArrayList<>();
    for (Fault f : Fault.values()) {
      if (f != Fault.NONE) {
        all.add(Arguments.of("builder", f));
        all.add(Arguments.of("l2", f));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("faults")
  void upstreamFault(String side, Fault fault) throws Exception {
    FaultyUpstream target = side.equals("l2") ? l2 : builder;
    double errorsBefore = service.metricSum("rollup_boost_upstream_errors_total", side);
    target.arm(fault);
    try {
      // The probe sees the fault too; give it a round so every block below runs in the fault.
      BlockRun run = block(service);
      if (side.equals("builder")) {
        builderFaultOutcome(fault, run);
      } else {
        l2FaultOutcome(fault, run);
      }
      BlockRun second = block(service);
      REPORT.add(
          String.format(
              Locale.ROOT,
              "%-7s %-18s first block %s, second block %s, /healthz %d",
              side,
              fault,
              run.summary(),
              second.summary(),
              service.healthz()));
      if (!absorbed(fault)) {
        int expected = side.equals("l2") ? 503 : 206;
        await()
            .atMost(Duration.ofSeconds(3))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> service.healthz() == expected);
        // A call cut off at its deadline is counted when it returns, a few ms later.
        await()
            .atMost(Duration.ofSeconds(3))
            .pollInterval(Duration.ofMillis(20))
            .untilAsserted(
                () ->
                    assertThat(service.metricSum("rollup_boost_upstream_errors_total", side))
                        .as("the failure is counted against %s", side)
                        .isGreaterThan(errorsBefore));
      } else {
        assertThat(service.healthz()).isEqualTo(200);
      }
    } finally {
      target.arm(Fault.NONE);
      // Failures to deliver count for the quality breaker too, and a few faults in a row degrade
      // the builder until it wins dry runs: start each scenario trusted.
      service.task("builder-breaker?action=reset");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> service.healthz() == 200);
    BlockRun after = block(service);
    assertThat(after.errors()).as("blocks after recovery").isEmpty();
    baseline.assertReturnedTo(service, side + " " + fault);
  }

  /**
   * Faults the service absorbs: a compressed or chunked answer is decoded, and a kept-alive
   * connection closed without an answer gets the call sent again on a new one.
   */
  private static boolean absorbed(Fault fault) {
    return fault == Fault.GZIP || fault == Fault.CHUNKED || fault == Fault.CLOSE_KEPT_ALIVE;
  }

  private static void builderFaultOutcome(Fault fault, BlockRun run) {
    assertThat(run.errors()).as("op-node never sees a builder fault").isEmpty();
    assertThat(run.maxMillis())
        .as("no call waits longer than the builder's payload deadline")
        .isLessThanOrEqualTo(PAYLOAD_DEADLINE_MS + SLACK_MS);
    String expected = absorbed(fault) ? BUILDER_HASH : L2_HASH;
    assertThat(run.blockHash()).isEqualTo(expected);
  }

  private static void l2FaultOutcome(Fault fault, BlockRun run) {
    assertThat(run.maxMillis())
        .as("every call is answered within the L2 client's timeout")
        .isLessThanOrEqualTo(L2_TIMEOUT_MS + SLACK_MS);
    if (absorbed(fault)) {
      assertThat(run.errors()).isEmpty();
      return;
    }
    assertThat(run.errors()).as("each call gets a JSON-RPC error").hasSize(4);
    for (JsonNode error : run.errors()) {
      assertThat(error.path("code").asInt()).isEqualTo(-32603);
      assertThat(error.path("message").asText()).as("a clear message").contains("l2");
    }
  }

  @Test
  void refusedAndUnresolvableUpstreams() throws Exception {
    int refusedPort = ServiceProcess.freePort();
    for (String[] bad :
        new String[][] {
          {"builder refused", "http://127.0.0.1:" + refusedPort, null},
          {"builder unresolvable", "http://no-such-builder.invalid:8551", null},
          {"l2 refused", null, "http://127.0.0.1:" + refusedPort},
          {"l2 unresolvable", null, "http://no-such-l2.invalid:8551"},
        }) {
      boolean l2Bad = bad[2] != null;
      try (ServiceProcess other =
          ServiceProcess.start(
              Path.of("target/fault-suite-" + bad[0].replace(' ', '-') + ".log"),
              l2Bad ? bad[2] : l2.url(),
              l2Bad ? builder.url() : bad[1],
              "-Ddw.probe.interval=200ms",
              "-Ddw.l2.timeout=" + L2_TIMEOUT_MS + "ms",
              "-Ddw.builder.payloadDeadline=" + PAYLOAD_DEADLINE_MS + "ms")) {
        int expected = l2Bad ? 503 : 206;
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> other.healthz() == expected);
        BlockRun run = block(other);
        REPORT.add(
            String.format(
                Locale.ROOT, "%-22s block %s, /healthz %d", bad[0], run.summary(), expected));
        if (l2Bad) {
          assertThat(run.errors()).hasSize(4);
          assertThat(run.errors().get(0).path("message").asText())
              .containsAnyOf("refused", "unknown host");
        } else {
          assertThat(run.errors()).isEmpty();
          assertThat(run.blockHash()).isEqualTo(L2_HASH);
        }
        assertThat(run.maxMillis()).isLessThanOrEqualTo(L2_TIMEOUT_MS + SLACK_MS);
        assertThat(other.metricSum("rollup_boost_upstream_errors_total", l2Bad ? "l2" : "builder"))
            .isPositive();
      }
    }
  }

  // ---- op-node's block ------------------------------------------------------------------------

  /** One block as op-node drives it; every answer and its latency. */
  record BlockRun(List<JsonNode> errors, String blockHash, long maxMillis) {
    String summary() {
      return (errors.isEmpty() ? "ok" : errors.size() + " errors")
          + (blockHash == null ? "" : " from " + (blockHash.equals(L2_HASH) ? "l2" : "builder"))
          + ", slowest call "
          + maxMillis
          + " ms";
    }
  }

  static BlockRun block(ServiceProcess s) throws Exception {
    List<JsonNode> errors = new ArrayList<>();
    List<Long> millis = new ArrayList<>();
    String fcs = Fixtures.FCS;
    JsonNode fcu =
        timed(
            s,
            "engine_forkchoiceUpdatedV3",
            "[" + fcs + "," + Fixtures.ATTRS_V3 + "]",
            errors,
            millis);
    String payloadId = fcu == null ? "0x0000000000000001" : fcu.path("payloadId").asText();
    JsonNode envelope = timed(s, "engine_getPayloadV3", "[\"" + payloadId + "\"]", errors, millis);
    String hash =
        envelope == null ? null : envelope.path("executionPayload").path("blockHash").asText();
    String payload =
        envelope == null
            ? FakeEngine.JSON
                .readTree(FakeEngine.envelope(L2_HASH, 1, 21000, 1))
                .path("executionPayload")
                .toString()
            : envelope.path("executionPayload").toString();
    timed(
        s,
        "engine_newPayloadV3",
        "[" + payload + ",[],\"0x" + "66".repeat(32) + "\"]",
        errors,
        millis);
    timed(s, "engine_forkchoiceUpdatedV3", "[" + fcs + ",null]", errors, millis);
    return new BlockRun(errors, hash, millis.stream().mapToLong(Long::longValue).max().orElse(0));
  }

  private static JsonNode timed(
      ServiceProcess s, String method, String params, List<JsonNode> errors, List<Long> millis)
      throws Exception {
    long start = System.nanoTime();
    JsonNode reply = s.call(method, params);
    millis.add((System.nanoTime() - start) / 1_000_000);
    if (reply.has("error")) {
      errors.add(reply.get("error"));
      return null;
    }
    return reply.get("result");
  }

  /** Threads, sockets and heap (after GC) of the service process. */
  record Baseline(long threads, long sockets, long heapBytes, List<String> names) {
    static Baseline of(ServiceProcess s) throws Exception {
      // Heap first: the admin calls it makes may start pool threads, counted below.
      long heap = s.heapAfterGc();
      return new Baseline(s.threads(), s.sockets(), heap, s.threadNames());
    }

    void assertReturnedTo(ServiceProcess s, String after) {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                Baseline now = Baseline.of(s);
                assertThat(now.threads())
                    .as(
                        "threads after %s (baseline %d: %s, now %s)",
                        after, threads, names, now.names())
                    .isLessThanOrEqualTo(threads + 2);
                assertThat(now.sockets())
                    .as("open sockets after %s (baseline %d)", after, sockets)
                    .isLessThanOrEqualTo(sockets + 4);
                assertThat(now.heapBytes())
                    .as("heap after GC after %s (baseline %d MiB)", after, heapBytes >> 20)
                    .isLessThanOrEqualTo(heapBytes + (16L << 20));
              });
    }
  }
}
