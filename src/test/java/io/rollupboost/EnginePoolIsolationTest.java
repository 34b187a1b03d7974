package io.rollupboost;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.Fixtures;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Engine calls have a connection pool of their own: eth_ calls holding every pass-through
 * connection to the L2 client (and more queued behind them) do not make op-node's calls wait.
 */
final class EnginePoolIsolationTest {
  static final int MAX_CONNECTIONS = 4;
  static final int HELD_CALLS = 2 * MAX_CONNECTIONS;

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
            ConfigOverride.config("l2.maxConnections", String.valueOf(MAX_CONNECTIONS)),
            ConfigOverride.config("l2.timeout", "30s"));
  }

  @AfterAll
  static void stop() {
    app.after();
    L2.close();
    BUILDER.close();
  }

  @Test
  void heldEthCallsDoNotQueueOpNodesEngineCalls() throws Exception {
    CountDownLatch arrived = new CountDownLatch(MAX_CONNECTIONS);
    CountDownLatch release = new CountDownLatch(1);
    L2.on(
        "eth_getLogs", FakeEngine.Reply.heldUntil(arrived, release, FakeEngine.Reply.result("[]")));
    String url = "http://127.0.0.1:" + app.getLocalPort() + "/";
    List<String> calls = new ArrayList<>();
    for (int i = 0; i < HELD_CALLS; i++) {
      calls.add(RpcClient.call(i, "eth_getLogs", "[{}]"));
    }
    List<CompletableFuture<HttpResponse<String>>> held = RpcClient.postAll(url, calls);
    try {
      assertThat(arrived.await(15, TimeUnit.SECONDS))
          .as("every pass-through connection to the L2 client is held")
          .isTrue();

      long start = System.nanoTime();
      RpcClient.Response fcu =
          rpc.post(
              url, RpcClient.call(99, "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + ",null]"));

      assertThat(fcu.status()).isEqualTo(200);
      assertThat(fcu.result().path("payloadStatus").path("status").asText()).isEqualTo("VALID");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("op-node's call did not wait for one of the held connections")
          .isLessThan(2_000);
    } finally {
      release.countDown();
    }
    for (CompletableFuture<HttpResponse<String>> call : held) {
      assertThat(call.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }
}
