package io.rollupboost.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

final class BoundedBodyTest {

  /** Collects {@code n} bytes in 4 KiB chunks, as the front door does; abandons on refusal. */
  private static BoundedBody.Body read(BoundedBody bodies, int n, long declared)
      throws IOException {
    BoundedBody.Collector collector = bodies.collect(declared);
    try {
      for (int off = 0; off < n; off += 4096) {
        collector.append(ByteBuffer.allocate(Math.min(4096, n - off)));
      }
    } catch (IOException e) {
      collector.abandon();
      throw e;
    }
    return collector.finish();
  }

  @Test
  void readsAWholeBodyAndReleasesItsBudgetOnClose() throws IOException {
    BoundedBody bodies = new BoundedBody(1000, 10_000);
    BoundedBody.Body body = read(bodies, 600, 600);
    assertThat(body.bytes()).hasSize(600);
    assertThat(bodies.claimed()).isEqualTo(1200);
    body.close();
    assertThat(bodies.claimed()).isZero();
  }

  @Test
  void refusesADeclaredOrActualSizeOverTheLimit() {
    BoundedBody bodies = new BoundedBody(1000, 10_000);
    assertThatThrownBy(() -> read(bodies, 10, 1001))
        .isInstanceOf(BoundedBody.TooLargeException.class);
    assertThatThrownBy(() -> read(bodies, 1001, -1))
        .isInstanceOf(BoundedBody.TooLargeException.class);
    assertThat(bodies.claimed()).isZero();
  }

  @Test
  void aDeclaredLengthAloneClaimsNothing() throws IOException {
    BoundedBody bodies = new BoundedBody(1 << 30, 4096);
    // Declares a gigabyte, sends 100 bytes: costs 100 bytes, not a gigabyte.
    try (BoundedBody.Body body = read(bodies, 100, 1 << 30)) {
      assertThat(body.bytes()).hasSize(100);
      assertThat(bodies.claimed()).isEqualTo(200);
    }
  }

  @Test
  void bodiesInFlightShareTheBudget() throws IOException {
    BoundedBody bodies = new BoundedBody(100_000, 100_000);
    BoundedBody.Body held = read(bodies, 40_000, 40_000);
    assertThatThrownBy(() -> read(bodies, 20_000, 20_000))
        .isInstanceOf(BoundedBody.OverBudgetException.class);
    assertThat(bodies.claimed()).as("the refused body gave back what it claimed").isEqualTo(80_000);
    held.close();
    try (BoundedBody.Body next = read(bodies, 20_000, 20_000)) {
      assertThat(next.bytes()).hasSize(20_000);
    }
  }

  @Test
  void aDeclaredLengthAloneAllocatesNothingAndAStallingPeerHoldsOneFirstBuffer()
      throws IOException {
    BoundedBody bodies = new BoundedBody(1 << 30, Long.MAX_VALUE);
    BoundedBody.Collector stalled = bodies.collect(1 << 30);
    assertThat(stalled.capacity()).isZero();
    stalled.append(ByteBuffer.allocate(1));
    assertThat(stalled.capacity()).isEqualTo(BoundedBody.FIRST_BUFFER);
    stalled.abandon();
  }

  @Test
  void aBodyOfDeclaredLengthEndsInABufferOfExactlyItsSize() throws IOException {
    BoundedBody bodies = new BoundedBody(1 << 30, Long.MAX_VALUE);
    int n = 1_000_000;
    BoundedBody.Collector collector = bodies.collect(n);
    for (int off = 0; off < n; off += 4096) {
      collector.append(ByteBuffer.wrap(new byte[Math.min(4096, n - off)]));
    }
    assertThat(collector.capacity()).isEqualTo(n);
    assertThat(collector.finish().bytes()).hasSize(n);
  }
}
