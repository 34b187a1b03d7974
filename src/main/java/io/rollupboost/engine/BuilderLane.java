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
 * (forkchoiceUpdated, newPayload). Calls go out one at a time in arrival order, each when the
 * previous one is answered, so the builder never sees a forkchoiceUpdated before the newPayload it
 * refers to. When the builder is slow and the queue is full, the oldest waiting call is dropped
 * (and counted) rather than blocking op-node.
 *
 * <p>No thread of its own: an idle lane sends from the caller's thread, and each answer sends the
 * next call from the client thread that received it.
 */
public final class BuilderLane {
  private final HttpEngineClient builder;
  private final int capacity;
  private final EngineMetrics metrics;

  /** Calls waiting for the one in flight; guarded by {@code this}. */
  private final ArrayDeque<Call> waiting = new ArrayDeque<>();

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

  /** Queues a call; the future completes with the builder's reply or its failure. */
  public CompletableFuture<UpstreamReply> submit(String method, RawJson params) {
    Call call = new Call(method, params);
    Call dropped = null;
    boolean sendNow;
    synchronized (this) {
      sendNow = !sending;
      if (sendNow) {
        sending = true;
      } else {
        if (waiting.size() >= capacity) {
          dropped = waiting.pollFirst();
        }
        waiting.addLast(call);
      }
    }
    if (dropped != null) {
      metrics.builderSyncDropped();
      dropped.result.completeExceptionally(
          new UpstreamException(
              UpstreamId.BUILDER,
              dropped.method,
              UpstreamException.Kind.OVERLOADED,
              "dropped: builder sync queue full"));
    }
    if (sendNow) {
      sendFrom(call);
    }
    return call.result;
  }

  /**
   * Sends {@code call}, then the calls queued behind it, each once the previous one is answered.
   * Calls that fail before leaving (no time, client stopped) are finished in this loop rather than
   * by recursion.
   */
  private void sendFrom(Call first) {
    Call call = first;
    while (call != null) {
      CompletableFuture<UpstreamReply> sent = builder.callAsync(call.method, call.params);
      if (!sent.isDone()) {
        Call inFlight = call;
        sent.whenComplete(
            (reply, failure) -> {
              inFlight.finish(reply, failure);
              sendFrom(next());
            });
        return;
      }
      sent.whenComplete(call::finish); // already complete: runs here and now
      call = next();
    }
  }

  /** The next waiting call, or null when the lane goes idle. */
  private synchronized Call next() {
    Call next = waiting.pollFirst();
    if (next == null) {
      sending = false;
    }
    return next;
  }

  private static final class Call {
    private final String method;
    private final RawJson params;
    private final CompletableFuture<UpstreamReply> result = new CompletableFuture<>();

    private Call(String method, RawJson params) {
      this.method = method;
      this.params = params;
    }

    void finish(UpstreamReply reply, Throwable failure) {
      if (failure == null) {
        result.complete(reply);
      } else {
        result.completeExceptionally(EngineMultiplexer.cause(failure));
      }
    }
  }
}
