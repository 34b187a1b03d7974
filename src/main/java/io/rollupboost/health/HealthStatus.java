package io.rollupboost.health;

/** The composite status op-conductor reads from {@code /healthz}. */
public enum HealthStatus {
  HEALTHY(200, "OK", "Healthy", 2),
  PARTIAL_CONTENT(206, "Partial Content", "PartialContent", 1),
  SERVICE_UNAVAILABLE(503, "Service Unavailable", "ServiceUnavailable", 0);

  private final int httpCode;
  private final String text;
  private final String conductorName;
  private final int gaugeValue;

  HealthStatus(int httpCode, String text, String conductorName, int gaugeValue) {
    this.httpCode = httpCode;
    this.text = text;
    this.conductorName = conductorName;
    this.gaugeValue = gaugeValue;
  }

  public int httpCode() {
    return httpCode;
  }

  /** Body of {@code /healthz}, as the reference writes it. */
  public String text() {
    return text;
  }

  /** Value of {@code rollup_boost_health} in op-conductor's JSON mode. */
  public String conductorName() {
    return conductorName;
  }

  /** Value of the {@code rollup_boost_health_status} gauge. */
  public int gaugeValue() {
    return gaugeValue;
  }
}
