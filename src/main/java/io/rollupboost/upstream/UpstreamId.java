package io.rollupboost.upstream;

import java.util.Locale;

/** The two execution engines behind the service; the only upstream label metrics use. */
public enum UpstreamId {
  L2,
  BUILDER;

  /** Lower-case name used in logs, metric labels and error messages. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
