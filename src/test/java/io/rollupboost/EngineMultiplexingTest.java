package io.rollupboost;

import static io.rollupboost.testing.FakeEngine.Reply;
import static io.rollupboost.testing.Fixtures.BEACON_ROOT;
import static io.rollupboost.testing.Fixtures.BUILDER_HASH;
import static io.rollupboost.testing.Fixtures.FCS;
import static io.rollupboost.testing.Fixtures.HEAD;
import static io.rollupboost.testing.Fixtures.L2_HASH;
import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.auth.EngineJwt;
import io.rollupboost.auth.JwtSecret;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.RawPost;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** The real service over real sockets, between fake L2 and builder engines. */
final class EngineMultiplexingTest {
  static final FakeEngine L2 = TestService.L2;
  static final FakeEngine BUILDER = TestService.BUILDER;

  static final String L2_ID = "0x0000000000000001";
  static final String BUILDER_ID = "0x00000000000000b2";

  /** OP attributes with deliberately unusual formatting that must survive byte for byte. */
  static final String ATTRS =
      "{\"timestamp\":\"0x6650f0a1\",  \"prevRandao\":\"0x"
          + "55".repeat(32)
          + "\",\"suggestedFeeRecipient\":\"0x4200000000000000000000000000000000000011\",\"withdrawals\":[],"
          + "\"parentBeaconBlockRoot\":\""
          + BEACON_ROOT
          + "\",\"transactions\":[\""
          + io.rollupboost.testing.Fixtures.DEPOSIT
          + "\"],"
          + "\"noTxPool\":false,\"gasLimit\":\"0x1c9c380\",\"eip1559Params\":\"0x000000fa00000006\","
          + "\"minBaseFee\":1000000, \"futureFork\":{\"x\":1.50,\"big\":123456789012345678901234567890}}";

  final RpcClient rpc = new RpcClient();

  @BeforeEach
  void scriptHealthyEngines() {
    L2.reset();
    BUILDER.reset();
    setMode("enabled");
    rpc.post(admin() + "/tasks/builder-breaker?action=reset", "", null);
    L2.on("engine_getPayloadV3", Reply.result(FakeEngine.envelope(L2_HASH, 7, 21000, 1)));
    L2.on("engine_getPayloadV4", Reply.result(FakeEngine.envelope(L2_HASH, 7, 21000, 1)));
    BUILDER.on(
        "engine_getPayloadV3", Reply.result(FakeEngine.envelope(BUILDER_HASH, 7, 900000, 40)));
    BUILDER.on(
        "engine_getPayloadV4", Reply.result(FakeEngine.envelope(BUILDER_HASH, 7, 900000, 40)));
    BUILDER.on(
        "engine_getPayloadV5", Reply.result(FakeEngine.envelope(BUILDER_HASH, 7, 900000, 40)));
    BUILDER.on(
        "engine_forkchoiceUpdatedV3",
        c ->
            Reply.result(
                FakeEngine.fcuResult("VALID", c.params().path(1).isObject() ? BUILDER_ID : null)));
    awaitHealth(200);
  }

  void awaitHealth(int code) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> rpc.get(app() + "healthz").status() == code);
  }

  @AfterEach
  void restartStoppedEngines() {
    TestService.restartStopped();
  }

  // ---- helpers ------------------------------------------------------------------------------

  String app() {
    return TestService.app();
  }

  String admin() {
    return TestService.admin();
  }

  RpcClient.Response engine(String method, String params) {
    return rpc.post(app(), call(1, method, params));
  }

  String fcuWithAttributes(String attrs) {
    RpcClient.Response r = engine("engine_forkchoiceUpdatedV3", "[" + FCS + "," + attrs + "]");
    return r.result().path("payloadId").asText();
  }

  JsonNode getPayload(String version, String id) {
    return engine("engine_getPayload" + version, "[\"" + id + "\"]").result();
  }

  /**
   * The builder sees op-node's calls in op-node's order even when the next call is already waiting
   * on the connection as the previous one is answered (HTTP/1.1 pipelining): newPayload's copy
   * takes its place in the lane when the call is read, before the forkchoiceUpdated behind it is.
   */
  @Test
  void builderCopiesKeepOpNodesOrderWhenTheNextCallIsAlreadyWaiting() throws Exception {
    int blocks = 20;
    String payload = newPayloadParams();
    try (RawPost opNode = new RawPost(TestService.APP.getLocalPort())) {
      for (int block = 0; block < blocks; block++) {
        List<RawPost.Response> answers =
            opNode.pipelined(
                List.of(
                    utf8(call(1, "engine_newPayloadV3", payload)),
                    utf8(call(2, "engine_forkchoiceUpdatedV3", "[" + FCS + "," + ATTRS + "]"))),
                rpc.token());
        assertThat(answers).extracting(RawPost.Response::status).containsExactly(200, 200);
      }
    }
    List<String> expected = new ArrayList<>();
    for (int block = 0; block < blocks; block++) {
      expected.add("engine_newPayloadV3");
      expected.add("engine_forkchoiceUpdatedV3");
    }
    assertBuilderGot(expected);
  }

  /**
   * Waits until the builder has had as many engine calls as {@code methods}, then checks that they
   * were exactly those, in that order.
   */
  static void assertBuilderGot(List<String> methods) {
    await().atMost(Duration.ofSeconds(10)).until(() -> BUILDER.calls().size() >= methods.size());
    assertThat(BUILDER.calls()).extracting(FakeEngine.Call::method).isEqualTo(methods);
  }

  /**
   * The builder's copies follow the order in which op-node's calls arrived, not the order in which
   * L2 answers them: a forkchoiceUpdated+attributes that arrives while L2 still holds the
   * newPayload before it reaches the builder after that newPayload.
   */
  @Test
  void builderCopiesFollowArrivalWhileL2StillHoldsTheEarlierCall() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    L2.on(
        "engine_newPayloadV3",
        Reply.heldUntil(arrived, release, Reply.result(FakeEngine.status("VALID"))));
    CompletableFuture<RpcClient.Response> newPayload =
        CompletableFuture.supplyAsync(() -> engine("engine_newPayloadV3", newPayloadParams()));
    assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(fcuWithAttributes(ATTRS)).as("answered while newPayload waits").isEqualTo(L2_ID);
    release.countDown();

    assertThat(newPayload.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertBuilderGot(List.of("engine_newPayloadV3", "engine_forkchoiceUpdatedV3"));
  }

  /**
   * A batch's calls run one after another, the next as soon as the previous is answered, which is
   * before that answer's builder copy was queued: the copies still follow the batch's order.
   */
  @Test
  void builderCopiesFollowTheOrderOfABatch() throws Exception {
    RpcClient.Response answers =
        rpc.post(
            app(),
            "["
                + call(1, "engine_newPayloadV3", newPayloadParams())
                + ","
                + call(2, "engine_forkchoiceUpdatedV3", "[" + FCS + "," + ATTRS + "]")
                + "]");
    assertThat(answers.status()).isEqualTo(200);
    assertBuilderGot(List.of("engine_newPayloadV3", "engine_forkchoiceUpdatedV3"));
  }

  /** newPayloadV3's params for a block on {@code HEAD}. */
  static String newPayloadParams() {
    return "["
        + FakeEngine.envelope(HEAD, 1, 0, 0)
            .replaceFirst(".*\"executionPayload\":", "")
            .replaceFirst(",\"blockValue\".*", "")
        + ",[],\""
        + BEACON_ROOT
        + "\"]";
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  void setMode(String mode) {
    RpcClient.Response r = rpc.post(admin() + "/tasks/execution-mode?mode=" + mode, "", null);
    assertThat(r.status()).isEqualTo(200);
  }

  /** Waits until the ordered builder queue has delivered everything sent before this call. */
  void drainBuilderQueue() {
    long before = BUILDER.count("engine_newPayloadV3");
    String mode =
        rpc.post(admin() + "/debug", call(9, "debug_getExecutionMode", "[]"), null)
            .result()
            .path("execution_mode")
            .asText();
    setMode("enabled");
    engine("engine_newPayloadV3", newPayloadParams());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> BUILDER.count("engine_newPayloadV3") > before);
    setMode(mode);
  }

  double metric(String series) {
    return rpc.metric(admin(), series);
  }

  static String blockHash(JsonNode envelope) {
    return envelope.path("executionPayload").path("blockHash").asText();
  }

  // ---- execution-mode table ------------------------------------------------------------------

  @Test
  void enabledReturnsTheBuilderBlockAfterTheL2ClientValidatedIt() {
    String id = fcuWithAttributes(ATTRS);
    assertThat(id).isEqualTo(L2_ID);

    JsonNode envelope = getPayload("V3", id);

    assertThat(blockHash(envelope)).isEqualTo(BUILDER_HASH);
    assertThat(BUILDER.calls("engine_getPayloadV3"))
        .singleElement()
        .satisfies(c -> assertThat(c.params().get(0).asText()).isEqualTo(BUILDER_ID));
    assertThat(L2.calls("engine_getPayloadV3"))
        .singleElement()
        .satisfies(c -> assertThat(c.params().get(0).asText()).isEqualTo(L2_ID));
    FakeEngine.Call validation = L2.calls("engine_newPayloadV3").get(0);
    assertThat(validation.params().get(0).path("blockHash").asText()).isEqualTo(BUILDER_HASH);
    assertThat(validation.params().get(1).size()).isZero();
    assertThat(validation.params().get(2).asText()).isEqualTo(BEACON_ROOT);
  }

  static final String STALLED_HASH = "0x" + "5a".repeat(32);

  /** The block's log line is written after op-node's answer: a stalled log cannot hold a block. */
  @Test
  void opNodeGetsItsBlockWhileTheBlockLogIsStalled() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<String> line = new AtomicReference<>();
    AtomicBoolean returned = new AtomicBoolean();
    AppenderBase<ILoggingEvent> stalled =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            // Only this test's block: a late line of an earlier test must not stall its thread.
            String message = event.getFormattedMessage();
            if (!message.contains(STALLED_HASH) || !line.compareAndSet(null, message)) {
              return;
            }
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            returned.set(true);
          }
        };
    ch.qos.logback.classic.Logger blocks =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.rollupboost.blocks");
    stalled.start();
    blocks.addAppender(stalled);
    try {
      BUILDER.on(
          "engine_getPayloadV3", Reply.result(FakeEngine.envelope(STALLED_HASH, 7, 900000, 40)));
      // Logged first, the answer would wait for the release and the client time out (10 s).
      JsonNode envelope = getPayload("V3", fcuWithAttributes(ATTRS));

      assertThat(blockHash(envelope)).isEqualTo(STALLED_HASH);
      assertThat(returned).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> line.get() != null);
      assertThat(line.get()).contains("source=builder").contains("payloadId=" + L2_ID);
    } finally {
      release.countDown();
      blocks.detachAppender(stalled);
    }
  }

  /** The L2 client validates the builder's executionPayload as the exact bytes op-node gets. */
  @Test
  void theBuilderPayloadIsValidatedByteForByte() {
    String spaced = FakeEngine.envelope(BUILDER_HASH, 7, 900000, 40).replace("\":", "\" :  ");
    String payload = spaced.substring(spaced.indexOf('{', spaced.indexOf("\"executionPayload\"")));
    payload = payload.substring(0, payload.indexOf("}") + 1);
    BUILDER.on("engine_getPayloadV3", Reply.result(spaced));

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(BUILDER_HASH);

    FakeEngine.Call validation = L2.calls("engine_newPayloadV3").get(0);
    assertThat(payload).contains("\"blockHash\" :  \"" + BUILDER_HASH);
    assertThat(validation.body()).contains("\"params\":[" + payload + ",[],\"" + BEACON_ROOT);
  }

  @Test
  void dryRunRunsTheBuilderPathButReturnsTheL2BlockWithoutWaitingForIt() throws Exception {
    setMode("dry_run");
    String dryRun = "rollup_boost_builder_fallbacks_total{reason=\"dry_run\"}";
    String timedOut = "rollup_boost_builder_fallbacks_total{reason=\"builder_timeout\"}";
    String l2Blocks = "rollup_boost_blocks_created_total{source=\"l2\"}";
    double before = metric(dryRun);
    double timeoutsBefore = metric(timedOut);
    double l2BlocksBefore = metric(l2Blocks);
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BUILDER.on(
        "engine_getPayloadV3",
        Reply.heldUntil(
            arrived, release, Reply.result(FakeEngine.envelope(BUILDER_HASH, 7, 900000, 40))));
    String id = fcuWithAttributes(ATTRS);

    JsonNode envelope = getPayload("V3", id);

    // op-node has L2's block while the builder still holds its answer: nothing recorded yet.
    assertThat(blockHash(envelope)).isEqualTo(L2_HASH);
    assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(metric(dryRun)).isEqualTo(before);
    assertThat(metric(timedOut)).isEqualTo(timeoutsBefore);
    assertThat(metric(l2Blocks)).as("counted when returned").isEqualTo(l2BlocksBefore + 1);
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> metric(dryRun) == before + 1);
    assertThat(BUILDER.count("engine_forkchoiceUpdatedV3")).isEqualTo(1);
    assertThat(BUILDER.count("engine_getPayloadV3")).isEqualTo(1);
    assertThat(L2.calls("engine_newPayloadV3")).as("the builder block validated").hasSize(1);
    assertThat(metric(timedOut)).isEqualTo(timeoutsBefore);
    assertThat(metric(l2Blocks)).as("and only once").isEqualTo(l2BlocksBefore + 1);
  }

  @Test
  void syncCallsReachTheBuilderOnlyAfterL2Answered() throws Exception {
    drainBuilderQueue();
    BUILDER.reset();
    L2.reset();
    L2.on("engine_newPayloadV3", Reply.result(FakeEngine.status("VALID")).delayed(300));
    String params = "[{\"blockHash\":\"" + L2_HASH + "\"},[],\"" + BEACON_ROOT + "\"]";

    CompletableFuture<RpcClient.Response> answer =
        CompletableFuture.supplyAsync(() -> engine("engine_newPayloadV3", params));
    await().atMost(Duration.ofSeconds(5)).until(() -> L2.count("engine_newPayloadV3") == 1);
    assertThat(BUILDER.count("engine_newPayloadV3"))
        .as("while L2 is still working, the builder's copy waits")
        .isZero();

    assertThat(answer.get(5, TimeUnit.SECONDS).result().path("status").asText()).isEqualTo("VALID");
    await().atMost(Duration.ofSeconds(5)).until(() -> BUILDER.count("engine_newPayloadV3") == 1);
  }

  @Test
  void disabledNeverSendsEngineCallsToTheBuilder() {
    // Calls an earlier test queued for the builder arrive first (the lane is ordered).
    drainBuilderQueue();
    BUILDER.reset();
    setMode("disabled");
    engine("engine_forkchoiceUpdatedV3", "[" + FCS + ",null]");
    String id = fcuWithAttributes(ATTRS);
    assertThat(blockHash(getPayload("V3", id))).isEqualTo(L2_HASH);
    engine(
        "engine_newPayloadV3", "[{\"blockHash\":\"" + L2_HASH + "\"},[],\"" + BEACON_ROOT + "\"]");

    drainBuilderQueue();

    assertThat(BUILDER.engineCalls()).as("only the drain call").isEqualTo(1);
    assertThat(L2.count("engine_forkchoiceUpdatedV3")).isEqualTo(2);
    assertThat(L2.count("engine_getPayloadV3")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"enabled", "dry_run"})
  void forkchoiceWithoutAttributesAnswersFromL2AndSyncsTheBuilder(String mode) {
    setMode(mode);
    L2.on("engine_forkchoiceUpdatedV3", Reply.result(FakeEngine.fcuResult("SYNCING", null)));

    RpcClient.Response r = engine("engine_forkchoiceUpdatedV3", "[" + FCS + ",null]");

    assertThat(r.result().path("payloadStatus").path("status").asText()).isEqualTo("SYNCING");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> BUILDER.count("engine_forkchoiceUpdatedV3") == 1);
    assertThat(BUILDER.calls().get(0).params().toString())
        .isEqualTo(L2.calls().get(0).params().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"enabled", "dry_run", "disabled"})
  void noTxPoolBuildsOnlyOnL2(String mode) {
    setMode(mode);
    double before = metric("rollup_boost_blocks_created_total{source=\"l2\"}");
    String id = fcuWithAttributes(ATTRS.replace("\"noTxPool\":false", "\"noTxPool\":true"));

    assertThat(blockHash(getPayload("V3", id))).isEqualTo(L2_HASH);
    drainBuilderQueue();

    assertThat(BUILDER.count("engine_forkchoiceUpdatedV3")).isZero();
    assertThat(BUILDER.count("engine_getPayloadV3")).isZero();
    assertThat(metric("rollup_boost_blocks_created_total{source=\"l2\"}")).isEqualTo(before + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"enabled", "dry_run"})
  void newPayloadReturnsTheL2StatusUnchangedAndSyncsTheBuilder(String mode) {
    setMode(mode);
    String invalid =
        "{\"status\":\"INVALID\",\"latestValidHash\":\""
            + HEAD
            + "\",\"validationError\":\"bad state root\"}";
    L2.on("engine_newPayloadV3", Reply.result(invalid));

    RpcClient.Response r =
        engine(
            "engine_newPayloadV3",
            "[{\"blockHash\":\"" + L2_HASH + "\"},[],\"" + BEACON_ROOT + "\"]");

    assertThat(r.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + invalid + "}");
    await().atMost(Duration.ofSeconds(5)).until(() -> BUILDER.count("engine_newPayloadV3") == 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"INVALID", "SYNCING", "ACCEPTED"})
  void forkchoiceStatusesFromL2PassThrough(String status) {
    L2.on("engine_forkchoiceUpdatedV3", Reply.result(FakeEngine.fcuResult(status, null)));

    RpcClient.Response r = engine("engine_forkchoiceUpdatedV3", "[" + FCS + "," + ATTRS + "]");

    assertThat(r.json().has("error")).isFalse();
    assertThat(r.result().path("payloadStatus").path("status").asText()).isEqualTo(status);
  }

  @Test
  void getPayloadV4AndV5ValidateWithNewPayloadV4() {
    L2.on("engine_getPayloadV5", Reply.result(FakeEngine.envelope(L2_HASH, 7, 21000, 1)));
    BUILDER.on(
        "engine_getPayloadV4",
        Reply.result(
            FakeEngine.envelope(BUILDER_HASH, 7, 1, 1)
                .replace(
                    "\"shouldOverrideBuilder\":false",
                    "\"shouldOverrideBuilder\":false,\"executionRequests\":[\"0x01ab\"],\"parentBeaconBlockRoot\":\""
                        + BEACON_ROOT
                        + "\"")));

    assertThat(blockHash(getPayload("V4", fcuWithAttributes(ATTRS)))).isEqualTo(BUILDER_HASH);
    assertThat(blockHash(getPayload("V5", fcuWithAttributes(ATTRS)))).isEqualTo(BUILDER_HASH);

    assertThat(L2.calls("engine_newPayloadV4")).hasSize(2);
    FakeEngine.Call v4 = L2.calls("engine_newPayloadV4").get(0);
    assertThat(v4.params().get(2).asText()).isEqualTo(BEACON_ROOT);
    assertThat(v4.params().get(3).get(0).asText()).isEqualTo("0x01ab");
    assertThat(L2.calls("engine_newPayloadV4").get(1).params().get(3).size()).isZero();
    assertThat(BUILDER.count("engine_getPayloadV5")).isEqualTo(1);
  }

  // ---- builder faults -------------------------------------------------------------------------

  /** Go's decoder (op-node) would take the second payload; L2 would validate the first. */
  @Test
  void anEnvelopeWithKeysRepeatedIgnoringCaseIsNeverReturned() {
    String honest = FakeEngine.envelope(BUILDER_HASH, 7, 900000, 40);
    String other = FakeEngine.envelope("0x" + "66".repeat(32), 7, 900000, 40);
    String payloadOfOther =
        other.substring(other.indexOf('{', 1), other.indexOf(",\"blockValue\""));
    BUILDER.on(
        "engine_getPayloadV3",
        Reply.result(
            honest.replace(
                ",\"blockValue\"", ",\"ExecutionPayload\":" + payloadOfOther + ",\"blockValue\"")));

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
    assertThat(L2.calls("engine_newPayloadV3")).as("not validated either").isEmpty();
  }

  @Test
  void builderDownFallsBackToL2() {
    BUILDER.stop();
    String id = fcuWithAttributes(ATTRS);

    assertThat(blockHash(getPayload("V3", id))).isEqualTo(L2_HASH);
  }

  @Test
  void slowBuilderCostsAtMostThePayloadDeadline() {
    BUILDER.on(
        "engine_getPayloadV3",
        Reply.result(FakeEngine.envelope(BUILDER_HASH, 7, 1, 1)).delayed(3000));
    String id = fcuWithAttributes(ATTRS);
    double before =
        metric("rollup_boost_builder_fallbacks_total{reason=\"builder_timeout\"}")
            + metric("rollup_boost_builder_fallbacks_total{reason=\"deadline\"}");

    long start = System.nanoTime();
    JsonNode envelope = getPayload("V3", id);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(blockHash(envelope)).isEqualTo(L2_HASH);
    assertThat(millis).as("payloadDeadline is 400ms").isBetween(350L, 1000L);
    assertThat(
            metric("rollup_boost_builder_fallbacks_total{reason=\"builder_timeout\"}")
                + metric("rollup_boost_builder_fallbacks_total{reason=\"deadline\"}"))
        .isEqualTo(before + 1);
  }

  @Test
  void builderBlockTheL2ClientRejectsIsNeverReturned() {
    L2.on(
        "engine_newPayloadV3",
        Reply.result(
            "{\"status\":\"INVALID\",\"latestValidHash\":null,\"validationError\":\"invalid block stateroot\"}"));
    double before = metric("rollup_boost_builder_fallbacks_total{reason=\"invalid_block\"}");

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
    assertThat(metric("rollup_boost_builder_fallbacks_total{reason=\"invalid_block\"}"))
        .isEqualTo(before + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SYNCING", "ACCEPTED"})
  void builderBlockNotConfirmedValidFallsBack(String status) {
    L2.on("engine_newPayloadV3", Reply.result(FakeEngine.status(status)));

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
  }

  @Test
  void builderJsonRpcErrorFallsBack() {
    BUILDER.on("engine_getPayloadV3", Reply.error(-38001, "Unknown payload"));

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
  }

  @Test
  void builderForkchoiceErrorFallsBackWithoutAskingForItsBlock() {
    BUILDER.on("engine_forkchoiceUpdatedV3", Reply.error(-38003, "Invalid payload attributes"));

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
    assertThat(BUILDER.count("engine_getPayloadV3")).isZero();
  }

  @Test
  void builderAnsweringGarbageFallsBack() {
    BUILDER.on("engine_getPayloadV3", Reply.http(502, "<html><body>Bad Gateway</body></html>"));

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
  }

  /** A builder block whose blob commitments are not hex cannot be validated: still a block. */
  @Test
  void builderBlockThatCannotBeValidatedStillLeavesTheL2Block() {
    BUILDER.on(
        "engine_getPayloadV3",
        Reply.result(
            FakeEngine.envelope(BUILDER_HASH, 7, 900000, 40)
                .replace("\"commitments\":[]", "\"commitments\":[\"0xzz\"]")));
    double before = metric("rollup_boost_builder_fallbacks_total{reason=\"builder_bad_response\"}");

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
    assertThat(L2.count("engine_newPayloadV3")).as("nothing to validate").isZero();
    assertThat(metric("rollup_boost_builder_fallbacks_total{reason=\"builder_bad_response\"}"))
        .isEqualTo(before + 1);
  }

  @Test
  void unknownPayloadIdNeverAsksTheBuilder() {
    assertThat(blockHash(getPayload("V3", "0x00000000000000ff"))).isEqualTo(L2_HASH);
    assertThat(BUILDER.count("engine_getPayloadV3")).isZero();
  }

  // ---- L2 faults ------------------------------------------------------------------------------

  @Test
  void l2DownAnswersWithAJsonRpcErrorNamingTheUpstream() {
    L2.stop();

    RpcClient.Response chain = rpc.post(app(), call(3, "eth_chainId", "[]"));
    RpcClient.Response fcu = engine("engine_forkchoiceUpdatedV3", "[" + FCS + ",null]");

    assertThat(chain.status()).isEqualTo(200);
    assertThat(chain.json().path("id").asInt()).isEqualTo(3);
    assertThat(chain.json().path("error").path("code").asInt()).isEqualTo(-32603);
    assertThat(chain.json().path("error").path("message").asText())
        .startsWith("l2 eth_chainId failed");
    assertThat(fcu.json().path("error").path("message").asText())
        .contains("l2")
        .contains("refused");
  }

  @Test
  void l2ErrorObjectsPassThroughUnchanged() {
    L2.on("engine_getPayloadV3", Reply.error(-38001, "Unknown payload"));

    RpcClient.Response r = engine("engine_getPayloadV3", "[\"0x00000000000000ff\"]");

    assertThat(r.body())
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-38001,\"message\":\"Unknown payload\"}}");
  }

  @Test
  void l2UnableToValidateIsNoEvidenceAgainstTheBuilder() {
    L2.on("engine_newPayloadV3", Reply.http(502, "<html><body>Bad Gateway</body></html>"));
    String down =
        "rollup_boost_health_transitions_total{component=\"builder\",from=\"healthy\",to=\"unhealthy\"}";
    double downBefore = metric(down);
    double before = metric("rollup_boost_builder_fallbacks_total{reason=\"validation_failed\"}");

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(L2_HASH);
    assertThat(metric("rollup_boost_builder_fallbacks_total{reason=\"validation_failed\"}"))
        .isEqualTo(before + 1);
    assertThat(metric(down)).as("the builder stays healthy").isEqualTo(downBefore);
  }

  @Test
  void l2GetPayloadFailureStillReturnsABuilderBlockTheL2ClientAccepted() {
    L2.on("engine_getPayloadV3", Reply.error(-32603, "internal"));

    assertThat(blockHash(getPayload("V3", fcuWithAttributes(ATTRS)))).isEqualTo(BUILDER_HASH);
  }

  // ---- proxy and mirror -----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "eth_sendRawTransaction",
        "eth_sendRawTransactionConditional",
        "miner_setExtra",
        "miner_setGasPrice",
        "miner_setGasLimit",
        "miner_setMaxDASize"
      })
  void mirroredMethodsReachBothAndTheCallerGetsTheL2Answer(String method) {
    L2.on(method, Reply.result("\"from-l2\""));
    BUILDER.on(method, Reply.error(-32000, "builder says no"));
    String params = "[\"0x02f86b8203850a\", {\"k\": [1, 2.50]}]";

    RpcClient.Response r = rpc.post(app(), call("\"m\"", method, params), null);

    assertThat(r.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"m\",\"result\":\"from-l2\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> BUILDER.count(method) == 1);
    assertThat(L2.count(method)).isEqualTo(1);
    assertThat(L2.calls(method).get(0).body()).contains(params);
    assertThat(BUILDER.calls(method).get(0).body()).contains(params);
  }

  @Test
  void otherMethodsGoToL2Only() {
    RpcClient.Response r =
        rpc.post(app(), call(5, "eth_getBalance", "[\"0x01\",\"latest\"]"), null);

    assertThat(r.result().asText()).isEqualTo("0x1");
    drainBuilderQueue();
    assertThat(BUILDER.count("eth_getBalance")).isZero();
  }

  @Test
  void unservedEngineMethodsAreMethodNotFound() {
    RpcClient.Response r = engine("engine_forkchoiceUpdatedV2", "[" + FCS + ",null]");

    assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32601);
    assertThat(L2.calls()).isEmpty();
  }

  @Test
  void capabilitiesListOnlyWhatTheServiceServes() {
    RpcClient.Response r = engine("engine_exchangeCapabilities", "[[\"engine_getPayloadV3\"]]");

    assertThat(r.result().toString())
        .isEqualTo(
            "[\"engine_forkchoiceUpdatedV3\",\"engine_getPayloadV3\",\"engine_getPayloadV4\","
                + "\"engine_newPayloadV3\",\"engine_newPayloadV4\"]");
    assertThat(BUILDER.count("engine_exchangeCapabilities")).isZero();
  }

  @Test
  void opFieldsAndUnknownFieldsReachBothUpstreamsByteForByte() {
    fcuWithAttributes(ATTRS);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> BUILDER.count("engine_forkchoiceUpdatedV3") == 1);
    String params = "[" + FCS + "," + ATTRS + "]";
    assertThat(L2.calls("engine_forkchoiceUpdatedV3").get(0).body()).contains(params);
    assertThat(BUILDER.calls("engine_forkchoiceUpdatedV3").get(0).body()).contains(params);

    String payload =
        "[{\"blockHash\":\""
            + L2_HASH
            + "\" , \"withdrawalsRoot\":\"0x"
            + "ee".repeat(32)
            + "\",\"unknown\":1e400},[],\""
            + BEACON_ROOT
            + "\",[]]";
    engine("engine_newPayloadV4", payload);
    await().atMost(Duration.ofSeconds(5)).until(() -> BUILDER.count("engine_newPayloadV4") == 1);
    assertThat(L2.calls("engine_newPayloadV4").get(0).body()).contains(payload);
    assertThat(BUILDER.calls("engine_newPayloadV4").get(0).body()).contains(payload);
  }

  @Test
  void outboundCallsCarryAFreshValidEngineJwt() {
    fcuWithAttributes(ATTRS);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> BUILDER.count("engine_forkchoiceUpdatedV3") == 1);
    EngineJwt verifier =
        new EngineJwt(JwtSecret.read(Path.of("src/test/resources/jwt.hex")), Clock.systemUTC());
    assertThat(verifier.verify(L2.calls().get(0).authorization())).isNull();
    assertThat(verifier.verify(BUILDER.calls().get(0).authorization())).isNull();
  }

  // ---- front door errors ----------------------------------------------------------------------

  @Test
  void batchesMixEngineAndOtherCallsInOrder() {
    String batch =
        "["
            + call("\"a\"", "eth_chainId", "[]")
            + ","
            + call(2, "engine_forkchoiceUpdatedV3", "[" + FCS + ",null]")
            + ","
            + "{\"jsonrpc\":\"2.0\",\"method\":\"eth_blockNumber\",\"params\":[]},"
            + "{\"jsonrpc\":\"2.0\",\"id\":4},"
            + "17]";

    RpcClient.Response r = rpc.post(app(), batch);

    JsonNode responses = r.json();
    assertThat(responses).hasSize(4);
    assertThat(responses.get(0).path("id").asText()).isEqualTo("a");
    assertThat(responses.get(0).path("result").asText()).isEqualTo("0x1");
    assertThat(responses.get(1).path("id").asInt()).isEqualTo(2);
    assertThat(responses.get(1).path("result").path("payloadStatus").path("status").asText())
        .isEqualTo("VALID");
    assertThat(responses.get(2).path("id").asInt()).isEqualTo(4);
    assertThat(responses.get(2).path("error").path("code").asInt()).isEqualTo(-32600);
    assertThat(responses.get(3).path("id").isNull()).isTrue();
    assertThat(responses.get(3).path("error").path("code").asInt()).isEqualTo(-32600);
    assertThat(L2.count("eth_blockNumber")).as("notification still forwarded").isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"jsonrpc\":\"2.0\",\"id\":1,", "not json", "{} trailing", "[1,2"})
  void malformedJsonIsAParseError(String body) {
    RpcClient.Response r = rpc.post(app(), body);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32700);
    assertThat(r.json().path("id").isNull()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        "42",
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"eth_chainId\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}",
        "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"eth_chainId\"}"
      })
  void invalidRequestsGetInvalidRequest(String body) {
    RpcClient.Response r = rpc.post(app(), body);

    assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32600);
    assertThat(L2.calls()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "engine_getPayloadV3|[123]",
        "engine_getPayloadV3|[\"0x12\"]",
        "engine_getPayloadV3|{}",
        "engine_forkchoiceUpdatedV3|[\"x\"]",
        "engine_forkchoiceUpdatedV3|[{}, 5]",
        "engine_forkchoiceUpdatedV3|[]",
        "engine_newPayloadV3|[\"0x\"]"
      })
  void wrongParamTypesAreInvalidParamsAndNeverForwarded(String spec) {
    String[] parts = spec.split("\\|", 2);

    RpcClient.Response r = engine(parts[0], parts[1]);

    assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(r.json().path("id").asInt()).isEqualTo(1);
    assertThat(L2.calls()).isEmpty();
  }

  @Test
  void oversizedBodiesGetAJsonRpcErrorAndNothingIsForwarded() {
    String big = call(1, "eth_sendRawTransaction", "[\"0x" + "ab".repeat(40 * 1024) + "\"]");

    RpcClient.Response r = rpc.post(app(), big);

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32001);
    assertThat(r.json().path("error").path("message").asText()).contains("65536");
    assertThat(L2.calls()).isEmpty();
    assertThat(rpc.post(app(), call(2, "eth_chainId", "[]")).result().asText()).isEqualTo("0x1");
  }

  @Test
  void engineCallsWithoutAValidJwtAreRefused() {
    String fcu = call(1, "engine_forkchoiceUpdatedV3", "[" + FCS + ",null]");
    EngineJwt wrongKey =
        new EngineJwt(
            JwtSecret.read(Path.of("src/test/resources/other-jwt.hex")), Clock.systemUTC());
    EngineJwt stale =
        new EngineJwt(
            JwtSecret.read(Path.of("src/test/resources/jwt.hex")),
            Clock.fixed(Instant.now().minusSeconds(120), ZoneOffset.UTC));

    for (String auth :
        new String[] {
          null, "Bearer nonsense", "Bearer " + wrongKey.mint(), "Bearer " + stale.mint()
        }) {
      RpcClient.Response r = rpc.post(app(), fcu, auth);
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.json().path("id").asInt()).isEqualTo(1);
      assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32000);
      assertThat(r.json().path("error").path("message").asText()).startsWith("unauthorized: ");
    }
    assertThat(L2.calls()).isEmpty();
    assertThat(rpc.post(app(), call(2, "eth_chainId", "[]"), null).status()).isEqualTo(200);
  }

  // ---- admin ----------------------------------------------------------------------------------

  @Test
  void executionModeSwitchesThroughTheTaskAndTheDebugApi() {
    RpcClient.Response task = rpc.post(admin() + "/tasks/execution-mode?mode=dry_run", "", null);
    assertThat(task.body()).contains("execution mode: dry_run (was enabled)");
    assertThat(rpc.post(admin() + "/tasks/execution-mode", "", null).body())
        .contains("execution mode: dry_run");

    RpcClient.Response set =
        rpc.post(
            admin() + "/debug",
            call(1, "debug_setExecutionMode", "[{\"execution_mode\":\"disabled\"}]"),
            null);
    assertThat(set.result().toString()).isEqualTo("{\"execution_mode\":\"disabled\"}");
    RpcClient.Response get =
        rpc.post(admin() + "/debug", call(2, "debug_getExecutionMode", "[]"), null);
    assertThat(get.result().toString()).isEqualTo("{\"execution_mode\":\"disabled\"}");
    assertThat(metric("rollup_boost_execution_mode")).isEqualTo(1);

    RpcClient.Response bad =
        rpc.post(
            admin() + "/debug",
            call(3, "debug_setExecutionMode", "[{\"execution_mode\":\"turbo\"}]"),
            null);
    assertThat(bad.json().path("error").path("code").asInt()).isEqualTo(-32602);
    RpcClient.Response badTask = rpc.post(admin() + "/tasks/execution-mode?mode=turbo", "", null);
    assertThat(badTask.status()).as("a typo is the caller's error, not a fault").isEqualTo(400);
    assertThat(badTask.body()).contains("usage: POST /tasks/execution-mode?mode=MODE");
    RpcClient.Response badAction =
        rpc.post(admin() + "/tasks/builder-breaker?action=rest", "", null);
    assertThat(badAction.status()).isEqualTo(400);
    assertThat(badAction.body()).contains("unknown action [rest]");
    assertThat(get.result().path("execution_mode").asText()).isEqualTo("disabled");
    assertThat(rpc.post(admin() + "/tasks/execution-mode", "", null).body())
        .as("still disabled after the refused calls")
        .contains("execution mode: disabled");
  }
}
