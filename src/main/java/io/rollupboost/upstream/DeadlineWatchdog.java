package io.rollupboost.upstream;

import io.dropwizard.lifecycle.Managed;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.core5.concurrent.Cancellable;

/**
 * Enforces whole-request deadlines of upstream calls from one thread that scans the calls in flight
 * every {@link #TICK_MILLIS} ms and cancels the expired ones.
 *
 * <p>Replaces a scheduled task per call: scheduling wakes the scheduler thread on every call (a
 * context switch on the hot path), and cancelled tasks stay queued until their delay passes,
 * holding their request bodies. Here a call costs one set insertion and one removal; deadlines are
 * enforced within one tick.
 */
public final class DeadlineWatchdog implements Managed {
  static final long TICK_MILLIS = 5;

  private final Set<Guard> inFlight = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean running = true;

  public DeadlineWatchdog(String name) {
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Watches {@code target} until the returned guard is closed; cancels it at the deadline. */
  public Guard watch(long deadlineNanos, Cancellable target) {
    Guard guard = new Guard(deadlineNanos, target);
    inFlight.add(guard);
    return guard;
  }

  /** Calls currently watched (for tests and diagnostics). */
  int watched() {
    return inFlight.size();
  }

  private void loop() {
    while (running) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
      long now = System.nanoTime();
      for (Guard guard : inFlight) {
        if (now - guard.deadlineNanos >= 0) {
          inFlight.remove(guard);
          guard.expire();
        }
      }
    }
  }

  @Override
  public void stop() {
    running = false;
    LockSupport.unpark(thread);
  }

  /** One watched call. {@link #close()} when the call is over, whatever its outcome. */
  public final class Guard implements AutoCloseable {
    private final long deadlineNanos;
    private final Cancellable target;
    private volatile boolean expired;

    private Guard(long deadlineNanos, Cancellable target) {
      this.deadlineNanos = deadlineNanos;
      this.target = target;
    }

    /** Whether the deadline passed and the call was cancelled. */
    public boolean expired() {
      return expired;
    }

    private void expire() {
      expired = true;
      target.cancel();
    }

    @Override
    public void close() {
      inFlight.remove(this);
    }
  }
}
