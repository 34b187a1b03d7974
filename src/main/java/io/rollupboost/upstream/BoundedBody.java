package io.rollupboost.upstream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
   * Starts collecting one body from chunks as they arrive.
   *
   * @param declared the Content-Length, or a negative value when unknown
   */
  public Collector collect(long declared) throws TooLargeException {
    if (declared > limit) {
      throw new TooLargeException("body of " + declared + " bytes exceeds the limit of " + limit);
    }
    return new Collector(declared > 0 ? (int) Math.min(declared, MAX_PRESIZE) : 1024);
  }

  /** A body being collected; {@link #abandon()} it if it is never finished. */
  public final class Collector {
    private byte[] buffer;
    private int size;
    private long held;

    private Collector(int presize) {
      buffer = new byte[presize];
    }

    /** Appends a chunk (consuming it) within the per-body limit and the shared budget. */
    public void append(ByteBuffer chunk) throws TooLargeException, OverBudgetException {
      int n = chunk.remaining();
      if (size + (long) n > limit) {
        throw new TooLargeException("body exceeds the limit of " + limit + " bytes");
      }
      // Growth, the final copy and the reader's own use: about twice the body at its peak.
      if (claimed.addAndGet(2L * n) > budget) {
        claimed.addAndGet(-2L * n);
        throw new OverBudgetException(
            "too many large bodies in flight (budget " + (budget >> 20) + " MiB)");
      }
      held += 2L * n;
      if (size + n > buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max(size + n, 2L * size)));
      }
      chunk.get(buffer, size, n);
      size += n;
    }

    /** The whole body; it keeps its claim until closed. */
    public Body finish() {
      byte[] bytes = size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
      buffer = null;
      Body body = new Body(bytes, held);
      held = 0;
      return body;
    }

    /** Releases what this body claimed (a failed or refused read). */
    public void abandon() {
      claimed.addAndGet(-held);
      held = 0;
      buffer = null;
    }
  }

  /** Bytes currently claimed (for tests and diagnostics). */
  long claimed() {
    return claimed.get();
  }
}
