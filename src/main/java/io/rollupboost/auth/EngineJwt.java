package io.rollupboost.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 tokens as the Engine API authentication spec defines them: header {@code
 * {"alg":"HS256","typ":"JWT"}}, claim {@code iat} in unix seconds, accepted within ±60 s.
 */
public final class EngineJwt {
  /** The Engine API allows this much difference between {@code iat} and the receiver's clock. */
  public static final long MAX_DRIFT_SECONDS = 60;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final String HEADER =
      B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SecretKeySpec key;
  private final Clock clock;

  /** The token of the current second: HS256 is deterministic, so it equals a freshly minted one. */
  private volatile Minted current = new Minted(Long.MIN_VALUE, "");

  private record Minted(long iat, String token) {}

  /**
   * The last token {@link #verify} accepted, with its {@code iat}: op-node signs a token per call,
   * and all its calls within one second carry the same bytes, so a repeat needs only the drift
   * check against the clock (the signature and claims were checked on these exact bytes).
   */
  private volatile Minted lastAccepted = new Minted(Long.MIN_VALUE, null);

  public EngineJwt(JwtSecret secret, Clock clock) {
    this.key = new SecretKeySpec(secret.key(), "HmacSHA256");
    this.clock = clock;
  }

  /**
   * A token with {@code iat} = now (this second). Tokens are signed once per second: within a
   * second every fresh token would be byte-for-byte the same.
   */
  public String mint() {
    long iat = clock.instant().getEpochSecond();
    Minted minted = current;
    if (minted.iat() != iat) {
      minted = new Minted(iat, token(iat));
      current = minted;
    }
    return minted.token();
  }

  private String token(long iat) {
    String claims = B64.encodeToString(("{\"iat\":" + iat + "}").getBytes(StandardCharsets.UTF_8));
    String signingInput = HEADER + "." + claims;
    return signingInput + "." + B64.encodeToString(sign(signingInput));
  }

  /**
   * Checks an {@code Authorization} header value. Returns null when the token is acceptable,
   * otherwise a short reason safe to show to the caller (it never echoes the token).
   */
  public String verify(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      return "missing Authorization header";
    }
    String value = authorizationHeader.strip();
    if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return "Authorization header is not a Bearer token";
    }
    String token = value.substring(7).strip();
    Minted accepted = lastAccepted;
    if (token.equals(accepted.token())) {
      return drift(accepted.iat());
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return "token is not a JWT";
    }
    try {
      JsonNode header = MAPPER.readTree(B64D.decode(parts[0]));
      if (header == null || !"HS256".equals(header.path("alg").asText())) {
        return "token algorithm must be HS256";
      }
      byte[] expected = sign(parts[0] + "." + parts[1]);
      if (!MessageDigest.isEqual(expected, B64D.decode(parts[2]))) {
        return "signature verification failed";
      }
      JsonNode claims = MAPPER.readTree(B64D.decode(parts[1]));
      JsonNode iat = claims == null ? null : claims.get("iat");
      if (iat == null || !iat.canConvertToLong()) {
        return "token has no numeric iat claim";
      }
      String stale = drift(iat.asLong());
      if (stale == null) {
        lastAccepted = new Minted(iat.asLong(), token);
      }
      return stale;
    } catch (IllegalArgumentException | java.io.IOException e) {
      return "token is not a JWT";
    }
  }

  /** Null when {@code iat} is within the allowed drift of the clock, otherwise why not. */
  private String drift(long iat) {
    long drift = clock.instant().getEpochSecond() - iat;
    if (Math.abs(drift) > MAX_DRIFT_SECONDS) {
      return "stale token: iat is "
          + drift
          + " s away from now (allowed ±"
          + MAX_DRIFT_SECONDS
          + " s)";
    }
    return null;
  }

  private byte[] sign(String signingInput) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
