package io.rollupboost.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads whole HTTP bodies into memory within a per-body limit and, optionally, a budget shared by
 * every body being read at once. Memory is claimed as bytes arrive, never on the strength of a
 * declared Content-Length alone: a peer that declares 32 MiB and then trickles costs what it sent.
 */
public final class BoundedBody {
  /** The most a declared length pre-sizes the buffer; larger bodies grow as they arrive. */
  static final int MAX_PRESIZE = 1 << 20;

  private final long limit;
  private final long budget;
  private final AtomicLong claimed = new AtomicLong();

  /**
   * @param limit the largest single body
   * @param budget bytes all bodies read through this instance may hold at once; {@code
   *     Long.MAX_VALUE} for no shared budget
   */
  public BoundedBody(long limit, long budget) {
    this.limit = limit;
    this.budget = budget;
  }

  /** The body exceeds the per-body limit. */
  public static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** The shared budget is exhausted by other bodies in flight. */
  public static final class OverBudgetException extends IOException {
    private static final long serialVersionUID = 1L;

    OverBudgetException(String message) {
      super(message);
    }
  }

  public long limit() {
    return limit;
  }

  /** A body read and the budget it holds; {@link #close()} once the bytes are no longer needed. */
  public final class Body implements AutoCloseable {
    private final byte[] bytes;
    private long held;

    private Body(byte[] bytes, long held) {
      this.bytes = bytes;
      this.held = held;
    }

    public byte[] bytes() {
      return bytes;
    }

    @Override
    public void close() {
      claimed.addAndGet(-held);
      held = 0;
    }
  }

  /**
   * @param declared the Content-Length, or a negative value when unknown
   */
  public Body read(InputStream in, long declared) throws IOException {
    if (declared > limit) {
      throw new TooLargeException("body of " + declared + " bytes exceeds the limit of " + limit);
    }
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(declared > 0 ? (int) Math.min(declared, MAX_PRESIZE) : 8192);
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    try {
      int n;
      while ((n = in.read(buffer)) != -1) {
        if (total + n > limit) {
          throw new TooLargeException("body exceeds the limit of " + limit + " bytes");
        }
        // Growth, the final copy and the reader's own use: about twice the body at its peak.
        if (claimed.addAndGet(2L * n) > budget) {
          claimed.addAndGet(-2L * n);
          throw new OverBudgetException(
              "too many large bodies in flight (budget " + (budget >> 20) + " MiB)");
        }
        total += n;
        out.write(buffer, 0, n);
      }
      return new Body(out.toByteArray(), 2L * total);
    } catch (IOException | RuntimeException e) {
      claimed.addAndGet(-2L * total);
      throw e;
    }
  }

  /** Bytes currently claimed (for tests and diagnostics). */
  long claimed() {
    return claimed.get();
  }
}
