package io.rollupboost.upstream;

import io.rollupboost.auth.Redaction;

/**
 * A call to an upstream that produced no JSON-RPC answer: refused, timed out, cut off, or answered
 * with something that is not a JSON-RPC response to our request.
 */
public final class UpstreamException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the call failed; a small fixed set, usable as a metric label. */
  public enum Kind {
    TIMEOUT("timeout"),
    UNREACHABLE("unreachable"),
    BAD_RESPONSE("bad_response"),
    OVERLOADED("overloaded");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final transient UpstreamId upstream;
  private final Kind kind;

  /**
   * @param detail what went wrong; credentials in it (an upstream that echoes our Authorization
   *     header in its error page) are redacted, as the message reaches logs, op-node and /healthz
   */
  public UpstreamException(UpstreamId upstream, String method, Kind kind, String detail) {
    super(upstream.label() + " " + method + " failed: " + Redaction.redact(detail));
    this.upstream = upstream;
    this.kind = kind;
  }

  public UpstreamId upstream() {
    return upstream;
  }

  public Kind kind() {
    return kind;
  }
}
