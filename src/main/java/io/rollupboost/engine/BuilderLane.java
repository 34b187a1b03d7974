package io.rollupboost.engine;

import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamException;
import io.rollupboost.upstream.UpstreamId;
import io.rollupboost.upstream.UpstreamReply;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The ordered, bounded path for engine calls to the builder that change its state
 * (forkchoiceUpdated, newPayload). Calls go out one at a time in the order op-node sent them, each
 * when the previous one is answered, so the builder never sees a forkchoiceUpdated before the
 * newPayload it refers to. When the builder is slow and the queue is full, the oldest waiting call
 * is dropped (and counted) rather than blocking op-node.
 *
 * <p>A call takes its place when op-node's call arrives ({@link #reserve}) and may leave only later
 * ({@link Place#release}), once L2 has answered: the order does not depend on which thread gets
 * which answer first. A place that is never released holds the calls behind it only until the queue
 * is full, when it is the oldest and dropped.
 *
 * <p>No thread of its own: an idle lane sends from the releasing thread, and each answer sends the
 * next call from the client thread that received it.
 */
public final class BuilderLane {
  private final HttpEngineClient builder;
  private final int capacity;
  private final EngineMetrics metrics;

  /** Calls not yet sent, released or not, in arrival order; guarded by {@code this}. */
  private final ArrayDeque<Place> waiting = new ArrayDeque<>();

  /** Whether a call is in flight; guarded by {@code this}. */
  private boolean sending;

  /**
   * @param capacity how many calls may wait behind the one in flight
   */
  public BuilderLane(HttpEngineClient builder, int capacity, EngineMetrics metrics) {
    this.builder = builder;
    this.capacity = capacity;
    this.metrics = metrics;
  }

  /** Queues a call that may leave at once; the future completes with the builder's reply. */
  public CompletableFuture<UpstreamReply> submit(String method, RawJson params) {
    return reserve(method, params).release();
  }

  /** Takes a place for a call behind those already queued; it leaves once released. */
  public Place reserve(String method, RawJson params) {
    Place place = new Place(method, params);
    Place dropped = null;
    Place next = null;
    synchronized (this) {
      if (waiting.size() >= capacity) {
        dropped = waiting.pollFirst();
        // The dropped place may have been the one holding the others back.
        next = nextToSend();
      }
      waiting.addLast(place);
    }
    if (dropped != null) {
      metrics.builderSyncDropped();
      dropped.fail("dropped: builder sync queue full");
    }
    sendFrom(next);
    return place;
  }

  /** A call's place in the lane. */
  public final class Place {
    private final String method;
    private final RawJson params;
    private final CompletableFuture<UpstreamReply> result = new CompletableFuture<>();

    /** Guarded by the lane. */
    private boolean released;

    private Place(String method, RawJson params) {
      this.method = method;
      this.params = params;
    }

    /**
     * Lets the call leave once those before it have been answered; returns its future, which
     * completes with the builder's reply or the failure (including a drop while it waited).
     */
    public CompletableFuture<UpstreamReply> release() {
      Place next;
      synchronized (BuilderLane.this) {
        released = true;
        next = nextToSend();
      }
      sendFrom(next);
      return result;
    }

    /** Gives the place up without sending the call (its future fails); the rest go on. */
    public void withdraw() {
      boolean removed;
      Place next;
      synchronized (BuilderLane.this) {
        removed = waiting.remove(this);
        next = nextToSend();
      }
      if (removed) {
        fail("withdrawn before it was sent");
      }
      sendFrom(next);
    }

    private void fail(String why) {
      result.completeExceptionally(
          new UpstreamException(
              UpstreamId.BUILDER, method, UpstreamException.Kind.OVERLOADED, why));
    }

    private void finish(UpstreamReply reply, Throwable failure) {
      if (failure == null) {
        result.complete(reply);
      } else {
        result.completeExceptionally(EngineMultiplexer.cause(failure));
      }
    }
  }

  /**
   * Takes the first waiting call off the queue and marks the lane busy when nothing is in flight
   * and that call is released; null otherwise. Caller holds the lock.
   */
  private Place nextToSend() {
    assert Thread.holdsLock(this);
    if (sending) {
      return null;
    }
    Place first = waiting.peekFirst();
    if (first == null || !first.released) {
      return null;
    }
    waiting.pollFirst();
    sending = true;
    return first;
  }

  /** The call in flight was answered: the lane is free for the next one. */
  private synchronized Place afterSent() {
    sending = false;
    return nextToSend();
  }

  /**
   * Sends {@code first} (if any), then the calls released behind it, each once the previous one is
   * answered. Calls that fail before leaving (no time, client stopped) are finished in this loop
   * rather than by recursion.
   */
  private void sendFrom(Place first) {
    Place call = first;
    while (call != null) {
      CompletableFuture<UpstreamReply> sent = builder.callAsync(call.method, call.params);
      if (!sent.isDone()) {
        Place inFlight = call;
        sent.whenComplete(
            (reply, failure) -> {
              inFlight.finish(reply, failure);
              sendFrom(afterSent());
            });
        return;
      }
      sent.whenComplete(call::finish); // already complete: runs here and now
      call = afterSent();
    }
  }
}
