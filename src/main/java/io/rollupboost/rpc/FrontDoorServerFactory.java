package io.rollupboost.rpc;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.server.DefaultServerFactory;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.ThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * Dropwizard's default server (every {@code server.*} key as documented by Dropwizard), with the
 * {@link FrontDoorThreadPool}. A {@code server:} block without a {@code type} builds this one.
 */
public class FrontDoorServerFactory extends DefaultServerFactory {
  @Override
  protected ThreadPool createThreadPool(MetricRegistry metricRegistry) {
    // As Dropwizard builds its pool, from the same keys.
    FrontDoorThreadPool pool =
        new FrontDoorThreadPool(
            metricRegistry,
            getMaxThreads(),
            getMinThreads(),
            (int) getIdleThreadTimeout().toMilliseconds(),
            new BlockingArrayQueue<>(getMinThreads(), getMaxThreads()));
    if (isEnableVirtualThreads()) {
      pool.setVirtualThreadsExecutor(new VirtualThreadPool(getMaxThreads()));
    }
    pool.setName("dw");
    return pool;
  }
}
