package io.rollupboost.upstream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads whole HTTP bodies into memory within a per-body limit and, optionally, a budget shared by
 * every body being read at once. Memory is claimed as bytes arrive, never on the strength of a
 * declared Content-Length alone: a peer that declares 32 MiB and then trickles costs what it sent,
 * and its buffer is at most {@link #FIRST_BUFFER} or a few times what it sent.
 */
public final class BoundedBody {
  /**
   * The first buffer, allocated when the first bytes arrive: a declared length sizes it only up to
   * this, so a peer that declares megabytes and stalls holds at most this much.
   */
  static final int FIRST_BUFFER = 64 << 10;

  /** The first buffer of a body of unknown length (chunked): most answers are small. */
  private static final int UNKNOWN_FIRST_BUFFER = 4 << 10;

  /** Growth factor once bytes beyond the first buffer arrive (bounded by the declared length). */
  private static final int GROWTH = 4;

  private static final byte[] EMPTY = new byte[0];

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
    return new Collector(declared);
  }

  /** A body being collected; {@link #abandon()} it if it is never finished. */
  public final class Collector {
    private final long declared;
    private byte[] buffer = EMPTY;
    private int size;
    private long held;

    private Collector(long declared) {
      this.declared = declared;
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
        buffer = Arrays.copyOf(buffer, capacityFor(size + n));
      }
      chunk.get(buffer, size, n);
      size += n;
    }

    /**
     * A buffer size for {@code needed} bytes: the declared length when it is small, else the first
     * buffer, then {@link #GROWTH} times larger, never past the declared length or the limit.
     */
    private int capacityFor(int needed) {
      long first = declared > 0 ? FIRST_BUFFER : UNKNOWN_FIRST_BUFFER;
      long target = buffer.length == 0 ? first : (long) GROWTH * buffer.length;
      long ceiling = declared >= needed ? declared : limit;
      return (int) Math.max(needed, Math.min(target, ceiling));
    }

    /** Bytes of buffer currently allocated (for tests). */
    int capacity() {
      return buffer.length;
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
