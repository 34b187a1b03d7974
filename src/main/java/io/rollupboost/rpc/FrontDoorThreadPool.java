package io.rollupboost.rpc;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.metrics.jetty12.InstrumentedQueuedThreadPool;
import io.rollupboost.upstream.AfterCompletion;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;

/**
 * Dropwizard's server thread pool, except that a connection resumed by an upstream answer goes on
 * on the thread that delivered the answer, once that answer's work is done, instead of waking a
 * worker.
 *
 * <p>The front door answers op-node on the upstream client's thread, so for Jetty the request
 * completes away from the thread that read it, and Jetty hands the connection to this pool to read
 * the next request. On a two-core machine that wake-up sat on op-node's path: op-node sends its
 * next call a fraction of a millisecond after the answer, and the call waited for the worker to
 * start and re-arm the connection. {@link AfterCompletion} runs it instead on the answering thread
 * after the whole continuation. The server is non-blocking ({@link FrontDoorRouting}): the
 * connection only reads what has arrived and hands anything that may block to this pool.
 */
public final class FrontDoorThreadPool extends InstrumentedQueuedThreadPool {
  private final LongAdder resumedAfterAnswer = new LongAdder();

  public FrontDoorThreadPool(
      MetricRegistry registry,
      int maxThreads,
      int minThreads,
      int idleTimeoutMillis,
      BlockingQueue<Runnable> queue) {
    super(registry, maxThreads, minThreads, idleTimeoutMillis, queue);
  }

  @Override
  public void execute(Runnable job) {
    if (job instanceof Connection && AfterCompletion.defer(job)) {
      resumedAfterAnswer.increment();
      return;
    }
    super.execute(job);
  }

  /** How many connections resumed on the answering thread since start (for tests). */
  long resumedAfterAnswer() {
    return resumedAfterAnswer.sum();
  }
}
