package io.rollupboost.engine;

import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamException;
import io.rollupboost.upstream.UpstreamReply;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * The ordered, bounded path for engine calls to the builder that change its state
 * (forkchoiceUpdated, newPayload). One worker sends them in arrival order, so the builder never
 * sees a forkchoiceUpdated before the newPayload it refers to. When the builder is slow and the
 * queue is full, the oldest call is dropped (and counted) rather than blocking op-node.
 */
public final class BuilderLane {
  private final HttpEngineClient builder;
  private final ThreadPoolExecutor worker;
  private final EngineMetrics metrics;

  /**
   * @param worker a single-thread executor with a bounded queue; its rejection handler must be
   *     {@link #dropOldest(EngineMetrics)}
   */
  public BuilderLane(HttpEngineClient builder, ThreadPoolExecutor worker, EngineMetrics metrics) {
    this.builder = builder;
    this.worker = worker;
    this.metrics = metrics;
  }

  /** Queues a call; the future completes with the builder's reply or its failure. */
  public CompletableFuture<UpstreamReply> submit(String method, RawJson params) {
    Call call = new Call(method, params);
    try {
      worker.execute(call);
    } catch (RejectedExecutionException e) {
      metrics.builderSyncDropped();
      call.result.completeExceptionally(
          new UpstreamException(
              builder.id(),
              method,
              UpstreamException.Kind.OVERLOADED,
              "builder queue is shut down"));
    }
    return call.result;
  }

  /** Makes room for a new call by failing the oldest queued one. */
  public static RejectedExecutionHandler dropOldest(EngineMetrics metrics) {
    return (runnable, executor) -> {
      if (executor.isShutdown()) {
        throw new RejectedExecutionException("builder lane is shut down");
      }
      BlockingQueue<Runnable> queue = executor.getQueue();
      for (int attempt = 0; attempt < 8; attempt++) {
        Runnable oldest = queue.poll();
        if (oldest instanceof Call dropped) {
          metrics.builderSyncDropped();
          dropped.result.completeExceptionally(
              new UpstreamException(
                  io.rollupboost.upstream.UpstreamId.BUILDER,
                  dropped.method,
                  UpstreamException.Kind.OVERLOADED,
                  "dropped: builder sync queue full"));
        }
        if (queue.offer(runnable)) {
          return;
        }
      }
      throw new RejectedExecutionException("builder lane queue stays full");
    };
  }

  private final class Call implements Runnable {
    private final String method;
    private final RawJson params;
    private final CompletableFuture<UpstreamReply> result = new CompletableFuture<>();

    private Call(String method, RawJson params) {
      this.method = method;
      this.params = params;
    }

    @Override
    public void run() {
      try {
        result.complete(builder.call(method, params));
      } catch (UpstreamException | RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }
}
