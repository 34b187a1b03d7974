package io.rollupboost;

import io.rollupboost.cli.SuppressForbidden;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM as a normal, successful stop: the JVM's default turns it into exit status 143 after the
 * shutdown hooks ran, which supervisors and runbooks read as a failure. Here SIGTERM starts the
 * same orderly shutdown through {@code System.exit(0)}: Jetty's shutdown hook stops accepting, lets
 * in-flight calls finish within {@code server.shutdownGracePeriod} (engine calls are bounded by
 * their upstream deadlines anyway), then stops the upstream clients and executors.
 */
final class GracefulTermination {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulTermination.class);

  private GracefulTermination() {}

  @SuppressForbidden(reason = "sun.misc.Signal is the only way to map SIGTERM to exit status 0")
  static void install() {
    try {
      Signal.handle(new Signal("TERM"), signal -> exit());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.warn("SIGTERM keeps the JVM's default handling (exit status 143): {}", e.toString());
    }
  }

  @SuppressForbidden(reason = "exit status 0 after an orderly shutdown is the contract")
  private static void exit() {
    Thread exit =
        new Thread(
            () -> {
              LOG.info("SIGTERM: no new connections; finishing in-flight calls, then exiting");
              System.exit(0);
            },
            "sigterm-exit");
    exit.start();
  }
}
