package io.rollupboost.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a forkchoiceUpdated with attributes started, keyed by the L2 payload id op-node saw: the
 * builder's own payload id (arriving asynchronously) and the attributes getPayload needs later.
 * Bounded in size and in age so a stream of abandoned payload ids cannot grow memory.
 */
public final class PayloadIdMap {
  private final int capacity;
  private final Duration ttl;
  private final Clock clock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  public PayloadIdMap(int capacity, Duration ttl, Clock clock) {
    this.capacity = capacity;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A remembered build; {@code created} is wall-clock millis. */
  private record Entry(PendingBuild build, long created) {}

  public synchronized void put(String l2PayloadId, PendingBuild build) {
    long now = clock.millis();
    expire(now);
    entries.remove(l2PayloadId);
    entries.put(l2PayloadId, new Entry(build, now));
    while (entries.size() > capacity) {
      Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** The build for an L2 payload id, or null when unknown, evicted or expired. */
  public synchronized PendingBuild get(String l2PayloadId) {
    expire(clock.millis());
    Entry e = entries.get(l2PayloadId);
    return e == null ? null : e.build();
  }

  public synchronized int size() {
    return entries.size();
  }

  private void expire(long now) {
    long cutoff = now - ttl.toMillis();
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      if (it.next().created() >= cutoff) {
        return;
      }
      it.remove();
    }
  }
}
