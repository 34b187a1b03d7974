package io.rollupboost.engine;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.RawJson;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Finds object keys that two JSON decoders can read differently. This service reads the builder's
 * envelope with exact key names (a repeated name: the last value); op-node decodes it with Go's
 * {@code encoding/json}, which also matches a field case-insensitively (with Unicode folding, so
 * {@code ſ} matches {@code s}) and lets a later match overwrite an earlier one. An envelope with
 * {@code executionPayload} and then {@code ExecutionPayload} would have L2 validate the first
 * payload and op-node receive the second. Engine API keys are ASCII and distinct ignoring case, so
 * such an envelope is refused.
 */
final class AmbiguousKeys {
  private AmbiguousKeys() {}

  /** What is ambiguous in {@code json}, or null when every object's keys are unambiguous. */
  static String find(RawJson json) {
    Deque<Set<String>> objects = new ArrayDeque<>();
    try (JsonParser p = JsonRpcCodec.parser(json.bytes())) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.START_OBJECT) {
          objects.push(new HashSet<>());
        } else if (t == JsonToken.END_OBJECT) {
          objects.pop();
        } else if (t == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (!ascii(name)) {
            return "non-ASCII key " + printable(name) + " in the builder's envelope";
          }
          if (!objects.peek().add(name.toLowerCase(Locale.ROOT))) {
            return "key " + printable(name) + " repeats (ignoring case) in the builder's envelope";
          }
        }
      }
      return null;
    } catch (IOException e) {
      return "unreadable builder envelope: " + e.getMessage();
    }
  }

  private static boolean ascii(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) > 0x7e || name.charAt(i) < 0x20) {
        return false;
      }
    }
    return true;
  }

  private static String printable(String name) {
    StringBuilder out = new StringBuilder("\"");
    name.codePoints()
        .limit(64)
        .forEach(
            c -> {
              if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') {
                out.append((char) c);
              } else {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
              }
            });
    return out.append('"').toString();
  }
}
