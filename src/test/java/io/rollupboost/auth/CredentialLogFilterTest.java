package io.rollupboost.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class CredentialLogFilterTest {
  static final String JWT = EngineJwtTest.VECTOR;

  final LoggerContext context = new LoggerContext();
  final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void setUp() {
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.TRACE);
    appender.setContext(context);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    CredentialLogFilter filter = new CredentialLogFilter();
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
  }

  @Test
  void headerLoggersStaySilentBelowInfoWhateverTheirLevel() {
    Logger headers = context.getLogger("org.eclipse.jetty.client.transport.HttpSender");
    headers.setLevel(Level.TRACE);

    headers.debug("Request headers POST / Content-Type: application/json");
    context
        .getLogger("org.eclipse.jetty.client.transport.HttpReceiver")
        .trace("Response headers HTTP/1.1 200");
    context.getLogger("org.eclipse.jetty.http.HttpParser").debug("FIELD(Authorization: x)");

    assertThat(headers.isDebugEnabled()).isFalse();
    assertThat(appender.list).isEmpty();
  }

  @Test
  void debugLinesCarryingACredentialAreDropped() {
    Logger logger = context.getLogger("org.example.Library");

    logger.debug("sending {}", "Authorization: Bearer " + JWT);
    logger.debug("token {}", JWT);
    logger.debug("plain line {}", 42);

    assertThat(appender.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("plain line 42");
  }

  @Test
  void warningsCarryingACredentialAreWrittenRedacted() {
    Logger logger = context.getLogger("org.example.Library");

    logger.warn("upstream said {}", "invalid token Bearer " + JWT);
    logger.warn("failed", new IOException("HTTP 401: Bearer " + JWT));
    logger.warn("failed cleanly", new IOException("connection refused"));

    assertThat(appender.list).hasSize(3);
    assertThat(appender.list.get(0).getFormattedMessage())
        .isEqualTo("upstream said invalid token Bearer [redacted]");
    assertThat(appender.list.get(0).getLoggerName()).isEqualTo("org.example.Library");
    assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.WARN);
    assertThat(appender.list.get(1).getFormattedMessage())
        .isEqualTo("failed [java.io.IOException: HTTP 401: Bearer [redacted]]")
        .doesNotContain(JWT);
    assertThat(appender.list.get(1).getThrowableProxy()).isNull();
    assertThat(appender.list.get(2).getThrowableProxy().getMessage())
        .isEqualTo("connection refused");
  }

  @Test
  void eventsBelowTheConfiguredLevelAreNotFormatted() {
    Logger logger = context.getLogger("org.example.Quiet");
    logger.setLevel(Level.INFO);
    Object exploding =
        new Object() {
          @Override
          public String toString() {
            throw new AssertionError("formatted a disabled event");
          }
        };

    logger.debug("never {}", exploding);

    assertThat(appender.list).isEmpty();
  }
}
