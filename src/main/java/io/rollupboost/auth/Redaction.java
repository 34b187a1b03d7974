package io.rollupboost.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of text that reaches logs, error messages and health details: bearer and
 * basic credentials and JWTs in what an upstream answered (a proxy or client that echoes our
 * Authorization header), and a secret pasted into config where a file path belongs.
 */
public final class Redaction {
  /** A JWT: base64url JSON header ({@code eyJ} encodes {@code {"}), claims, signature. */
  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]*)?");

  /** A bearer value, long enough not to take prose ("a Bearer token") for a credential. */
  private static final Pattern BEARER =
      Pattern.compile("(?i)\\b(bearer)(?:\\s+|%20|\\+)[^\\s\"'<>,;&]{8,}");

  /** Basic credentials (base64). */
  private static final Pattern BASIC =
      Pattern.compile("(?i)\\b(basic)(?:\\s+|%20|\\+)[A-Za-z0-9+/]{8,}=*");

  /** Hex of at least 16 bytes: what a JWT secret looks like. */
  private static final Pattern HEX_SECRET = Pattern.compile("(0[xX])?[0-9a-fA-F]{32,}");

  /** A file name ending in an extension ({@code jwt.hex}, {@code admin.token}). */
  private static final Pattern WITH_EXTENSION = Pattern.compile(".*\\.[A-Za-z0-9]{1,8}");

  private Redaction() {}

  /** {@code text} with bearer and basic credentials and JWTs replaced by {@code [redacted]}. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = BEARER.matcher(text).replaceAll("$1 [redacted]");
    out = BASIC.matcher(out).replaceAll("$1 [redacted]");
    return JWT.matcher(out).replaceAll("[redacted]");
  }

  /** Whether {@code text} holds a bearer or basic credential or a JWT. */
  public static boolean hasCredential(String text) {
    return text != null
        && (BEARER.matcher(text).find() || BASIC.matcher(text).find() || JWT.matcher(text).find());
  }

  /**
   * A configured secret-file path as it may appear in an error message: as given, unless the file
   * does not exist and the value looks like the secret itself, which is never echoed.
   */
  public static String path(Path file) {
    String value = file.toString();
    if (Files.exists(file) || !looksLikeSecret(value)) {
      return value;
    }
    return "<not shown: looks like a secret, not a file path>";
  }

  /**
   * Hex of a JWT secret, a credential, or a long opaque string (16+ characters, no whitespace)
   * whose last segment has no extension and whose directory, if it names one, does not exist. A
   * missing {@code jwt.hex} or {@code /etc/rollup-boost/admin.token} is still named.
   */
  static boolean looksLikeSecret(String value) {
    String v = value.strip();
    if (HEX_SECRET.matcher(v).matches() || hasCredential(v)) {
      return true;
    }
    if (v.length() < 16 || v.chars().anyMatch(Character::isWhitespace)) {
      return false;
    }
    int slash = v.lastIndexOf('/');
    if (WITH_EXTENSION.matcher(v.substring(slash + 1)).matches()) {
      return false;
    }
    return slash <= 0 || !Files.isDirectory(Path.of(v.substring(0, slash)));
  }
}
