package io.rollupboost.config;

import io.rollupboost.engine.BuilderQualityBreaker;
import io.rollupboost.engine.PayloadSelector;
import io.rollupboost.engine.SelectionPolicy;
import io.rollupboost.metrics.EngineMetrics;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.util.List;

/**
 * Block selection ({@code selection:}): which policies may prefer the L2 block over a valid builder
 * block, and the builder quality breaker. Safety checks always apply.
 *
 * @param policies any of {@code gasUsed}, {@code txCount}, {@code value}; none by default
 * @param minGasRatio gasUsed: the builder block must use at least this fraction of L2's gas
 * @param minTxRatio txCount: at least this fraction of L2's non-deposit transactions
 */
public record SelectionFactory(
    @NotNull List<SelectionPolicy> policies,
    @NotNull @DecimalMin("0") @DecimalMax("1") Double minGasRatio,
    @NotNull @DecimalMin("0") @DecimalMax("1") Double minTxRatio,
    @Valid @NotNull Breaker breaker) {

  public SelectionFactory {
    policies = policies == null ? List.of() : List.copyOf(policies);
    minGasRatio = minGasRatio == null ? 0.1 : minGasRatio;
    minTxRatio = minTxRatio == null ? 0.5 : minTxRatio;
    breaker = breaker == null ? new Breaker(null, null, null, null) : breaker;
  }

  public static SelectionFactory defaults() {
    return new SelectionFactory(null, null, null, null);
  }

  /**
   * The builder quality breaker ({@code selection.breaker:}).
   *
   * @param losses degrade after this many losing productions ...
   * @param window ... among the last this many
   * @param recoveryWins consecutive winning dry-run comparisons that trust the builder again
   */
  public record Breaker(
      @NotNull Boolean enabled,
      @NotNull @Min(1) @Max(1000) Integer losses,
      @NotNull @Min(1) @Max(1000) Integer window,
      @NotNull @Min(1) @Max(1000) Integer recoveryWins) {
    public Breaker {
      enabled = enabled == null ? Boolean.TRUE : enabled;
      losses = losses == null ? 3 : losses;
      window = window == null ? 10 : window;
      recoveryWins = recoveryWins == null ? 3 : recoveryWins;
    }
  }

  public PayloadSelector selector() {
    return new PayloadSelector(policies, minGasRatio, minTxRatio);
  }

  public BuilderQualityBreaker breaker(EngineMetrics metrics, Clock clock) {
    return new BuilderQualityBreaker(
        breaker.enabled(),
        breaker.losses(),
        Math.max(breaker.window(), breaker.losses()),
        breaker.recoveryWins(),
        metrics,
        clock);
  }
}
