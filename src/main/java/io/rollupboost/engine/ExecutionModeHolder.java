package io.rollupboost.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The current execution mode, read once per request, changed by operators at runtime. */
public final class ExecutionModeHolder {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionModeHolder.class);

  private final AtomicReference<ExecutionMode> mode;
  private final List<Consumer<ExecutionMode>> listeners = new CopyOnWriteArrayList<>();

  public ExecutionModeHolder(ExecutionMode initial) {
    this.mode = new AtomicReference<>(initial);
  }

  public ExecutionMode get() {
    return mode.get();
  }

  /**
   * Sets the mode, logs the change at WARN with the channel used, and returns the old mode. Every
   * listener runs even when one fails (the health status must follow the mode whatever happened to
   * the state file).
   *
   * @throws IncompleteChange after the change, when a listener failed (for example the mode could
   *     not be persisted): the new mode is in force all the same
   */
  public ExecutionMode set(ExecutionMode next, String channel) {
    ExecutionMode old = mode.getAndSet(next);
    LOG.warn("execution mode changed old={} new={} channel={}", old, next, channel);
    RuntimeException failed = null;
    for (Consumer<ExecutionMode> listener : listeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        LOG.error("after the change to execution mode {}: {}", next, e.toString());
        failed = failed == null ? e : failed;
      }
    }
    if (failed != null) {
      throw new IncompleteChange(next, old, failed);
    }
    return old;
  }

  /** The mode changed, but something that follows a change (persisting it) failed. */
  public static final class IncompleteChange extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient ExecutionMode old;

    IncompleteChange(ExecutionMode next, ExecutionMode old, RuntimeException cause) {
      super(
          "execution mode is now "
              + next.wire()
              + ", but it could not be persisted ("
              + cause.getMessage()
              + "): a restart would bring back the configured or last saved mode",
          cause);
      this.old = old;
    }

    /** The mode before the change. */
    public ExecutionMode old() {
      return old;
    }
  }

  /** Called after every change (for example to persist the mode). */
  public void onChange(Consumer<ExecutionMode> listener) {
    listeners.add(listener);
  }
}
