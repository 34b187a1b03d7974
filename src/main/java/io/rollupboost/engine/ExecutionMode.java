package io.rollupboost.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How much the builder takes part in block production (DESIGN.md section 5). */
public enum ExecutionMode {
  ENABLED("enabled", 3),
  DRY_RUN("dry_run", 2),
  DISABLED("disabled", 1);

  private final String wire;
  private final int gaugeValue;

  ExecutionMode(String wire, int gaugeValue) {
    this.wire = wire;
    this.gaugeValue = gaugeValue;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  /** Value of the {@code rollup_boost_execution_mode} gauge. */
  public int gaugeValue() {
    return gaugeValue;
  }

  /**
   * Parses {@code enabled}, {@code dry_run} (also {@code dry-run}) or {@code disabled}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  @JsonCreator
  public static ExecutionMode parse(String text) {
    String normalized = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    for (ExecutionMode mode : values()) {
      if (mode.wire.equals(normalized)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown execution mode '" + text + "', expected one of " + accepted());
  }

  public static String accepted() {
    return Arrays.stream(values()).map(ExecutionMode::wire).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return wire;
  }
}
