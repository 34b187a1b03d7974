package io.rollupboost.upstream;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that waits, on the same thread, until everything an upstream answer set off has run.
 *
 * <p>Completing an upstream call runs its whole continuation on the completing thread: the front
 * door writes op-node's answer, and only then are the builder's copies of the call released (see
 * {@code EngineMultiplexer.answerThen}). Writing the answer lets Jetty resume op-node's connection
 * to read its next call; the front door's thread pool hands that resumption here instead of to a
 * worker, so the next call is read on this thread, without a thread wake-up, once the previous
 * call's work is done (its builder copy released, its block logged) rather than competing with it.
 * The builder's copies do not depend on this for their order: they take their place in the lane
 * when op-node's call arrives.
 */
public final class AfterCompletion {
  private static final Logger LOG = LoggerFactory.getLogger(AfterCompletion.class);

  private static final ThreadLocal<Scope> SCOPE = ThreadLocal.withInitial(Scope::new);

  private AfterCompletion() {}

  /** The jobs deferred during one completion on one thread. */
  private static final class Scope {
    boolean open;
    final ArrayDeque<Runnable> jobs = new ArrayDeque<>(4);
  }

  /**
   * Runs {@code completion}, then the jobs {@link #defer deferred} while it ran, in order. A job
   * deferred by one of those jobs is not held: it is refused and goes where it would have gone.
   */
  public static void run(Runnable completion) {
    Scope scope = SCOPE.get();
    if (scope.open) {
      // Nested (a continuation completed another call on this thread): the outer run drains.
      completion.run();
      return;
    }
    scope.open = true;
    try {
      completion.run();
    } finally {
      scope.open = false;
      // Each job must run once: a dropped resumption would leave a connection unread. A job taken
      // off the queue before it runs, so a completion nested in it drains the rest just as well.
      Runnable job;
      while ((job = scope.jobs.poll()) != null) {
        try {
          job.run();
        } catch (Throwable e) { // the jobs behind it must still run
          LOG.warn("work deferred after an upstream answer failed: {}", job, e);
        }
      }
    }
  }

  /**
   * Holds {@code job} until the completion running on this thread has finished, and returns true;
   * returns false (the caller runs or dispatches it) when no completion is running here.
   */
  public static boolean defer(Runnable job) {
    Scope scope = SCOPE.get();
    if (!scope.open) {
      return false;
    }
    scope.jobs.add(job);
    return true;
  }
}
