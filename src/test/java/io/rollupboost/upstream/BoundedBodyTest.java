package io.rollupboost.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

final class BoundedBodyTest {

  private static InputStream bytes(int n) {
    return new ByteArrayInputStream(new byte[n]);
  }

  @Test
  void readsAWholeBodyAndReleasesItsBudgetOnClose() throws IOException {
    BoundedBody bodies = new BoundedBody(1000, 10_000);
    BoundedBody.Body body = bodies.read(bytes(600), 600);
    assertThat(body.bytes()).hasSize(600);
    assertThat(bodies.claimed()).isEqualTo(1200);
    body.close();
    assertThat(bodies.claimed()).isZero();
  }

  @Test
  void refusesADeclaredOrActualSizeOverTheLimit() {
    BoundedBody bodies = new BoundedBody(1000, 10_000);
    assertThatThrownBy(() -> bodies.read(bytes(10), 1001))
        .isInstanceOf(BoundedBody.TooLargeException.class);
    assertThatThrownBy(() -> bodies.read(bytes(1001), -1))
        .isInstanceOf(BoundedBody.TooLargeException.class);
    assertThat(bodies.claimed()).isZero();
  }

  @Test
  void aDeclaredLengthAloneClaimsNothing() throws IOException {
    BoundedBody bodies = new BoundedBody(1 << 30, 4096);
    // Declares a gigabyte, sends 100 bytes: costs 100 bytes, not a gigabyte.
    try (BoundedBody.Body body = bodies.read(bytes(100), 1 << 30)) {
      assertThat(body.bytes()).hasSize(100);
      assertThat(bodies.claimed()).isEqualTo(200);
    }
  }

  @Test
  void bodiesInFlightShareTheBudget() throws IOException {
    BoundedBody bodies = new BoundedBody(100_000, 100_000);
    BoundedBody.Body held = bodies.read(bytes(40_000), 40_000);
    assertThatThrownBy(() -> bodies.read(bytes(20_000), 20_000))
        .isInstanceOf(BoundedBody.OverBudgetException.class);
    assertThat(bodies.claimed()).as("the refused body gave back what it claimed").isEqualTo(80_000);
    held.close();
    try (BoundedBody.Body next = bodies.read(bytes(20_000), 20_000)) {
      assertThat(next.bytes()).hasSize(20_000);
    }
  }
}
