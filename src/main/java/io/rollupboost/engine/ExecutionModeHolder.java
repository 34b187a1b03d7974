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

  /** Sets the mode, logs the change at WARN with the channel used, and returns the old mode. */
  public ExecutionMode set(ExecutionMode next, String channel) {
    ExecutionMode old = mode.getAndSet(next);
    LOG.warn("execution mode changed old={} new={} channel={}", old, next, channel);
    for (Consumer<ExecutionMode> listener : listeners) {
      listener.accept(next);
    }
    return old;
  }

  /** Called after every change (for example to persist the mode). */
  public void onChange(Consumer<ExecutionMode> listener) {
    listeners.add(listener);
  }
}
