package io.rollupboost.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class EngineJwtTest {
  static final String HEX = "688f5d737bad920bdfb2fc2f488d6b6209eebda1dae949a8de91398d932c517a";

  /** Computed independently (Python hmac) for iat 1700000000 with HEX. */
  static final String VECTOR =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MDAwMDAwMDB9."
          + "s6udfviLkct8Bg3Ch-cx2E_KhCTdzhEpfNEm-PNA00U";

  static Clock at(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  static EngineJwt jwt(long now) {
    return new EngineJwt(JwtSecret.parse(HEX, "test"), at(now));
  }

  @Test
  void mintsTheKnownVector() {
    assertThat(jwt(1_700_000_000L).mint()).isEqualTo(VECTOR);
  }

  @Test
  void aTokenReusedWithinItsSecondIsRenewedWhenTheSecondChanges() {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_700_000_000L));
    EngineJwt jwt = new EngineJwt(JwtSecret.parse(HEX, "test"), clock);
    assertThat(jwt.mint()).isEqualTo(VECTOR);
    clock.now = Instant.ofEpochSecond(1_700_000_000L, 999_000_000L);
    assertThat(jwt.mint()).isEqualTo(VECTOR);
    clock.now = Instant.ofEpochSecond(1_700_000_001L);
    String next = jwt.mint();
    assertThat(next).isNotEqualTo(VECTOR).isEqualTo(jwt(1_700_000_001L).mint());
    assertThat(jwt(1_700_000_001L).verify("Bearer " + next)).isNull();
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1_700_000_000L, 1_700_000_060L, 1_699_999_940L})
  void acceptsTokensWithinSixtySeconds(long now) {
    assertThat(jwt(now).verify("Bearer " + VECTOR)).isNull();
  }

  @ParameterizedTest
  @ValueSource(longs = {1_700_000_061L, 1_699_999_939L})
  void rejectsStaleOrFutureTokens(long now) {
    assertThat(jwt(now).verify("Bearer " + VECTOR)).startsWith("stale token");
  }

  /** A repeated token skips the signature check but never the clock. */
  @Test
  void aRepeatedTokenIsStillCheckedAgainstTheClock() {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_700_000_000L));
    EngineJwt jwt = new EngineJwt(JwtSecret.parse(HEX, "test"), clock);
    assertThat(jwt.verify("Bearer " + VECTOR)).isNull();
    assertThat(jwt.verify("Bearer " + VECTOR)).isNull();
    clock.now = Instant.ofEpochSecond(1_700_000_061L);
    assertThat(jwt.verify("Bearer " + VECTOR)).startsWith("stale token: iat is 61 s");
    clock.now = Instant.ofEpochSecond(1_700_000_000L);
    String tampered = VECTOR.substring(0, VECTOR.length() - 2) + "AA";
    assertThat(jwt.verify("Bearer " + tampered)).isEqualTo("signature verification failed");
    assertThat(jwt.verify("Bearer " + tampered))
        .as("a rejected token is never remembered as accepted")
        .isEqualTo("signature verification failed");
    assertThat(jwt.verify("Bearer " + VECTOR)).isNull();
  }

  @Test
  void rejectsWrongSignatureAndMalformedHeaders() {
    EngineJwt other =
        new EngineJwt(JwtSecret.parse(HEX.replace('6', '7'), "t"), at(1_700_000_000L));
    assertThat(other.verify("Bearer " + VECTOR)).isEqualTo("signature verification failed");
    assertThat(jwt(1_700_000_000L).verify(null)).isEqualTo("missing Authorization header");
    assertThat(jwt(1_700_000_000L).verify("Basic abc")).contains("Bearer");
    assertThat(jwt(1_700_000_000L).verify("Bearer a.b")).isEqualTo("token is not a JWT");
    assertThat(jwt(1_700_000_000L).verify("Bearer !!.??.**")).isEqualTo("token is not a JWT");
    String none = "eyJhbGciOiJub25lIn0." + VECTOR.split("\\.")[1] + ".";
    assertThat(jwt(1_700_000_000L).verify("Bearer " + none)).contains("HS256");
  }

  @Test
  void secretFilesAcceptPrefixAndTrailingNewline(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.hex"), "0x" + HEX + "\n");
    Files.writeString(dir.resolve("b.hex"), HEX.toUpperCase(java.util.Locale.ROOT));
    long now = 1_700_000_000L;
    assertThat(new EngineJwt(JwtSecret.read(dir.resolve("a.hex")), at(now)).mint())
        .isEqualTo(VECTOR);
    assertThat(new EngineJwt(JwtSecret.read(dir.resolve("b.hex")), at(now)).mint())
        .isEqualTo(VECTOR);
  }

  @Test
  void badSecretFilesFailWithoutLeakingContent(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("short.hex"), "deadbeef");
    Files.writeString(dir.resolve("nothex.hex"), "zz" + HEX.substring(2));
    assertThatThrownBy(() -> JwtSecret.read(dir.resolve("missing.hex")))
        .hasMessageContaining("no such file");
    assertThatThrownBy(() -> JwtSecret.read(dir.resolve("short.hex")))
        .hasMessageContaining("64 hex characters")
        .hasMessageNotContaining("deadbeef");
    assertThatThrownBy(() -> JwtSecret.read(dir.resolve("nothex.hex")))
        .hasMessageContaining("only hex")
        .hasMessageNotContaining(HEX.substring(2));
    assertThat(JwtSecret.parse(HEX, "x").toString()).doesNotContain(HEX);
  }
}
