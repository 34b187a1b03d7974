package io.rollupboost.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class RedactionTest {
  static final String JWT = EngineJwtTest.VECTOR;
  static final String HEX = EngineJwtTest.HEX;

  @Test
  void echoedCredentialsAreRedacted() {
    assertThat(Redaction.redact("HTTP 401: invalid token Bearer " + JWT + "</pre>"))
        .isEqualTo("HTTP 401: invalid token Bearer [redacted]</pre>");
    assertThat(Redaction.redact("token " + JWT + " rejected"))
        .isEqualTo("token [redacted] rejected");
    assertThat(Redaction.redact("authorization: bearer s3cret-admin-token-0123"))
        .isEqualTo("authorization: bearer [redacted]");
    assertThat(Redaction.redact("Authorization: Basic b3Atbm9kZTpzZWNyZXQ=, next"))
        .isEqualTo("Authorization: Basic [redacted], next");
  }

  @Test
  void ordinaryTextIsLeftAlone() {
    String text =
        "l2 eth_chainId failed: HTTP 502: needs a Bearer token, basic auth off; hash 0x"
            + "ab".repeat(32);
    assertThat(Redaction.redact(text)).isEqualTo(text);
    assertThat(Redaction.hasCredential(text)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        HEX,
        "0x" + HEX,
        "0XABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
        "q8Zk3mPXa1-Vb_7rT2yWn4sLc0dEf9gH",
        "q8/Zk3mP+Xa1Vb7rT2yWn4sLc0dEf9gH=",
        JWT
      })
  void aSecretPastedWhereAPathBelongsIsNotEchoed(String value) {
    assertThat(Redaction.path(Path.of(value))).doesNotContain(value).contains("not shown");
    assertThatThrownBy(() -> JwtSecret.read(Path.of(value)))
        .hasMessageNotContaining(value)
        .hasMessageContaining("cannot read secret file");
    assertThatThrownBy(() -> AdminToken.read(Path.of(value))).hasMessageNotContaining(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jwt.hex", "/etc/rollup-boost/admin.token", "secrets/l2-jwt.hex", "x"})
  void aMissingFileIsNamed(String value) {
    assertThatThrownBy(() -> JwtSecret.read(Path.of(value)))
        .hasMessage("cannot read secret file " + value + " (no such file)");
  }

  @Test
  void aFileInAnExistingDirectoryIsNamedEvenWithoutExtension(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("rollupboostadminsecret");
    assertThat(Redaction.path(missing)).isEqualTo(missing.toString());
    Path present = Files.writeString(dir.resolve("q8Zk3mPXa1Vb7rT2yWn4sLc0dEf9gH"), "short");
    assertThatThrownBy(() -> AdminToken.read(present)).hasMessageContaining(present.toString());
  }
}
