package io.rollupboost.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/** The bearer token that protects mutating admin endpoints. Never printed. */
public final class AdminToken {
  private final byte[] token;

  private AdminToken(byte[] token) {
    this.token = token;
  }

  /**
   * Reads a token file (surrounding whitespace ignored; at least 16 printable characters).
   *
   * @throws JwtSecret.InvalidSecretException naming the problem, never the content
   */
  public static AdminToken read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException | RuntimeException e) {
      throw new JwtSecret.InvalidSecretException(
          "cannot read token file " + Redaction.path(file) + " (" + JwtSecret.reason(e) + ")");
    }
    if (text.length() < 16 || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new JwtSecret.InvalidSecretException(
          "token file "
              + Redaction.path(file)
              + " must hold at least 16 printable characters without spaces");
    }
    return new AdminToken(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether an {@code Authorization} header carries this token (constant-time comparison). */
  public boolean matches(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  @Override
  public String toString() {
    return "AdminToken[redacted]";
  }
}
