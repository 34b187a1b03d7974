package io.rollupboost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.Fixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM on the packaged service: no new connections, the getPayload in flight still gets its
 * block, exit status 0 within the grace period; a restart comes back to 200 and to the operator's
 * persisted mode without anyone touching it.
 */
final class GracefulShutdownIT {
  static final long SLOW_GET_PAYLOAD_MS = 1200;
  static FakeEngine l2;
  static FakeEngine builder;

  @BeforeAll
  static void fakes() {
    l2 = new FakeEngine("l2").start();
    builder = new FakeEngine("builder").start();
  }

  @AfterAll
  static void stopFakes() {
    l2.close();
    builder.close();
  }

  @Test
  void sigtermFinishesTheCallInFlightExitsZeroAndARestartRecovers() throws Exception {
    Path state = Files.createTempDirectory("rb-graceful").resolve("mode.state");
    List<String> env = List.of("ADMIN_STATE_FILE=" + state);
    String[] flags = {"-Ddw.probe.interval=200ms", "-Ddw.l2.timeout=3s"};
    ServiceProcess first =
        ServiceProcess.start(
            Path.of("target/graceful-first.log"), env, l2.url(), builder.url(), flags);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> first.healthz() == 200);
      HttpClient http = HttpClient.newHttpClient();
      http.send(
          HttpRequest.newBuilder(
                  URI.create(first.adminUrl() + "/tasks/execution-mode?mode=dry_run"))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.discarding());

      JsonNode fcu =
          first.call(
              "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + "," + Fixtures.ATTRS_V3 + "]");
      String payloadId = fcu.path("result").path("payloadId").asText();
      l2.on(
          "engine_getPayloadV3",
          FakeEngine.Reply.result(FakeEngine.envelope(Fixtures.L2_HASH, 1, 21000, 1))
              .delayed(SLOW_GET_PAYLOAD_MS));
      CompletableFuture<JsonNode> inFlight =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return first.call("engine_getPayloadV3", "[\"" + payloadId + "\"]");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      await().atMost(Duration.ofSeconds(5)).until(() -> l2.count("engine_getPayloadV3") == 1);

      long signalled = System.nanoTime();
      first.process().destroy(); // SIGTERM
      await()
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> first.healthz() != 200);
      long refusedAfterMillis = (System.nanoTime() - signalled) / 1_000_000;

      JsonNode answer = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(answer.has("error")).as("in-flight getPayload: %s", answer).isFalse();
      assertThat(answer.path("result").path("executionPayload").path("blockHash").asText())
          .isEqualTo(Fixtures.L2_HASH);
      assertThat(first.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      long exitMillis = (System.nanoTime() - signalled) / 1_000_000;
      assertThat(first.process().exitValue()).as("exit status after SIGTERM").isZero();
      assertThat(refusedAfterMillis).as("stops taking new work at once").isLessThan(1000);
      assertThat(exitMillis)
          .as("drains the call in flight, then exits within the grace period")
          .isGreaterThanOrEqualTo(SLOW_GET_PAYLOAD_MS - 300)
          .isLessThan(5000 + 2000);
      System.out.printf(
          java.util.Locale.ROOT,
          "SIGTERM: new requests refused after %d ms, in-flight getPayload answered, exit 0 after"
              + " %d ms%n",
          refusedAfterMillis,
          exitMillis);
    } finally {
      first.close();
      l2.reset();
    }

    long restarted = System.nanoTime();
    try (ServiceProcess second =
        ServiceProcess.start(
            Path.of("target/graceful-second.log"), env, l2.url(), builder.url(), flags)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> second.healthz() == 200);
      System.out.printf(
          java.util.Locale.ROOT,
          "restart: /healthz 200 after %d ms%n",
          (System.nanoTime() - restarted) / 1_000_000);
      JsonNode mode =
          ServiceProcess.JSON.readTree(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create(second.rpcUrl() + "healthz/details"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(mode.toString()).contains("dry_run");
      JsonNode block =
          second.call(
              "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + "," + Fixtures.ATTRS_V3 + "]");
      assertThat(block.has("result")).isTrue();
    }
  }
}
