package io.rollupboost.cli;

import ch.qos.logback.classic.LoggerContext;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.cli.CheckCommand;
import org.slf4j.LoggerFactory;

/**
 * Dropwizard's {@code check}, whose verdict reaches the terminal before the JVM exits.
 *
 * <p>The stock command logs "Configuration is OK" through the asynchronous console appender and
 * then only waits for that appender's queue to be empty. The queue is empty as soon as the
 * appender's thread has taken the event, before it has written it; the process can then exit with
 * status 0 and print nothing, which an operator (or a deploy script grepping for the verdict) reads
 * as a check that did not run. Stopping the logging context joins that thread, so the line is
 * written when the command returns.
 */
public final class CheckConfigCommand<T extends Configuration> extends CheckCommand<T> {
  public CheckConfigCommand(Application<T> application) {
    super(application);
  }

  @Override
  protected void cleanup() {
    super.cleanup();
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
      logging.stop();
    }
  }
}
