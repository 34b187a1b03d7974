package io.rollupboost.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

import com.codahale.metrics.MetricRegistry;
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
    return connection(ranOn, body);
  }

  static Runnable connection(BlockingQueue<Thread> ranOn, Runnable body) {
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
  void aConnectionResumedByAnAnswerRunsOnTheAnsweringThread() throws Exception {
    FrontDoorThreadPool.answerResumingHere(() -> pool.execute(connection(() -> {})));

    assertThat(next()).isSameAs(Thread.currentThread());
    assertThat(pool.resumedInline()).isEqualTo(1);
  }

  @Test
  void otherJobsAndOtherThreadsKeepTheWorkers() throws Exception {
    pool.execute(connection(() -> {}));
    assertThat(next()).as("a connection resumed outside an answer").isNotSameAs(currentThread());

    FrontDoorThreadPool.answerResumingHere(() -> pool.execute(() -> ranOn.add(currentThread())));
    assertThat(next()).as("any other job, even during an answer").isNotSameAs(currentThread());
    assertThat(pool.resumedInline()).isZero();
  }

  @Test
  void theResumedConnectionIsNotInsideTheAnswerButTheAnswerGoesOn() throws Exception {
    BlockingQueue<Thread> nestedRanOn = new ArrayBlockingQueue<>(1);
    FrontDoorThreadPool.answerResumingHere(
        () -> {
          // What the resumed connection submits itself, outside an answer of its own, goes to a
          // worker: the resumed connection is not inside the answer that resumed it.
          pool.execute(connection(() -> pool.execute(connection(nestedRanOn, () -> {}))));
          // The answer's own thread still resumes inline afterwards.
          pool.execute(connection(() -> {}));
        });

    assertThat(next()).as("resumed by the answer").isSameAs(currentThread());
    assertThat(next()).as("resumed by the answer, again").isSameAs(currentThread());
    assertThat(nestedRanOn.poll(5, TimeUnit.SECONDS))
        .as("submitted by the resumed connection")
        .isNotNull()
        .isNotSameAs(currentThread());
    assertThat(pool.resumedInline()).isEqualTo(2);

    pool.execute(connection(() -> {}));
    assertThat(next()).as("after the answer").isNotSameAs(currentThread());
  }

  private static Thread currentThread() {
    return Thread.currentThread();
  }
}
