package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamException;
import io.rollupboost.upstream.UpstreamId;
import io.rollupboost.upstream.UpstreamReply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The builder's sync lane over a real HTTP client and a scripted builder on a real socket. */
final class BuilderLaneTest {
  final FakeEngine builder = new FakeEngine("lane-builder").start();
  final HttpClient http = new HttpClient();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger mostInFlight = new AtomicInteger();
  final CountDownLatch release = new CountDownLatch(1);
  BuilderLane lane;

  @BeforeEach
  void start() throws Exception {
    http.start();
    HttpEngineClient client =
        new HttpEngineClient(
            UpstreamId.BUILDER,
            URI.create(builder.url()),
            null,
            Duration.ofSeconds(10),
            1 << 20,
            http,
            new EngineMetrics());
    lane = new BuilderLane(client, 2, new EngineMetrics());
    // The first call is held until released; every call records how many were at the builder.
    builder.on(
        "engine_newPayloadV3",
        c -> {
          mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          try {
            if (c.params().get(0).asInt() == 0) {
              release.await(10, TimeUnit.SECONDS);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            inFlight.decrementAndGet();
          }
          return FakeEngine.Reply.result(FakeEngine.status("VALID"));
        });
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    http.stop();
    builder.close();
  }

  CompletableFuture<UpstreamReply> submit(int n) {
    return lane.submit(
        "engine_newPayloadV3", RawJson.wrap(("[" + n + "]").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void callsGoOneAtATimeInOrderAndTheOldestWaitingIsDroppedWhenFull() throws Exception {
    List<CompletableFuture<UpstreamReply>> sent = new ArrayList<>();
    sent.add(submit(0));
    await().atMost(Duration.ofSeconds(5)).until(() -> builder.count("engine_newPayloadV3") == 1);
    for (int n = 1; n <= 4; n++) {
      sent.add(submit(n)); // capacity 2: 1 and 2 make room for 3 and 4
    }
    assertThat(sent.get(1)).isCompletedExceptionally();
    assertThat(sent.get(2)).isCompletedExceptionally();
    assertThat(builder.count("engine_newPayloadV3")).as("nothing overtakes the held call").isOne();

    release.countDown();
    for (int n : new int[] {0, 3, 4}) {
      assertThat(sent.get(n).get(5, TimeUnit.SECONDS).isError()).isFalse();
    }
    assertThat(builder.calls("engine_newPayloadV3"))
        .extracting(c -> c.params().get(0).asInt())
        .containsExactly(0, 3, 4);
    assertThat(mostInFlight).hasValue(1);
    assertThatThrownBy(() -> sent.get(1).get())
        .hasCauseInstanceOf(UpstreamException.class)
        .hasMessageContaining("builder sync queue full");
  }

  BuilderLane.Place reserve(int n) {
    return lane.reserve(
        "engine_newPayloadV3", RawJson.wrap(("[" + n + "]").getBytes(StandardCharsets.UTF_8)));
  }

  /** The numbers of the calls the builder received, in order. */
  List<Integer> received() {
    return builder.calls("engine_newPayloadV3").stream()
        .map(c -> c.params().get(0).asInt())
        .toList();
  }

  @Test
  void aReservedPlaceHoldsTheCallsBehindItUntilReleasedOrWithdrawn() throws Exception {
    release.countDown(); // no call is held at the builder here
    BuilderLane.Place first = reserve(1);
    CompletableFuture<UpstreamReply> second = submit(2);
    assertThat(second).as("waits for the place before it").isNotDone();

    CompletableFuture<UpstreamReply> firstSent = first.release();
    assertThat(second.get(5, TimeUnit.SECONDS).isError()).isFalse();
    assertThat(firstSent).isCompleted();

    BuilderLane.Place third = reserve(3);
    CompletableFuture<UpstreamReply> fourth = submit(4);
    assertThat(fourth).as("waits for the third place").isNotDone();
    third.withdraw();
    assertThat(fourth.get(5, TimeUnit.SECONDS).isError()).isFalse();
    assertThat(received()).containsExactly(1, 2, 4);
    assertThat(third.release()).as("a withdrawn call never leaves").isCompletedExceptionally();
    assertThat(received()).containsExactly(1, 2, 4);
  }

  @Test
  void aPlaceNeverReleasedIsDroppedWhenTheQueueIsFullAndTheRestGoOn() throws Exception {
    release.countDown();
    BuilderLane.Place forgotten = reserve(1);
    CompletableFuture<UpstreamReply> second = submit(2);
    CompletableFuture<UpstreamReply> third = submit(3); // capacity 2: the forgotten place goes
    assertThat(forgotten.release()).isCompletedExceptionally();
    assertThat(second.get(5, TimeUnit.SECONDS).isError()).isFalse();
    assertThat(third.get(5, TimeUnit.SECONDS).isError()).isFalse();
    assertThat(received()).containsExactly(2, 3);
  }

  @Test
  void aBuilderThatIsDownFailsEachCallAndTheLaneKeepsGoing() throws Exception {
    builder.stop();
    CompletableFuture<UpstreamReply> first = submit(1);
    CompletableFuture<UpstreamReply> second = submit(2);
    assertThat(first).failsWithin(Duration.ofSeconds(5));
    assertThat(second).failsWithin(Duration.ofSeconds(5));

    builder.start();
    assertThat(submit(3).get(5, TimeUnit.SECONDS).isError()).isFalse();
    assertThat(builder.calls("engine_newPayloadV3"))
        .extracting(c -> c.params().get(0).asInt())
        .containsExactly(3);
  }
}
