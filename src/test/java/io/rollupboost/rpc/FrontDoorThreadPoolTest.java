package io.rollupboost.rpc;

import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

import com.codahale.metrics.MetricRegistry;
import io.rollupboost.testing.Fixtures;
import io.rollupboost.testing.RawPost;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import io.rollupboost.upstream.AfterCompletion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class FrontDoorThreadPoolTest {
  final FrontDoorThreadPool pool =
      new FrontDoorThreadPool(new MetricRegistry(), 4, 2, 60_000, new BlockingArrayQueue<>(2, 4));

  /** The threads the submitted jobs ran on, in order. */
  final BlockingQueue<Thread> ranOn = new ArrayBlockingQueue<>(16);

  @BeforeEach
  void start() throws Exception {
    pool.start();
  }

  @AfterEach
  void stop() throws Exception {
    pool.stop();
  }

  /** A job as Jetty submits a connection to resume: a Runnable that is a Connection. */
  Runnable connection(Runnable body) {
    Runnable job = mock(Runnable.class, withSettings().extraInterfaces(Connection.class));
    doAnswer(
            invocation -> {
              ranOn.add(Thread.currentThread());
              body.run();
              return null;
            })
        .when(job)
        .run();
    return job;
  }

  Thread next() throws InterruptedException {
    Thread thread = ranOn.poll(5, TimeUnit.SECONDS);
    assertThat(thread).as("the job ran").isNotNull();
    return thread;
  }

  @Test
  void aConnectionResumedDuringACompletionRunsOnThatThreadOnceItIsDone() throws Exception {
    List<String> order = new ArrayList<>();
    AfterCompletion.run(
        () -> {
          pool.execute(connection(() -> order.add("next call read")));
          order.add("builder copy queued");
        });

    assertThat(next()).isSameAs(Thread.currentThread());
    assertThat(order).containsExactly("builder copy queued", "next call read");
    assertThat(pool.resumedAfterAnswer()).isEqualTo(1);
  }

  @Test
  void otherJobsAndOtherThreadsKeepTheWorkers() throws Exception {
    pool.execute(connection(() -> {}));
    assertThat(next()).as("a connection resumed outside a completion").isNotSameAs(caller());

    AfterCompletion.run(() -> pool.execute(() -> ranOn.add(Thread.currentThread())));
    assertThat(next()).as("any other job, even during a completion").isNotSameAs(caller());
    assertThat(pool.resumedAfterAnswer()).isZero();
  }

  /**
   * In the running service, op-node's kept-alive connection is resumed after an answer on the
   * upstream client's thread: the server's pool is this one and upstream completions defer to it.
   */
  @Test
  void theServiceResumesOpNodesConnectionAfterEachAnswer() throws Exception {
    FrontDoorThreadPool server =
        (FrontDoorThreadPool)
            TestService.APP.getEnvironment().getApplicationContext().getServer().getThreadPool();
    long before = server.resumedAfterAnswer();
    RpcClient rpc = new RpcClient();
    try (RawPost opNode = new RawPost(TestService.APP.getLocalPort())) {
      for (int i = 1; i <= 5; i++) {
        byte[] fcu =
            call(i, "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + ",null]")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(opNode.post(fcu, rpc.token()).status()).isEqualTo(200);
      }
    }
    // Not necessarily every call: when L2 answers before the thread that read the call has left
    // Jetty's read loop, that loop reads the next call itself and nothing is resumed.
    assertThat(server.resumedAfterAnswer() - before).isPositive();
  }

  private static Thread caller() {
    return Thread.currentThread();
  }
}
