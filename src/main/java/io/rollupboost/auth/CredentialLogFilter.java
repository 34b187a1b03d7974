package io.rollupboost.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps credentials out of the log whatever level an operator configures (root DEBUG, or the admin
 * {@code log-level} task): the loggers that print request headers are silenced below INFO; any
 * other event whose text carries a bearer value or a JWT is dropped below INFO and written redacted
 * at INFO and above.
 *
 * <p>A turbo filter rather than logger levels: it sees every event before the level check, so
 * neither the configuration nor a runtime level change can turn those loggers back on.
 */
public final class CredentialLogFilter extends TurboFilter {
  /**
   * Loggers that print request headers at DEBUG: Jetty's HTTP client (the request and response
   * headers of our upstream calls, our JWT), Jetty's I/O layer (dumps of pooled buffers, whose
   * bytes past the limit still hold an earlier request), Jetty's HTTP/1.1 parser and HPACK decoder
   * on inbound requests (op-node's JWT, the admin token).
   */
  static final List<String> HEADER_LOGGERS =
      List.of(
          "org.eclipse.jetty.client",
          "org.eclipse.jetty.io",
          "org.eclipse.jetty.http.HttpParser",
          "org.eclipse.jetty.http2.hpack");

  private static final String FQCN = CredentialLogFilter.class.getName();

  /**
   * Adds the filter to logback once. Call after Dropwizard configured logging: that resets the
   * logger context, turbo filters included.
   */
  public static void install() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    if (context.getTurboFilterList().stream().noneMatch(CredentialLogFilter.class::isInstance)) {
      CredentialLogFilter filter = new CredentialLogFilter();
      filter.setName("credentials");
      filter.setContext(context);
      filter.start();
      context.addTurboFilter(filter);
    }
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL; // not logged anyway
    }
    boolean belowInfo = level.levelInt < Level.INFO_INT;
    if (belowInfo && isHeaderLogger(logger.getName())) {
      return FilterReply.DENY;
    }
    if (format == null) {
      return FilterReply.NEUTRAL; // an isEnabled() check
    }
    String message = MessageFormatter.arrayFormat(format, params, null).getMessage();
    Throwable shown = t == null ? MessageFormatter.getThrowableCandidate(params) : t;
    if (!Redaction.hasCredential(message) && !hasCredential(shown)) {
      return FilterReply.NEUTRAL;
    }
    if (!belowInfo) {
      // Written here, redacted, instead of the original; a throwable whose messages carry a
      // credential only by class and redacted message.
      String text = Redaction.redact(message);
      Throwable kept = shown;
      if (hasCredential(shown)) {
        text +=
            " [" + shown.getClass().getName() + ": " + Redaction.redact(shown.getMessage()) + "]";
        kept = null;
      }
      logger.callAppenders(new LoggingEvent(FQCN, logger, level, text, kept, null));
    }
    return FilterReply.DENY;
  }

  static boolean isHeaderLogger(String name) {
    for (String prefix : HEADER_LOGGERS) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasCredential(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (Redaction.hasCredential(c.getMessage())) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }
}
