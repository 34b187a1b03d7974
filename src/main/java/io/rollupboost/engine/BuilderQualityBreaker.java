package io.rollupboost.engine;

import io.rollupboost.metrics.EngineMetrics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops trusting a builder that keeps losing or failing: when its block loses to a selection
 * policy, fails a safety check, or the builder fails to deliver a block the L2 client confirms
 * VALID (timeout, error, INVALID block, ...) in {@code losses} of the last {@code window} block
 * productions it was asked for, it is degraded (the node reports 206 and returns L2 blocks as soon
 * as L2 answers, while the builder path keeps running as a dry run nobody waits for). {@code
 * recoveryWins} consecutive winning comparisons trust it again; without block production only an
 * operator's reset does.
 */
public final class BuilderQualityBreaker {
  private static final Logger LOG = LoggerFactory.getLogger(BuilderQualityBreaker.class);

  private final boolean enabled;
  private final int losses;
  private final int window;
  private final int recoveryWins;
  private final EngineMetrics metrics;
  private final Clock clock;
  private final List<Consumer<Boolean>> listeners = new ArrayList<>();
  private final Deque<String> recent = new ArrayDeque<>();
  private volatile boolean degraded;
  private int consecutiveWins;
  private Instant since;

  public BuilderQualityBreaker(
      boolean enabled,
      int losses,
      int window,
      int recoveryWins,
      EngineMetrics metrics,
      Clock clock) {
    this.enabled = enabled;
    this.losses = losses;
    this.window = window;
    this.recoveryWins = recoveryWins;
    this.metrics = metrics;
    this.clock = clock;
    this.since = clock.instant();
    metrics.breakerState(() -> degraded ? 1 : 0);
  }

  /** Called with {@code true} when the builder becomes degraded, {@code false} when trusted. */
  public synchronized void onChange(Consumer<Boolean> listener) {
    listeners.add(listener);
  }

  public boolean degraded() {
    return degraded;
  }

  /** One comparison of a builder block with L2's: {@code evidence} says what happened. */
  public void record(boolean builderWon, String evidence) {
    if (!enabled) {
      return;
    }
    Boolean changed = null;
    String log;
    synchronized (this) {
      recent.addLast((builderWon ? "win" : "loss") + ": " + evidence);
      while (recent.size() > window) {
        recent.removeFirst();
      }
      if (!degraded) {
        long lost = recent.stream().filter(e -> e.startsWith("loss")).count();
        if (lost >= losses) {
          degraded = true;
          consecutiveWins = 0;
          changed = true;
        }
      } else if (builderWon) {
        consecutiveWins++;
        if (consecutiveWins >= recoveryWins) {
          degraded = false;
          recent.clear();
          changed = false;
        }
      } else {
        consecutiveWins = 0;
      }
      log = String.join("; ", recent);
      if (changed != null) {
        since = clock.instant();
      }
    }
    if (changed != null) {
      announce(
          changed,
          changed
              ? "lost " + losses + " of the last " + window + ": " + log
              : recoveryWins + " winning dry-run comparisons in a row");
    }
  }

  /** An operator's reset (after the runbook's checks): trusted again at once. */
  public String reset(String channel) {
    boolean was;
    synchronized (this) {
      was = degraded;
      degraded = false;
      consecutiveWins = 0;
      recent.clear();
      since = clock.instant();
    }
    if (was) {
      announce(false, "reset through " + channel);
    }
    return was ? "builder trusted again (was degraded)" : "builder was not degraded";
  }

  private void announce(boolean nowDegraded, String evidence) {
    metrics.breakerTransition(nowDegraded ? "degraded" : "trusted");
    if (nowDegraded) {
      LOG.warn(
          "builder degraded by the quality breaker, L2 blocks until it wins {} dry-run comparisons in a row: {}",
          recoveryWins,
          evidence);
    } else {
      LOG.warn("builder trusted again by the quality breaker: {}", evidence);
    }
    List<Consumer<Boolean>> copy;
    synchronized (this) {
      copy = List.copyOf(listeners);
    }
    copy.forEach(l -> l.accept(nowDegraded));
  }

  /** For {@code /healthz/details}. */
  public synchronized Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("enabled", enabled);
    out.put("state", degraded ? "degraded" : "trusted");
    out.put("since", since.toString());
    out.put("window", List.copyOf(recent));
    out.put("consecutive_wins", consecutiveWins);
    out.put("losses_to_degrade", losses + " of " + window);
    out.put("wins_to_recover", recoveryWins);
    return out;
  }
}
