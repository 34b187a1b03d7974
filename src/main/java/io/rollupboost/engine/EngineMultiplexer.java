package io.rollupboost.engine;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.JsonRpcCodec;
import io.rollupboost.rpc.JsonRpcError;
import io.rollupboost.rpc.JsonRpcRequest;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.rpc.RpcOutcome;
import io.rollupboost.upstream.HttpEngineClient;
import io.rollupboost.upstream.UpstreamException;
import io.rollupboost.upstream.UpstreamId;
import io.rollupboost.upstream.UpstreamReply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes every JSON-RPC call: engine block production to the L2 client and the builder per the
 * execution-mode table, everything else to the L2 client (mirrored to the builder where listed).
 * The L2 client's answer is authoritative; the builder can only ever add a better block.
 */
public final class EngineMultiplexer {
  private static final Logger LOG = LoggerFactory.getLogger(EngineMultiplexer.class);
  private static final Logger BLOCKS = LoggerFactory.getLogger("io.rollupboost.blocks");
  private static final Pattern PAYLOAD_ID = Pattern.compile("0x[0-9a-fA-F]{16}");

  private final HttpEngineClient l2;
  private final HttpEngineClient builder;
  private final BuilderLane lane;
  private final ExecutionModeHolder modes;
  private final PayloadIdMap payloadIds;
  private final PayloadSelector selector;
  private final BuilderQualityBreaker breaker;
  private final EngineEvents events;
  private final EngineMetrics metrics;
  private final Duration payloadDeadline;

  public EngineMultiplexer(
      HttpEngineClient l2,
      HttpEngineClient builder,
      BuilderLane lane,
      ExecutionModeHolder modes,
      PayloadIdMap payloadIds,
      PayloadSelector selector,
      BuilderQualityBreaker breaker,
      EngineEvents events,
      EngineMetrics metrics,
      Duration payloadDeadline) {
    this.l2 = l2;
    this.builder = builder;
    this.lane = lane;
    this.modes = modes;
    this.payloadIds = payloadIds;
    this.selector = selector;
    this.breaker = breaker;
    this.events = events;
    this.metrics = metrics;
    this.payloadDeadline = payloadDeadline;
  }

  /**
   * Answers one valid call without blocking the caller: no thread waits for an upstream meanwhile,
   * and each step runs on the client thread that received the answer it needs (getPayload: the
   * builder's block is checked where it arrives, and the choice made where the last answer
   * arrives). The future never fails: every failure becomes a JSON-RPC error object.
   */
  public CompletableFuture<RpcOutcome> handleAsync(JsonRpcRequest call) {
    String method = call.method();
    try {
      CompletableFuture<RpcOutcome> answer =
          switch (EngineMethod.route(method)) {
            case FORKCHOICE_UPDATED -> forkchoiceUpdated(call);
            case GET_PAYLOAD -> getPayload(call, EngineMethod.of(method));
            case NEW_PAYLOAD -> newPayload(call);
            case CAPABILITIES ->
                l2Async(call, true).thenApply(EngineMultiplexer::servedCapabilities);
            case UNSUPPORTED_ENGINE ->
                CompletableFuture.completedFuture(
                    RpcOutcome.error(
                        JsonRpcError.METHOD_NOT_FOUND,
                        "the method " + method + " does not exist/is not available"));
            case L2_ONLY -> l2Async(call, false);
            case L2_AND_MIRROR -> {
              mirrorToBuilder(call);
              yield l2Async(call, false);
            }
          };
      return answer.exceptionally(failure -> unexpected(method, failure));
    } catch (InvalidParamsException e) {
      return CompletableFuture.completedFuture(
          RpcOutcome.error(JsonRpcError.INVALID_PARAMS, "invalid params: " + e.getMessage()));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(unexpected(method, e));
    }
  }

  private static RpcOutcome unexpected(String method, Throwable failure) {
    LOG.error("unexpected failure handling {}", method, failure);
    return RpcOutcome.error(JsonRpcError.INTERNAL_ERROR, "internal error handling " + method);
  }

  /** The L2 client's answer, or an error object naming its failure; holds no thread meanwhile. */
  private CompletableFuture<RpcOutcome> l2Async(JsonRpcRequest call, boolean engine) {
    return l2.callAsync(call.method(), call.params())
        .handle(
            (reply, failure) -> {
              if (failure == null) {
                return l2Answer(call, reply);
              }
              Throwable cause = cause(failure);
              if (cause instanceof UpstreamException e) {
                return l2Failure(call, e, engine);
              }
              return unexpected(call.method(), cause);
            });
  }

  private RpcOutcome l2Answer(JsonRpcRequest call, UpstreamReply reply) {
    if (reply.isError()) {
      metrics.upstreamRpcError(UpstreamId.L2, call.method());
    }
    return reply.outcome();
  }

  private RpcOutcome l2Failure(JsonRpcRequest call, UpstreamException e, boolean engine) {
    if (engine) {
      events.l2CallFailed(call.method(), e.getMessage());
    }
    LOG.warn("{}", e.getMessage());
    return RpcOutcome.error(JsonRpcError.INTERNAL_ERROR, e.getMessage());
  }

  /** Sends the builder its copy of a mirrored call; nobody waits for the answer. */
  private void mirrorToBuilder(JsonRpcRequest call) {
    builder
        .callAsync(call.method(), call.params())
        .whenComplete(
            (reply, failure) -> {
              if (failure != null) {
                LOG.debug("mirrored call not delivered: {}", cause(failure).getMessage());
              } else if (reply.isError()) {
                metrics.upstreamRpcError(UpstreamId.BUILDER, call.method());
                LOG.debug("builder rejected mirrored {}: {}", call.method(), reply.errorSummary());
              }
            });
  }

  // ---- engine_forkchoiceUpdatedV3 -------------------------------------------------------------

  private CompletableFuture<RpcOutcome> forkchoiceUpdated(JsonRpcRequest call)
      throws InvalidParamsException {
    ArrayNode params = paramsArray(call, 1, 2);
    if (!params.get(0).isObject()) {
      throw new InvalidParamsException("forkchoice state must be an object");
    }
    JsonNode attributes = params.size() > 1 ? params.get(1) : null;
    if (attributes != null && !attributes.isObject() && !attributes.isNull()) {
      throw new InvalidParamsException("payload attributes must be an object or null");
    }
    boolean hasAttributes = attributes != null && attributes.isObject();
    ExecutionMode mode = modes.get();
    if (mode == ExecutionMode.DISABLED) {
      return l2Async(call, true);
    }
    if (!hasAttributes) {
      // Sync traffic: the builder follows the chain through the ordered lane, op-node never waits.
      return l2ThenBuilderCopy(
          call, (reply, failure) -> logSyncFailure(call.method(), reply, failure));
    }
    // L2's call leaves first; the builder's copy follows at once from the same thread.
    CompletableFuture<RpcOutcome> l2Answer = l2Async(call, true);
    CompletableFuture<String> builderId = null;
    BuilderOutcome.Kind notAsked = null;
    if (attributes.path("noTxPool").asBoolean(false)) {
      notAsked = BuilderOutcome.Kind.NO_TX_POOL;
    } else if (!events.builderUsable()) {
      notAsked = BuilderOutcome.Kind.BYPASSED;
      metrics.builderBypassed(call.method());
      LOG.info("builder bypassed for {}: builder is unhealthy", call.method());
    } else {
      builderId =
          lane.submit(call.method(), call.params()).thenApply(EngineMultiplexer::builderPayloadId);
    }
    String beaconRoot = attributes.path("parentBeaconBlockRoot").asText(null);
    CompletableFuture<String> askedBuilder = builderId;
    BuilderOutcome.Kind notAskedReason = notAsked;
    return l2Answer.thenApply(
        outcome -> {
          // Recorded before op-node sees L2's payload id, so its getPayload finds the build.
          if (!outcome.isError()) {
            String l2Id = JsonRpcCodec.textMember(outcome.result(), "payloadId");
            if (l2Id != null) {
              payloadIds.put(
                  l2Id,
                  new PendingBuild(
                      askedBuilder,
                      notAskedReason,
                      beaconRoot,
                      params.get(0).path("headBlockHash").asText(null),
                      attributes));
            }
          }
          return outcome;
        });
  }

  /** The builder's payload id from its forkchoiceUpdated answer; SYNCING with an id is usable. */
  private static String builderPayloadId(UpstreamReply reply) {
    if (reply.isError()) {
      throw new CompletionException(
          new IllegalStateException("builder error " + reply.errorSummary()));
    }
    JsonNode result = tree(reply.result());
    String status = result.path("payloadStatus").path("status").asText("");
    String id = result.path("payloadId").asText(null);
    if ("INVALID".equals(status) || id == null) {
      throw new CompletionException(
          new IllegalStateException("builder returned no payload id (status " + status + ")"));
    }
    return id;
  }

  // ---- engine_getPayloadV3/V4/V5 --------------------------------------------------------------

  private CompletableFuture<RpcOutcome> getPayload(JsonRpcRequest call, EngineMethod method)
      throws InvalidParamsException {
    ArrayNode params = paramsArray(call, 1, 1);
    String l2Id = params.get(0).asText("");
    if (!params.get(0).isTextual() || !PAYLOAD_ID.matcher(l2Id).matches()) {
      throw new InvalidParamsException("payload id must be 8 bytes of 0x-prefixed hex");
    }
    ExecutionMode mode = modes.get();
    long deadline = System.nanoTime() + payloadDeadline.toNanos();
    // Both requests leave at once and no thread waits: each step runs where its answer arrives.
    CompletableFuture<UpstreamReply> l2Call = l2.callAsync(method.wire(), call.params());
    // Looked up once: the builder path and the final comparison check the same attributes.
    PendingBuild build = mode == ExecutionMode.DISABLED ? null : payloadIds.get(l2Id);
    CompletableFuture<BuilderOutcome> builderPath =
        mode == ExecutionMode.DISABLED
            ? done(BuilderOutcome.failed(BuilderOutcome.Kind.NO_PAYLOAD_ID, "mode disabled"))
            : builderOutcome(method, l2Id, build, deadline);
    // The builder's block cannot be returned in dry_run or while the breaker holds it degraded:
    // op-node then gets L2's block as soon as it arrives, and the comparison finishes without it.
    boolean heldBack =
        mode == ExecutionMode.DRY_RUN || (mode == ExecutionMode.ENABLED && breaker.degraded());
    CompletableFuture<L2Block> l2Block = l2Call.handle(L2Block::new);
    CompletableFuture<Choice> choice =
        l2Block.thenCombine(
            builderPath,
            (l2, builderOutcome) ->
                choose(method, l2Id, build, mode, heldBack, l2, builderOutcome));
    // The block's log line is written after op-node's answer: the logging thread's wake-up is
    // not on op-node's path, and a stalled log cannot hold a block.
    if (!heldBack) {
      return answerThen(choice, Choice::outcome, c -> c.log().run());
    }
    choice.whenComplete(
        (c, failure) -> {
          if (failure != null) {
            LOG.error("unexpected failure comparing blocks for payload {}", l2Id, cause(failure));
          } else {
            c.log().run();
          }
        });
    // Only when L2 has no block does op-node wait for the builder path, which may still save it.
    return l2Block.thenCompose(
        l2 -> {
          if (!l2.delivered()) {
            return choice.thenApply(Choice::outcome);
          }
          metrics.blockCreated(UpstreamId.L2);
          return CompletableFuture.completedFuture(RpcOutcome.result(l2.reply().result()));
        });
  }

  /** getPayload's answer, and its log line to write once op-node has the answer. */
  private record Choice(RpcOutcome outcome, Runnable log) {}

  /** L2's answer to getPayload: its reply, or the failure that left it without one. */
  private record L2Block(UpstreamReply reply, Throwable failure) {
    boolean delivered() {
      return reply != null && !reply.isError();
    }
  }

  private Choice choose(
      EngineMethod method,
      String l2Id,
      PendingBuild build,
      ExecutionMode mode,
      boolean heldBack,
      L2Block l2Block,
      BuilderOutcome builderPathOutcome) {
    UpstreamReply l2Reply = l2Block.reply();
    String l2Failure = null;
    if (l2Reply == null) {
      Throwable cause = cause(l2Block.failure());
      if (!(cause instanceof UpstreamException)) {
        LOG.error("unexpected failure asking l2 for payload {}", l2Id, cause);
      }
      l2Failure = String.valueOf(cause.getMessage());
    } else if (l2Reply.isError()) {
      metrics.upstreamRpcError(UpstreamId.L2, method.wire());
      l2Failure = l2Reply.errorSummary();
    }
    boolean l2Delivered = l2Failure == null;
    // Selection and the block log read a few fields: a streaming scan, not a tree of the block.
    BlockSummary l2Summary = l2Delivered ? BlockSummary.scan(l2Reply.result()) : null;
    BuilderOutcome builderOutcome = defaultFeeParams(build, l2Summary, builderPathOutcome);
    // A held-back builder stays held back: op-node may already have L2's block.
    Selection selection =
        selector.select(mode, l2Summary, builderOutcome, heldBack || breaker.degraded());
    events.payloadProduced(l2Delivered, builderOutcome);
    recordQuality(mode, builderOutcome, l2Delivered, selection);
    if (!l2Delivered) {
      if (selection.source() == UpstreamId.L2) {
        String failure = l2Failure;
        return new Choice(
            l2Reply != null
                ? l2Reply.outcome()
                : RpcOutcome.error(JsonRpcError.INTERNAL_ERROR, l2Failure),
            () ->
                LOG.warn(
                    "no block for payload {}: l2 failed ({}), builder {} ({})",
                    l2Id,
                    failure,
                    builderOutcome.kind(),
                    builderOutcome.detail()));
      }
    }
    boolean fromBuilder = selection.source() == UpstreamId.BUILDER;
    RawJson chosen = fromBuilder ? builderOutcome.envelopeRaw() : l2Reply.result();
    if (!(heldBack && l2Delivered)) {
      // Otherwise counted when op-node got L2's block, before this comparison finished.
      metrics.blockCreated(selection.source());
    }
    if (selection.countsAsFallback()) {
      metrics.fallback(selection.reason());
    }
    return new Choice(
        RpcOutcome.result(chosen),
        () ->
            logBlock(
                l2Id,
                selection,
                fromBuilder ? BlockSummary.of(builderOutcome.envelope()) : l2Summary,
                builderOutcome,
                mode));
  }

  /**
   * A validated builder block built for zero {@code eip1559Params} must encode the same default
   * parameters as the L2 client's block for those attributes ({@link
   * SafetyChecks#sameDefaultFeeParams}); otherwise it is unsafe, as if a safety check had failed.
   */
  private BuilderOutcome defaultFeeParams(
      PendingBuild build, BlockSummary l2, BuilderOutcome builder) {
    if (!builder.delivered() || l2 == null || build == null) {
      return builder; // a delivered block always had a build: the builder path needs one
    }
    String mismatch =
        SafetyChecks.sameDefaultFeeParams(
            build.attributes(),
            builder.envelope().path("executionPayload").get("extraData"),
            l2.extraData());
    return mismatch == null ? builder : BuilderOutcome.failed(BuilderOutcome.Kind.UNSAFE, mismatch);
  }

  /**
   * Feeds the quality breaker with every comparison a safety check or policy could make, and with
   * every builder block the L2 client rejected as INVALID.
   */
  private void recordQuality(
      ExecutionMode mode, BuilderOutcome builder, boolean l2Delivered, Selection selection) {
    if (mode == ExecutionMode.DISABLED) {
      return;
    }
    if (builder.kind() == BuilderOutcome.Kind.UNSAFE) {
      metrics.selection("safety", "l2");
      breaker.record(false, "unsafe block: " + builder.detail());
    } else if (builder.kind() == BuilderOutcome.Kind.INVALID) {
      // Health evidence too, but the builder's next VALID sync answer clears that within
      // milliseconds: only the breaker remembers a builder whose blocks keep failing validation.
      breaker.record(false, "invalid block: " + builder.detail());
    } else if (builder.kind().builderAtFault()) {
      // Timeouts, errors, blocks L2 will not confirm: the same, and a builder that keeps timing
      // out would otherwise cost op-node the payload deadline on every block.
      breaker.record(false, builder.kind().reason() + ": " + builder.detail());
    } else if (builder.delivered() && l2Delivered) {
      PayloadSelector.Objection objection = selection.objection();
      metrics.selection(
          objection == null ? "none" : objection.policy().label(),
          objection == null ? "builder" : "l2");
      breaker.record(
          objection == null,
          objection == null
              ? "builder block preferred"
              : objection.policy().wire() + ": " + objection.detail());
    }
  }

  private CompletableFuture<BuilderOutcome> builderOutcome(
      EngineMethod method, String l2Id, PendingBuild build, long deadline) {
    if (build == null) {
      return done(
          BuilderOutcome.failed(
              BuilderOutcome.Kind.NO_PAYLOAD_ID,
              "no forkchoiceUpdated with attributes seen for " + l2Id));
    }
    if (build.notAskedReason() != null) {
      return done(
          BuilderOutcome.failed(build.notAskedReason(), "builder not asked at forkchoiceUpdated"));
    }
    if (!events.builderUsable()) {
      metrics.builderBypassed(method.wire());
      LOG.info("builder bypassed for {} {}: builder is unhealthy", method.wire(), l2Id);
      return done(
          BuilderOutcome.failed(BuilderOutcome.Kind.BYPASSED, "builder unhealthy at getPayload"));
    }
    // Whatever goes wrong on the builder's side, op-node still gets the L2 client's block.
    return builderPath(method, build, deadline)
        .exceptionally(
            failure -> {
              LOG.error("unexpected failure on the builder path of {}", l2Id, failure);
              return BuilderOutcome.failed(
                  BuilderOutcome.Kind.BAD_RESPONSE, "internal error: " + failure);
            });
  }

  /** What failed a future: the exception itself, not the wrapper a dependent stage sees. */
  static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException c && c.getCause() != null
        ? c.getCause()
        : failure;
  }

  private static CompletableFuture<BuilderOutcome> done(BuilderOutcome outcome) {
    return CompletableFuture.completedFuture(outcome);
  }

  /** Builder getPayload, then validation of its block with newPayload on the L2 client. */
  private CompletableFuture<BuilderOutcome> builderPath(
      EngineMethod method, PendingBuild build, long deadline) {
    // A copy: the time limit applies to this getPayload, not to the build's record.
    return build
        .builderPayloadId()
        .copy()
        .orTimeout(remaining(deadline), TimeUnit.NANOSECONDS)
        .handle(
            (builderId, failure) -> {
              if (failure == null) {
                return builder
                    .callAsync(method.wire(), quotedArray(builderId), remaining(deadline))
                    .handle((reply, callFailure) -> builderAnswer(method, reply, callFailure))
                    .thenCompose(answer -> validate(method, build, answer, deadline));
              }
              Throwable cause = cause(failure);
              return done(
                  cause instanceof TimeoutException
                      ? BuilderOutcome.failed(
                          BuilderOutcome.Kind.FCU_FAILED,
                          "builder forkchoiceUpdated unanswered at the deadline")
                      : BuilderOutcome.failed(
                          BuilderOutcome.Kind.FCU_FAILED, String.valueOf(cause.getMessage())));
            })
        .thenCompose(path -> path);
  }

  /** The builder's getPayload answer: its envelope, or the outcome that ends the path. */
  private record BuilderAnswer(UpstreamReply reply, BuilderOutcome failed) {}

  private BuilderAnswer builderAnswer(EngineMethod method, UpstreamReply reply, Throwable failure) {
    if (failure != null) {
      Throwable cause = cause(failure);
      if (!(cause instanceof UpstreamException e)) {
        throw new CompletionException(cause);
      }
      BuilderOutcome.Kind kind =
          switch (e.kind()) {
            case TIMEOUT -> BuilderOutcome.Kind.TIMEOUT;
            case UNREACHABLE -> BuilderOutcome.Kind.UNREACHABLE;
            default -> BuilderOutcome.Kind.BAD_RESPONSE;
          };
      return new BuilderAnswer(null, BuilderOutcome.failed(kind, e.getMessage()));
    }
    if (reply.isError()) {
      metrics.upstreamRpcError(UpstreamId.BUILDER, method.wire());
      return new BuilderAnswer(
          null, BuilderOutcome.failed(BuilderOutcome.Kind.ERROR, reply.errorSummary()));
    }
    return new BuilderAnswer(reply, null);
  }

  private CompletableFuture<BuilderOutcome> validate(
      EngineMethod method, PendingBuild build, BuilderAnswer answer, long deadline) {
    if (answer.failed() != null) {
      return done(answer.failed());
    }
    UpstreamReply reply = answer.reply();
    String ambiguous = AmbiguousKeys.find(reply.result());
    if (ambiguous != null) {
      // L2 would validate what this service reads, op-node might decode something else.
      return done(BuilderOutcome.failed(BuilderOutcome.Kind.UNSAFE, ambiguous));
    }
    JsonNode envelope = tree(reply.result());
    JsonNode payload = envelope.path("executionPayload");
    if (!payload.isObject()) {
      return done(
          BuilderOutcome.failed(
              BuilderOutcome.Kind.BAD_RESPONSE, "builder envelope has no executionPayload"));
    }
    String unsafe =
        SafetyChecks.check(
            payload,
            envelope.get("parentBeaconBlockRoot"),
            build.headBlockHash(),
            build.attributes());
    if (unsafe != null) {
      return done(BuilderOutcome.failed(BuilderOutcome.Kind.UNSAFE, unsafe));
    }
    RawJson validationParams;
    try {
      validationParams =
          validationParams(method, reply.result(), envelope, build.parentBeaconBlockRoot());
    } catch (IllegalStateException e) {
      return done(BuilderOutcome.failed(BuilderOutcome.Kind.BAD_RESPONSE, e.getMessage()));
    }
    return l2.callAsync(method.validationMethod(), validationParams, remaining(deadline))
        .handle(
            (verdict, failure) -> {
              if (failure != null) {
                Throwable cause = cause(failure);
                if (!(cause instanceof UpstreamException e)) {
                  throw new CompletionException(cause);
                }
                // A dead or garbled L2 client says nothing about the builder's block; only a
                // validation that runs out of time (the block may be expensive to execute)
                // counts against it.
                BuilderOutcome.Kind kind =
                    e.kind() == UpstreamException.Kind.TIMEOUT
                        ? BuilderOutcome.Kind.DEADLINE
                        : BuilderOutcome.Kind.VALIDATION_UNAVAILABLE;
                return BuilderOutcome.failed(kind, e.getMessage());
              }
              return verdict(method, reply, envelope, verdict);
            });
  }

  private BuilderOutcome verdict(
      EngineMethod method, UpstreamReply reply, JsonNode envelope, UpstreamReply verdict) {
    if (verdict.isError()) {
      metrics.upstreamRpcError(UpstreamId.L2, method.validationMethod());
      return BuilderOutcome.failed(
          BuilderOutcome.Kind.VALIDATION_FAILED, "l2 error " + verdict.errorSummary());
    }
    JsonNode status = tree(verdict.result());
    String value = status.path("status").asText("");
    return switch (value) {
      case "VALID" -> BuilderOutcome.delivered(reply.result(), envelope);
      case "INVALID" ->
          BuilderOutcome.failed(
              BuilderOutcome.Kind.INVALID,
              "l2 says INVALID: " + status.path("validationError").asText(""));
      default -> BuilderOutcome.failed(BuilderOutcome.Kind.NOT_VALID, "l2 says " + value);
    };
  }

  /**
   * newPayload params for a getPayload envelope: payload, blob hashes, beacon root(, requests). The
   * payload goes out as the exact bytes the builder sent: the L2 client validates what op-node will
   * receive, and a block of megabytes is not re-encoded (about 1 ms per MB here) on the way.
   */
  private static RawJson validationParams(
      EngineMethod method, RawJson rawEnvelope, JsonNode envelope, String attrsRoot) {
    ArrayNode rest = JsonNodeFactory.instance.arrayNode();
    rest.add(versionedHashes(envelope.path("blobsBundle").path("commitments")));
    JsonNode root = envelope.get("parentBeaconBlockRoot");
    if (root != null && root.isTextual()) {
      rest.add(root);
    } else if (attrsRoot != null) {
      rest.add(attrsRoot);
    } else {
      rest.addNull();
    }
    if (!"engine_newPayloadV3".equals(method.validationMethod())) {
      JsonNode requests = envelope.get("executionRequests");
      rest.add(
          requests != null && requests.isArray() ? requests : JsonNodeFactory.instance.arrayNode());
    }
    try {
      RawJson payload = JsonRpcCodec.member(rawEnvelope, "executionPayload");
      if (payload == null) {
        throw new IllegalStateException("builder envelope has no executionPayload");
      }
      byte[] tail = JsonRpcCodec.MAPPER.writeValueAsBytes(rest);
      // "[" payload "," then the rest's elements and its closing "]".
      ByteArrayOutputStream params = new ByteArrayOutputStream(payload.size() + tail.length + 1);
      params.write('[');
      params.write(payload.bytes());
      params.write(',');
      params.write(tail, 1, tail.length - 1);
      return RawJson.wrap(params.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** EIP-4844 versioned hashes: 0x01 followed by sha256(commitment)[1:]. */
  static ArrayNode versionedHashes(JsonNode commitments) {
    ArrayNode hashes = JsonNodeFactory.instance.arrayNode();
    if (!commitments.isArray()) {
      return hashes;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (JsonNode c : commitments) {
        String hex = c.asText("");
        byte[] digest =
            sha.digest(HexFormat.of().parseHex(hex.startsWith("0x") ? hex.substring(2) : hex));
        digest[0] = 0x01;
        hashes.add("0x" + HexFormat.of().formatHex(digest));
      }
    } catch (NoSuchAlgorithmException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot compute versioned hashes: " + e.getMessage(), e);
    }
    return hashes;
  }

  // ---- engine_newPayloadV3/V4 and engine_exchangeCapabilities ---------------------------------

  private CompletableFuture<RpcOutcome> newPayload(JsonRpcRequest call)
      throws InvalidParamsException {
    requireObjectFirstParam(call.params());
    if (modes.get() == ExecutionMode.DISABLED) {
      return l2Async(call, true);
    }
    return l2ThenBuilderCopy(
        call,
        (reply, failure) -> {
          if (reply != null
              && !reply.isError()
              && "VALID".equals(tree(reply.result()).path("status").asText())) {
            events.builderSyncValid();
          } else {
            logSyncFailure(call.method(), reply, failure);
          }
        });
  }

  /**
   * L2's answer to {@code call}; the builder's copy takes its place in the lane now, in op-node's
   * order, and leaves once op-node has L2's answer, so the two do not compete for the CPU while
   * op-node waits. If the mode was set to disabled meanwhile, the copy is not sent.
   */
  private CompletableFuture<RpcOutcome> l2ThenBuilderCopy(
      JsonRpcRequest call, BiConsumer<UpstreamReply, Throwable> builderReply) {
    BuilderLane.Place copy = lane.reserve(call.method(), call.params());
    CompletableFuture<RpcOutcome> l2Answer;
    try {
      l2Answer = l2Async(call, true);
    } catch (RuntimeException e) {
      copy.withdraw();
      throw e;
    }
    return answerThen(
        l2Answer.whenComplete(
            (outcome, failure) -> {
              if (failure != null) {
                copy.withdraw(); // op-node gets an error; the lane must not wait for this copy
              }
            }),
        outcome -> {
          if (modes.get() == ExecutionMode.DISABLED) {
            copy.withdraw();
          } else {
            copy.release().whenComplete(builderReply);
          }
        });
  }

  /** {@link #answerThen(CompletableFuture, Function, Consumer)} with L2's outcome as the answer. */
  private static CompletableFuture<RpcOutcome> answerThen(
      CompletableFuture<RpcOutcome> l2Answer, Consumer<RpcOutcome> after) {
    return answerThen(l2Answer, Function.identity(), after);
  }

  /**
   * op-node's answer completes with the outcome of {@code done}, and only then, on the same thread,
   * {@code after} runs (the builder's copy, the block log): completing the future first runs the
   * front door's write of the answer, so that work does not delay it.
   */
  private static <T> CompletableFuture<RpcOutcome> answerThen(
      CompletableFuture<T> done, Function<T, RpcOutcome> outcome, Consumer<T> after) {
    CompletableFuture<RpcOutcome> answer = new CompletableFuture<>();
    done.whenComplete(
        (result, failure) -> {
          if (failure != null) {
            answer.completeExceptionally(failure);
            return;
          }
          answer.complete(outcome.apply(result));
          after.accept(result);
        });
    return answer;
  }

  /** L2's exchangeCapabilities answer, narrowed to the methods this service serves. */
  private static RpcOutcome servedCapabilities(RpcOutcome outcome) {
    if (outcome.isError()) {
      return outcome;
    }
    JsonNode list = tree(outcome.result());
    if (!list.isArray()) {
      return outcome;
    }
    // Advertise only what this service serves: anything else would get -32601 from us.
    ArrayNode served = JsonNodeFactory.instance.arrayNode();
    for (JsonNode name : list) {
      if (EngineMethod.served(name.asText())) {
        served.add(name);
      }
    }
    try {
      return RpcOutcome.result(RawJson.wrap(JsonRpcCodec.MAPPER.writeValueAsBytes(served)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void logSyncFailure(String method, UpstreamReply reply, Throwable failure) {
    if (failure != null) {
      LOG.debug("builder sync {} not delivered: {}", method, failure.getMessage());
    } else if (reply.isError()) {
      metrics.upstreamRpcError(UpstreamId.BUILDER, method);
      LOG.debug("builder sync {} answered {}", method, reply.errorSummary());
    }
  }

  private void logBlock(
      String l2Id,
      Selection selection,
      BlockSummary block,
      BuilderOutcome builder,
      ExecutionMode mode) {
    if (selection.source() == UpstreamId.BUILDER && selection.reason() == null) {
      BLOCKS.info(
          "block returned source=builder number={} hash={} gasUsed={} txs={} payloadId={} mode={}",
          quantity(block.blockNumber()),
          text(block.blockHash()),
          quantity(block.gasUsed()),
          block.transactions(),
          l2Id,
          mode);
    } else {
      BLOCKS.info(
          "block returned source={} number={} hash={} gasUsed={} txs={} payloadId={} mode={} reason={} detail={}",
          selection.source().label(),
          quantity(block.blockNumber()),
          text(block.blockHash()),
          quantity(block.gasUsed()),
          block.transactions(),
          l2Id,
          mode,
          selection.reason(),
          builder.detail());
    }
  }

  /** A 0x-hex quantity as a decimal string, or the raw text when it is not one ("" if absent). */
  static String quantity(JsonNode node) {
    String text = text(node);
    if (text.startsWith("0x") && text.length() > 2 && text.length() <= 66) {
      try {
        return new java.math.BigInteger(text.substring(2), 16).toString();
      } catch (NumberFormatException e) {
        return text;
      }
    }
    return text;
  }

  private static String text(JsonNode node) {
    return node == null ? "" : node.asText("");
  }

  private static long remaining(long deadline) {
    return deadline - System.nanoTime();
  }

  private static RawJson quotedArray(String value) {
    byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(value);
    byte[] out = new byte[quoted.length + 4];
    out[0] = '[';
    out[1] = '"';
    System.arraycopy(quoted, 0, out, 2, quoted.length);
    out[out.length - 2] = '"';
    out[out.length - 1] = ']';
    return RawJson.wrap(out);
  }

  private static JsonNode tree(RawJson json) {
    try {
      JsonNode node = JsonRpcCodec.MAPPER.readTree(json.bytes());
      return node == null ? JsonNodeFactory.instance.missingNode() : node;
    } catch (IOException e) {
      return JsonNodeFactory.instance.missingNode();
    }
  }

  private static ArrayNode paramsArray(JsonRpcRequest call, int min, int max)
      throws InvalidParamsException {
    if (call.params() == null) {
      throw new InvalidParamsException("missing params");
    }
    JsonNode node = tree(call.params());
    if (!(node instanceof ArrayNode array)) {
      throw new InvalidParamsException("params must be an array");
    }
    if (array.size() < min || array.size() > max) {
      throw new InvalidParamsException(
          "expected "
              + (min == max ? String.valueOf(min) : min + " to " + max)
              + " params, got "
              + array.size());
    }
    return array;
  }

  /** Cheap shape check for large params: an array whose first element is an object. */
  private static void requireObjectFirstParam(RawJson params) throws InvalidParamsException {
    if (params == null) {
      throw new InvalidParamsException("missing params");
    }
    try (com.fasterxml.jackson.core.JsonParser p = JsonRpcCodec.parser(params.bytes())) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY
          || p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        throw new InvalidParamsException(
            "params must be an array starting with the execution payload object");
      }
    } catch (IOException e) {
      throw new InvalidParamsException("params are not valid JSON");
    }
  }

  /** Params that this service must understand are missing or of the wrong type. */
  static final class InvalidParamsException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidParamsException(String message) {
      super(message);
    }
  }
}
