package io.rollupboost.engine;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The routing table: what happens to each JSON-RPC method (DESIGN.md section 5). This is the one
 * place to read where a call goes.
 */
public enum EngineMethod {
  FORKCHOICE_UPDATED_V3("engine_forkchoiceUpdatedV3", Route.FORKCHOICE_UPDATED, null),
  GET_PAYLOAD_V3("engine_getPayloadV3", Route.GET_PAYLOAD, "engine_newPayloadV3"),
  GET_PAYLOAD_V4("engine_getPayloadV4", Route.GET_PAYLOAD, "engine_newPayloadV4"),
  // V5 (Osaka) envelopes carry the same payload shape as V4 on OP chains.
  GET_PAYLOAD_V5("engine_getPayloadV5", Route.GET_PAYLOAD, "engine_newPayloadV4"),
  NEW_PAYLOAD_V3("engine_newPayloadV3", Route.NEW_PAYLOAD, null),
  NEW_PAYLOAD_V4("engine_newPayloadV4", Route.NEW_PAYLOAD, null),
  EXCHANGE_CAPABILITIES("engine_exchangeCapabilities", Route.CAPABILITIES, null);

  /** Where a call goes. */
  public enum Route {
    FORKCHOICE_UPDATED,
    GET_PAYLOAD,
    NEW_PAYLOAD,
    CAPABILITIES,
    /** An {@code engine_} method this service does not serve: -32601. */
    UNSUPPORTED_ENGINE,
    /** Any other method: the L2 client only. */
    L2_ONLY,
    /** The L2 client answers; the builder gets a copy (transactions, miner settings). */
    L2_AND_MIRROR
  }

  /** Non-engine methods that the builder must also see to build competitive blocks. */
  public static final Set<String> MIRRORED =
      Set.of(
          "eth_sendRawTransaction",
          "eth_sendRawTransactionConditional",
          "miner_setExtra",
          "miner_setGasPrice",
          "miner_setGasLimit",
          "miner_setMaxDASize");

  private static final Map<String, EngineMethod> BY_WIRE =
      Stream.of(values()).collect(Collectors.toUnmodifiableMap(m -> m.wire, Function.identity()));

  private final String wire;
  private final Route route;
  private final String validationMethod;

  EngineMethod(String wire, Route route, String validationMethod) {
    this.wire = wire;
    this.route = route;
    this.validationMethod = validationMethod;
  }

  public String wire() {
    return wire;
  }

  public Route route() {
    return route;
  }

  /** For getPayload: the newPayload version that validates its block on the L2 client. */
  public String validationMethod() {
    return validationMethod;
  }

  /** The served engine method with this wire name, or null. */
  public static EngineMethod of(String method) {
    return BY_WIRE.get(method);
  }

  public static boolean served(String method) {
    return BY_WIRE.containsKey(method);
  }

  public static Route route(String method) {
    EngineMethod m = BY_WIRE.get(method);
    if (m != null) {
      return m.route;
    }
    if (method.startsWith("engine_")) {
      return Route.UNSUPPORTED_ENGINE;
    }
    return MIRRORED.contains(method) ? Route.L2_AND_MIRROR : Route.L2_ONLY;
  }
}
