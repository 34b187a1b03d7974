package io.rollupboost;

import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.Fixtures;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * eth_ pass-through holds no server thread while the L2 client works: with far fewer server threads
 * than slow eth_ calls in flight, every call still reaches the L2 client at once, and op-node's
 * engine calls are answered meanwhile.
 */
final class PassThroughConcurrencyTest {
  /** Jetty's pool for both connectors; 48 held calls would need 48 threads on a thread per call. */
  static final int SERVER_THREADS = 24;

  static final int HELD_CALLS = 48;

  static final FakeEngine L2 = new FakeEngine("l2").start();
  static final FakeEngine BUILDER = new FakeEngine("builder").start();
  static DropwizardTestSupport<RollupBoostConfiguration> app;
  final RpcClient rpc = new RpcClient();

  @BeforeAll
  static void start() throws Exception {
    app =
        TestService.start(
            "test-config.yml",
            L2,
            BUILDER,
            ConfigOverride.config("server.maxThreads", String.valueOf(SERVER_THREADS)),
            ConfigOverride.config("server.minThreads", String.valueOf(SERVER_THREADS)),
            // Fixed, so that the thread budget does not depend on the machine's core count.
            ConfigOverride.config("server.applicationConnectors[0].acceptorThreads", "1"),
            ConfigOverride.config("server.applicationConnectors[0].selectorThreads", "1"),
            ConfigOverride.config("server.adminConnectors[0].acceptorThreads", "1"),
            ConfigOverride.config("server.adminConnectors[0].selectorThreads", "1"),
            // Long enough that only the number of threads could keep a call from arriving.
            ConfigOverride.config("l2.timeout", "30s"),
            ConfigOverride.config("builder.timeout", "30s"),
            ConfigOverride.config("builder.payloadDeadline", "20s"),
            ConfigOverride.config("rpc.maxRequestSize", "4MiB"));
  }

  @AfterAll
  static void stop() {
    app.after();
    L2.close();
    BUILDER.close();
  }

  @Test
  void slowEthCallsHoldNoThreadAndDoNotStarveOpNode() throws Exception {
    CountDownLatch arrived = new CountDownLatch(HELD_CALLS);
    CountDownLatch release = new CountDownLatch(1);
    L2.on(
        "eth_getBalance",
        FakeEngine.Reply.heldUntil(arrived, release, FakeEngine.Reply.result("\"0x2a\"")));
    String url = "http://127.0.0.1:" + app.getLocalPort() + "/";
    List<String> calls = new ArrayList<>();
    for (int i = 0; i < HELD_CALLS; i++) {
      calls.add(call(i, "eth_getBalance", "[\"0x" + "01".repeat(20) + "\",\"latest\"]"));
    }
    List<CompletableFuture<HttpResponse<String>>> held = RpcClient.postAll(url, calls);
    try {
      assertThat(arrived.await(15, TimeUnit.SECONDS))
          .as(
              "all %d calls in flight at the L2 client with %d server threads",
              HELD_CALLS, SERVER_THREADS)
          .isTrue();

      long start = System.nanoTime();
      RpcClient.Response fcu =
          rpc.post(
              url,
              call(
                  1,
                  "engine_forkchoiceUpdatedV3",
                  "[{\"headBlockHash\":\"0x"
                      + "ab".repeat(32)
                      + "\",\"safeBlockHash\":\"0x"
                      + "ab".repeat(32)
                      + "\",\"finalizedBlockHash\":\"0x"
                      + "ab".repeat(32)
                      + "\"},null]"));
      assertThat(fcu.status()).isEqualTo(200);
      assertThat(fcu.result().path("payloadStatus").path("status").asText()).isEqualTo("VALID");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("op-node's call is not queued behind the held eth_ calls")
          .isLessThan(2_000);
    } finally {
      release.countDown();
    }
    for (int i = 0; i < HELD_CALLS; i++) {
      HttpResponse<String> response = held.get(i).get(10, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(FakeEngine.JSON.readTree(response.body()).path("id").asInt()).isEqualTo(i);
      assertThat(FakeEngine.JSON.readTree(response.body()).path("result").asText())
          .isEqualTo("0x2a");
    }
  }

  /**
   * The front door runs on the thread that read the request (with one selector thread here, the
   * only one): getPayload, which waits for the builder, must run elsewhere, or that wait would
   * stall every connection's reads.
   */
  @Test
  void getPayloadWaitingForTheBuilderStallsNoOtherCall() throws Exception {
    assertThat(app.getEnvironment().getApplicationContext().getServer().getInvocationType().name())
        .as("Jetty runs requests on the selector thread only when the server is non-blocking")
        .isEqualTo("NON_BLOCKING");
    String url = "http://127.0.0.1:" + app.getLocalPort() + "/";
    await().atMost(Duration.ofSeconds(5)).until(() -> rpc.get(url + "healthz").status() == 200);
    CountDownLatch builderAsked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BUILDER.on(
        "engine_getPayloadV3",
        FakeEngine.Reply.heldUntil(
            builderAsked,
            release,
            FakeEngine.Reply.result(FakeEngine.envelope(Fixtures.BUILDER_HASH, 1, 25000, 2))));
    try {
      String id =
          rpc.post(
                  url,
                  call(
                      1,
                      "engine_forkchoiceUpdatedV3",
                      "[" + Fixtures.FCS + "," + Fixtures.ATTRS_V3 + "]"))
              .result()
              .path("payloadId")
              .asText();
      CompletableFuture<RpcClient.Response> block =
          CompletableFuture.supplyAsync(
              () -> rpc.post(url, call(2, "engine_getPayloadV3", "[\"" + id + "\"]")));
      assertThat(builderAsked.await(10, TimeUnit.SECONDS)).isTrue();

      long start = System.nanoTime();
      RpcClient other = new RpcClient(); // new connections: their first bytes need the selector
      assertThat(other.post(url, call(3, "eth_chainId", "[]")).result().asText()).isEqualTo("0x1");
      assertThat(
              other
                  .post(url, call(4, "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + ",null]"))
                  .status())
          .isEqualTo(200);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("calls answered while getPayload waits for the builder")
          .isLessThan(2_000);
      assertThat(block).isNotDone();

      release.countDown();
      assertThat(
              block
                  .get(10, TimeUnit.SECONDS)
                  .result()
                  .path("executionPayload")
                  .path("blockHash")
                  .asText())
          .startsWith("0x");
    } finally {
      release.countDown();
      BUILDER.reset();
    }
  }

  /** Bodies too large to parse on the selector thread are parsed on the pool: same answer. */
  @Test
  void largeBodiesAreAnsweredAndForwardedWhole() {
    String tx = "\"0x" + "5a".repeat(300 << 10) + "\"";
    RpcClient.Response answer =
        rpc.post(
            "http://127.0.0.1:" + app.getLocalPort() + "/",
            call(7, "eth_sendRawTransaction", "[" + tx + "]"));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("id").asInt()).isEqualTo(7);
    assertThat(L2.calls("eth_sendRawTransaction"))
        .last()
        .satisfies(c -> assertThat(c.params().get(0).asText()).hasSize(2 + (600 << 10)));
  }

  @Test
  void answersAreNotCompressedWhenTheClientAsksForGzip() throws Exception {
    String big = "\"0x" + "ab".repeat(4096) + "\"";
    L2.on("eth_getCode", FakeEngine.Reply.result(big));
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getLocalPort() + "/"))
                    .header("Content-Type", "application/json")
                    .header("Accept-Encoding", "gzip") // as op-node's Go client does
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            call(1, "eth_getCode", "[\"0x" + "01".repeat(20) + "\",\"latest\"]")))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(FakeEngine.JSON.readTree(response.body()).path("result").asText())
        .isEqualTo(big.substring(1, big.length() - 1));
  }
}
