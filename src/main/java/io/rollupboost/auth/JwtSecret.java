package io.rollupboost.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;

/** A 32-byte HS256 secret for the Engine API, read from a hex file. Never printed. */
public final class JwtSecret {
  private final byte[] key;

  private JwtSecret(byte[] key) {
    this.key = key;
  }

  /**
   * Reads a secret file: 64 hex characters, optional {@code 0x} prefix, surrounding whitespace
   * (such as a trailing newline) ignored.
   *
   * @throws InvalidSecretException with a message that names the problem but never the content
   */
  public static JwtSecret read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new InvalidSecretException(
          "cannot read secret file " + Redaction.path(file) + " (" + reason(e) + ")");
    }
    return parse(text, "secret file " + Redaction.path(file));
  }

  /** Parses the hex form of a secret; {@code what} names the source in error messages. */
  public static JwtSecret parse(String text, String what) {
    String hex = text.strip();
    if (hex.startsWith("0x") || hex.startsWith("0X")) {
      hex = hex.substring(2);
    }
    if (hex.length() != 64) {
      throw new InvalidSecretException(
          what
              + " must hold 32 bytes as 64 hex characters (found "
              + hex.length()
              + " characters)");
    }
    try {
      return new JwtSecret(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new InvalidSecretException(what + " must contain only hex characters");
    }
  }

  byte[] key() {
    return key.clone();
  }

  static String reason(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getClass().getSimpleName();
  }

  @Override
  public String toString() {
    return "JwtSecret[redacted]";
  }

  /** A secret file that is missing or malformed. The message never contains secret material. */
  public static final class InvalidSecretException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidSecretException(String message) {
      super(message);
    }
  }
}
