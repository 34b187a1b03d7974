package io.rollupboost.config;

import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** The background health probe ({@code probe:}). */
public record ProbeFactory(
    @NotNull
        @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
        @MaxDuration(value = 10, unit = TimeUnit.MINUTES)
        Duration interval,
    @NotNull @MinDuration(value = 1, unit = TimeUnit.SECONDS) Duration maxUnsafeInterval) {

  public ProbeFactory {
    interval = interval == null ? Duration.seconds(1) : interval;
    maxUnsafeInterval = maxUnsafeInterval == null ? Duration.seconds(10) : maxUnsafeInterval;
  }

  public static ProbeFactory defaults() {
    return new ProbeFactory(null, null);
  }
}
