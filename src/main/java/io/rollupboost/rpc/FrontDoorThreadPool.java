package io.rollupboost.rpc;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.metrics.jetty12.InstrumentedQueuedThreadPool;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;

/**
 * Dropwizard's server thread pool, except that a connection the front door's answer resumes goes on
 * at once on the thread that wrote the answer, instead of waking a worker.
 *
 * <p>The front door answers on the upstream client's thread, so for Jetty the request completes
 * away from the thread that read it, and Jetty hands the connection to this pool to read the next
 * request. On an idle two-core machine that wake-up sat on op-node's path: op-node sends its next
 * call of the block a fraction of a millisecond after the answer, and the call waited for the
 * worker to start and re-arm the connection. Running it here instead costs nothing extra: the
 * server is non-blocking ({@link FrontDoorRouting}), so the connection only reads what has arrived,
 * and a request that arrived is handled as the selector would handle it.
 */
public final class FrontDoorThreadPool extends InstrumentedQueuedThreadPool {
  /** Set while the front door writes an answer on this thread. */
  private static final ThreadLocal<Boolean> ANSWERING = new ThreadLocal<>();

  private final LongAdder resumedInline = new LongAdder();

  public FrontDoorThreadPool(
      MetricRegistry registry,
      int maxThreads,
      int minThreads,
      int idleTimeoutMillis,
      BlockingQueue<Runnable> queue) {
    super(registry, maxThreads, minThreads, idleTimeoutMillis, queue);
  }

  /**
   * Runs {@code answer} (a write that completes an exchange); a connection it resumes runs on this
   * thread, after the exchange is complete, rather than on a worker.
   */
  static void answerResumingHere(Runnable answer) {
    boolean outer = ANSWERING.get() == null;
    ANSWERING.set(Boolean.TRUE);
    try {
      answer.run();
    } finally {
      if (outer) {
        ANSWERING.remove();
      }
    }
  }

  @Override
  public void execute(Runnable job) {
    if (job instanceof Connection && ANSWERING.get() != null) {
      resumedInline.increment();
      // The resumed connection may handle its next request here, whose answer is its own.
      ANSWERING.remove();
      try {
        job.run();
      } finally {
        ANSWERING.set(Boolean.TRUE);
      }
      return;
    }
    super.execute(job);
  }

  /** How many connections resumed on the answering thread since start (for tests). */
  long resumedInline() {
    return resumedInline.sum();
  }
}
