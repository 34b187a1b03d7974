package io.rollupboost.config;

import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * The background health probe ({@code probe:}) and the board's flap control.
 *
 * @param interval probe period
 * @param timeout deadline of each probe call; defaults to {@code interval}
 * @param maxUnsafeInterval a head older than this (against wall clock) is out of sync
 * @param maxBuilderLag a builder more blocks than this behind L2 is out of sync
 * @param failureThreshold consecutive failed observations before a healthy component degrades
 * @param successThreshold consecutive good observations before an unhealthy component recovers
 */
public record ProbeFactory(
    @NotNull
        @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
        @MaxDuration(value = 10, unit = TimeUnit.MINUTES)
        Duration interval,
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS) Duration timeout,
    @NotNull @MinDuration(value = 1, unit = TimeUnit.SECONDS) Duration maxUnsafeInterval,
    @NotNull @Min(0) Long maxBuilderLag,
    @NotNull @Min(1) @Max(1000) Integer failureThreshold,
    @NotNull @Min(1) @Max(1000) Integer successThreshold) {

  public ProbeFactory {
    interval = interval == null ? Duration.seconds(1) : interval;
    timeout = timeout == null ? interval : timeout;
    maxUnsafeInterval = maxUnsafeInterval == null ? Duration.seconds(10) : maxUnsafeInterval;
    maxBuilderLag = maxBuilderLag == null ? 2L : maxBuilderLag;
    failureThreshold = failureThreshold == null ? 1 : failureThreshold;
    successThreshold = successThreshold == null ? 1 : successThreshold;
  }

  public static ProbeFactory defaults() {
    return new ProbeFactory(null, null, null, null, null, null);
  }

  static java.time.Duration java(Duration d) {
    return java.time.Duration.ofNanos(d.toNanoseconds());
  }

  public java.time.Duration intervalJava() {
    return java(interval);
  }

  public java.time.Duration timeoutJava() {
    return java(timeout);
  }

  public java.time.Duration maxUnsafeIntervalJava() {
    return java(maxUnsafeInterval);
  }
}
