package io.rollupboost.rpc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A JSON value kept as the exact bytes it arrived with, so it can be forwarded unchanged. */
public final class RawJson {
  public static final RawJson NULL = of("null");
  public static final RawJson EMPTY_ARRAY = of("[]");

  private final byte[] bytes;

  private RawJson(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps bytes the caller will not modify afterwards. */
  public static RawJson wrap(byte[] bytes) {
    return new RawJson(bytes);
  }

  public static RawJson slice(byte[] source, int from, int to) {
    return new RawJson(Arrays.copyOfRange(source, from, to));
  }

  public static RawJson of(String json) {
    return new RawJson(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The bytes; callers must not modify them. */
  public byte[] bytes() {
    return bytes;
  }

  public int size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawJson other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
