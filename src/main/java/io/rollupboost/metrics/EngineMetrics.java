package io.rollupboost.metrics;

import io.rollupboost.upstream.UpstreamException;
import io.rollupboost.upstream.UpstreamId;
import java.util.List;
import java.util.Set;

/**
 * Every Prometheus family the service exports under its own names (DESIGN.md section 8 plus the
 * explanatory counters). Label values are bounded: upstream ids, a fixed method set, fixed reason
 * strings.
 */
public final class EngineMetrics {
  /** Methods that get their own label value; any other method is counted as {@code other}. */
  private static final Set<String> KNOWN_METHODS =
      Set.of(
          "engine_forkchoiceUpdatedV3",
          "engine_getPayloadV3",
          "engine_getPayloadV4",
          "engine_getPayloadV5",
          "engine_newPayloadV3",
          "engine_newPayloadV4",
          "engine_exchangeCapabilities",
          "eth_getBlockByNumber",
          "eth_sendRawTransaction",
          "eth_sendRawTransactionConditional",
          "miner_setExtra",
          "miner_setGasPrice",
          "miner_setGasLimit",
          "miner_setMaxDASize",
          "eth_chainId",
          "eth_blockNumber",
          "eth_call",
          "eth_getBalance",
          "eth_getTransactionCount",
          "eth_getTransactionReceipt");

  private final TextFamily.Counter blocksCreated;
  private final TextFamily.Counter fallbacks;
  private final TextFamily.Histogram upstreamDuration;
  private final TextFamily.Counter upstreamErrors;
  private final TextFamily.Counter upstreamFailures;
  private final TextFamily.Counter builderLaneDropped;
  private final TextFamily.Counter rejectedRequests;
  private final TextFamily.Counter builderBypass;
  private final TextFamily.Counter healthTransitions;
  private final TextFamily.Gauge headAge;
  private final TextFamily.Gauge headNumber;

  private final TextFamily.Gauge executionMode =
      new TextFamily.Gauge(
          "rollup_boost_execution_mode", "Execution mode: 3 enabled, 2 dry_run, 1 disabled");
  private final TextFamily.Gauge breakerState =
      new TextFamily.Gauge(
          "rollup_boost_builder_breaker_state",
          "Builder quality breaker: 0 trusted, 1 degraded (L2 blocks, node 206)");
  private final TextFamily.Counter breakerTransitions =
      new TextFamily.Counter(
          "rollup_boost_builder_breaker_transitions_total",
          "Builder quality breaker changes, by the state entered",
          "to");
  private final TextFamily.Counter selections =
      new TextFamily.Counter(
          "rollup_boost_selection_total",
          "Comparisons of a valid builder block with L2's: the deciding policy (none, safety or a policy) and the winner",
          "policy",
          "winner");
  private final TextFamily.Gauge headTimestamp =
      new TextFamily.Gauge(
          "rollup_boost_head_timestamp_seconds",
          "Timestamp of each upstream's latest block seen by a successful probe (time() minus this is its age even while probes fail)",
          "upstream");
  private final TextFamily.Gauge healthStatus =
      new TextFamily.Gauge(
          "rollup_boost_health_status", "Health reported on /healthz: 2 = 200, 1 = 206, 0 = 503");

  public EngineMetrics() {
    blocksCreated =
        new TextFamily.Counter(
            "rollup_boost_blocks_created_total",
            "Blocks returned to op-node by getPayload, by the engine that built them",
            "source");
    fallbacks =
        new TextFamily.Counter(
            "rollup_boost_builder_fallbacks_total",
            "getPayload answered with the L2 block although a builder block was expected",
            "reason");
    upstreamDuration =
        new TextFamily.Histogram(
            "rollup_boost_upstream_request_duration_seconds",
            "Latency of JSON-RPC calls to the L2 client and the builder",
            new double[] {
              0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2,
              3, 5
            },
            "upstream",
            "method");
    upstreamErrors =
        new TextFamily.Counter(
            "rollup_boost_upstream_errors_total",
            "Calls to an upstream that failed (transport failure or JSON-RPC error)",
            "upstream",
            "method");
    upstreamFailures =
        new TextFamily.Counter(
            "rollup_boost_upstream_failures_total",
            "Upstream calls that got no JSON-RPC answer, by cause",
            "upstream",
            "kind");
    builderLaneDropped =
        new TextFamily.Counter(
            "rollup_boost_builder_sync_dropped_total",
            "Builder sync calls (newPayload, forkchoiceUpdated) dropped because the queue was full");
    rejectedRequests =
        new TextFamily.Counter(
            "rollup_boost_rpc_rejected_total",
            "Inbound JSON-RPC requests answered with an error before reaching an upstream",
            "reason");
    builderBypass =
        new TextFamily.Counter(
            "rollup_boost_builder_bypass_total",
            "Block-production calls not sent to the builder because it was unhealthy",
            "method");
    healthTransitions =
        new TextFamily.Counter(
            "rollup_boost_health_transitions_total",
            "Changes of a component's health state",
            "component",
            "from",
            "to");
    headAge =
        new TextFamily.Gauge(
            "rollup_boost_head_age_seconds",
            "Age of each upstream's latest block against wall clock at the last probe",
            "upstream");
    headNumber =
        new TextFamily.Gauge(
            "rollup_boost_head_number",
            "Number of each upstream's latest block at the last probe",
            "upstream");
    for (UpstreamId source : UpstreamId.values()) {
      blocksCreated.init(source.label());
    }
    for (io.rollupboost.engine.BuilderOutcome.Kind kind :
        io.rollupboost.engine.BuilderOutcome.Kind.values()) {
      if (kind.countsAsFallback()) {
        fallbacks.init(kind.reason());
      }
    }
    for (String reason :
        List.of(
            "dry_run", "builder_degraded", "policy_gas_used", "policy_tx_count", "policy_value")) {
      fallbacks.init(reason);
    }
    for (String component : List.of("l2", "builder")) {
      for (String[] pair :
          new String[][] {
            {"unknown", "healthy"},
            {"unknown", "unhealthy"},
            {"healthy", "unhealthy"},
            {"unhealthy", "healthy"}
          }) {
        healthTransitions.init(component, pair[0], pair[1]);
      }
    }
    for (String from : List.of("healthy", "partial_content", "service_unavailable")) {
      for (String to : List.of("healthy", "partial_content", "service_unavailable")) {
        if (!from.equals(to)) {
          healthTransitions.init("node", from, to);
        }
      }
    }
    for (String method :
        List.of(
            "engine_forkchoiceUpdatedV3",
            "engine_getPayloadV3",
            "engine_getPayloadV4",
            "engine_getPayloadV5")) {
      builderBypass.init(method);
    }
    for (String reason :
        List.of(
            "parse_error", "invalid_request", "too_large", "busy", "unauthorized", "unreadable")) {
      rejectedRequests.init(reason);
    }
    breakerTransitions.init("degraded");
    breakerTransitions.init("trusted");
  }

  /** Exports {@code rollup_boost_execution_mode} (3 enabled, 2 dry_run, 1 disabled). */
  public void executionMode(java.util.function.IntSupplier mode) {
    executionMode.callback(mode::getAsInt);
  }

  public void breakerState(java.util.function.IntSupplier state) {
    breakerState.callback(state::getAsInt);
  }

  public void breakerTransition(String to) {
    breakerTransitions.inc(to);
  }

  public void selection(String policy, String winner) {
    selections.inc(policy, winner);
  }

  public void healthStatus(java.util.function.IntSupplier status) {
    healthStatus.callback(status::getAsInt);
  }

  /** All families, in exposition order. */
  List<TextFamily> families() {
    return List.of(
        blocksCreated,
        fallbacks,
        healthStatus,
        executionMode,
        upstreamDuration,
        upstreamErrors,
        headAge,
        headNumber,
        headTimestamp,
        upstreamFailures,
        builderLaneDropped,
        rejectedRequests,
        builderBypass,
        healthTransitions,
        breakerState,
        breakerTransitions,
        selections);
  }

  /** Fallback counts by reason since start, for {@code /healthz/details}. */
  public java.util.Map<String, Double> fallbackSnapshot() {
    return fallbacks.snapshot();
  }

  public static String methodLabel(String method) {
    return KNOWN_METHODS.contains(method) ? method : "other";
  }

  public void upstreamCall(
      UpstreamId upstream, String method, long nanos, UpstreamException failure) {
    String m = methodLabel(method);
    upstreamDuration.observe(nanos / 1e9, upstream.label(), m);
    if (failure != null) {
      upstreamErrors.inc(upstream.label(), m);
      upstreamFailures.inc(upstream.label(), failure.kind().label());
    }
  }

  /** A JSON-RPC error answer from an upstream (the call itself worked). */
  public void upstreamRpcError(UpstreamId upstream, String method) {
    upstreamErrors.inc(upstream.label(), methodLabel(method));
  }

  public void blockCreated(UpstreamId source) {
    blocksCreated.inc(source.label());
  }

  public void fallback(String reason) {
    fallbacks.inc(reason);
  }

  public void builderSyncDropped() {
    builderLaneDropped.inc();
  }

  public void rejected(String reason) {
    rejectedRequests.inc(reason);
  }

  public void builderBypassed(String method) {
    builderBypass.inc(methodLabel(method));
  }

  public void healthTransition(String component, String from, String to) {
    healthTransitions.inc(component, from, to);
  }

  public void head(UpstreamId upstream, double ageSeconds, long number, long timestamp) {
    headAge.set(ageSeconds, upstream.label());
    headTimestamp.set(timestamp, upstream.label());
    headNumber.set(number, upstream.label());
  }
}
