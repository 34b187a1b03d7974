package io.rollupboost;

import static io.rollupboost.testing.Fixtures.BUILDER_HASH;
import static io.rollupboost.testing.Fixtures.FCS;
import static io.rollupboost.testing.Fixtures.L2_HASH;
import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.DropwizardTestSupport;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.FakeEngine.Reply;
import io.rollupboost.testing.Fixtures;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad-but-valid builder blocks (issue: the seed's last failure row): a service with the gasUsed and
 * txCount policies and the default breaker (3 losses in 10, 3 wins to recover), between fake
 * engines. The L2 client always builds a block with 20 user transactions.
 */
final class BlockQualityTest {
  static final FakeEngine L2 = new FakeEngine("l2-q").start();
  static final FakeEngine BUILDER = new FakeEngine("builder-q").start();
  static DropwizardTestSupport<RollupBoostConfiguration> app;

  /** Attributes forcing the deposit, with OP's gas limit. */
  static final String ATTRS =
      Fixtures.ATTRS_V3.replace(
          "}", ",\"transactions\":[\"" + Fixtures.DEPOSIT + "\"],\"gasLimit\":\"0x1c9c380\"}");

  final RpcClient rpc = new RpcClient();

  @BeforeAll
  static void start() throws Exception {
    app = TestService.start("quality-config.yml", L2, BUILDER);
  }

  @AfterAll
  static void stop() {
    app.after();
    L2.close();
    BUILDER.close();
  }

  String app() {
    return "http://127.0.0.1:" + app.getLocalPort() + "/";
  }

  String admin() {
    return "http://127.0.0.1:" + app.getAdminPort();
  }

  @BeforeEach
  void goodBuilder() {
    L2.reset();
    BUILDER.reset();
    rpc.post(admin() + "/tasks/builder-breaker?action=reset", "", null);
    L2.on("engine_getPayloadV3", Reply.result(FakeEngine.envelope(L2_HASH, 7, 2_000_000, 20)));
    builderReturns(FakeEngine.envelope(BUILDER_HASH, 7, 2_100_000, 21));
    await().atMost(Duration.ofSeconds(5)).until(() -> healthz() == 200);
  }

  void builderReturns(String envelope) {
    BUILDER.on("engine_getPayloadV3", Reply.result(envelope));
  }

  int healthz() {
    return rpc.get(app() + "healthz").status();
  }

  String produce() {
    return produce(ATTRS);
  }

  String produce(String attributes) {
    String id =
        rpc.post(app(), call(1, "engine_forkchoiceUpdatedV3", "[" + FCS + "," + attributes + "]"))
            .result()
            .path("payloadId")
            .asText();
    JsonNode envelope =
        rpc.post(app(), call(2, "engine_getPayloadV3", "[\"" + id + "\"]")).result();
    return envelope.path("executionPayload").path("blockHash").asText();
  }

  double unsafeFallbacks() {
    String line = "rollup_boost_builder_fallbacks_total{reason=\"unsafe_block\"} ";
    String body = rpc.get(admin() + "/prometheus").body();
    int at = body.indexOf(line);
    assertThat(at).as("unsafe_block fallbacks exported").isNotNegative();
    return Double.parseDouble(body.substring(at + line.length(), body.indexOf('\n', at)).trim());
  }

  JsonNode quality() {
    return rpc.get(app() + "healthz/details").json().path("builder_quality");
  }

  @Test
  void emptyBuilderBlocksLoseThenDegradeThenRecoverAutomatically() {
    builderReturns(FakeEngine.envelope(BUILDER_HASH, 7, 21_000, 0));

    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(healthz()).as("two losses of three").isEqualTo(200);
    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(healthz()).isEqualTo(206);
    assertThat(quality().path("state").asText()).isEqualTo("degraded");
    assertThat(quality().path("window").toString()).contains("gasUsed: builder used 21000 gas");

    // Degraded: the builder path still runs as a dry run (recorded when it finishes, after op-node
    // has L2's block).
    builderReturns(FakeEngine.envelope(BUILDER_HASH, 7, 2_100_000, 21));
    produceWinningDryRun(1);
    produceWinningDryRun(2);
    assertThat(healthz()).isEqualTo(206);
    assertThat(produce()).as("third winning comparison").isEqualTo(L2_HASH);

    await().atMost(Duration.ofSeconds(5)).until(() -> healthz() == 200);
    assertThat(quality().path("state").asText()).isEqualTo("trusted");
    assertThat(produce()).isEqualTo(BUILDER_HASH);
  }

  @Test
  void builderDroppingTheDepositIsNeverReturnedNorValidated() {
    builderReturns(
        FakeEngine.envelope(BUILDER_HASH, 7, 2_100_000, 21)
            .replace("\"" + Fixtures.DEPOSIT + "\",", ""));
    double unsafeBefore = unsafeFallbacks();

    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(L2.count("engine_newPayloadV3"))
        .as("unsafe blocks never reach the L2 client")
        .isZero();
    assertThat(unsafeFallbacks()).isEqualTo(unsafeBefore + 1);
  }

  /**
   * A builder that ignores op-node's Holocene/Jovian fee parameters builds a block the L2 client
   * accepts (it never saw the attributes) but op-node's derivation would replace.
   */
  @Test
  void builderIgnoringTheFeeParametersIsNeverReturnedNorValidated() {
    otherFeeParametersLoseToL2(
        "0x000000fa00000006",
        0, // failed the safety checks: never sent to L2
        "wrong EIP-1559 parameters in extraData");
  }

  /**
   * Zero parameters: each execution client encodes its chain's defaults, so the builder's block
   * must encode what the L2 client's block for the same attributes does.
   */
  @Test
  void builderWithOtherDefaultFeeParametersThanL2IsNeverReturned() {
    otherFeeParametersLoseToL2(
        "0x0000000000000000",
        1, // validated first: compared with L2's block once both are there
        "the L2 client's block for the same default parameters has " + Fixtures.EXTRA_DATA);
  }

  /**
   * Jovian attributes with {@code eip1559Params}: a builder block with denominator 50 and
   * elasticity 10 in its extraData loses to L2's block as unsafe, with {@code detail} in the
   * breaker's window, after {@code validations} newPayload calls on L2; with the fake's extraData
   * (what the attributes ask for) the builder's block wins again.
   */
  void otherFeeParametersLoseToL2(String eip1559Params, int validations, String detail) {
    String attributes =
        ATTRS.replace(
            "}", ",\"eip1559Params\":\"" + eip1559Params + "\",\"minBaseFee\":\"0xf4240\"}");
    builderReturns(
        FakeEngine.envelope(BUILDER_HASH, 7, 2_100_000, 21)
            .replace(Fixtures.EXTRA_DATA, "0x01000000320000000a00000000000f4240"));
    double unsafeBefore = unsafeFallbacks();

    assertThat(produce(attributes)).isEqualTo(L2_HASH);
    assertThat(L2.count("engine_newPayloadV3")).isEqualTo(validations);
    assertThat(unsafeFallbacks()).isEqualTo(unsafeBefore + 1);
    assertThat(quality().path("window").toString()).contains(detail);

    builderReturns(FakeEngine.envelope(BUILDER_HASH, 7, 2_100_000, 21));
    assertThat(produce(attributes)).as("the parameters L2 uses too").isEqualTo(BUILDER_HASH);
  }

  @Test
  void builderOnTheWrongParentIsNeverReturned() {
    builderReturns(
        FakeEngine.envelope(BUILDER_HASH, 7, 2_100_000, 21)
            .replace(Fixtures.HEAD, "0x" + "cd".repeat(32)));

    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(healthz()).as("three unsafe blocks degrade the builder").isEqualTo(206);
    assertThat(quality().path("window").toString()).contains("wrong parent");
  }

  @Test
  void blocksTheL2ClientRejectsAsInvalidDegradeTheBuilder() {
    // Valid-looking blocks the L2 client rejects; the builder still follows the chain fine
    // (VALID on op-node's newPayload), which clears each single failure within milliseconds.
    L2.on(
        "engine_newPayloadV3",
        c ->
            c.params().path(0).path("blockHash").asText().equals(BUILDER_HASH)
                ? Reply.result(FakeEngine.status("INVALID"))
                : Reply.result(FakeEngine.status("VALID")));

    for (int i = 0; i < 3; i++) {
      assertThat(produce()).isEqualTo(L2_HASH);
      rpc.post(
          app(),
          call(
              3,
              "engine_newPayloadV3",
              "["
                  + FakeEngine.JSON
                      .createObjectNode()
                      .put("blockHash", L2_HASH)
                      .put("parentHash", Fixtures.HEAD)
                  + ",[],\""
                  + Fixtures.BEACON_ROOT
                  + "\"]"));
      if (i < 2) {
        // The builder's VALID sync answer (queued) makes it healthy again; wait for it, or the
        // next block would bypass the builder instead of asking it.
        await().atMost(Duration.ofSeconds(5)).until(() -> healthz() == 200);
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> BUILDER.count("engine_newPayloadV3") >= 3);

    assertThat(healthz()).as("three invalid blocks in ten: degraded, and it stays").isEqualTo(206);
    assertThat(quality().path("state").asText()).isEqualTo("degraded");
    assertThat(quality().path("window").toString()).contains("invalid block");
  }

  /**
   * One block while the builder is degraded: L2's block is returned, and its dry run, recorded when
   * it finishes, is the {@code wins}-th winning comparison in a row.
   */
  void produceWinningDryRun(int wins) {
    awaitBuilderAsked();
    assertThat(produce()).isEqualTo(L2_HASH);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> quality().path("consecutive_wins").asInt() == wins);
  }

  /** Three empty builder blocks against L2's full ones: three policy losses, degraded. */
  void degradeWithEmptyBuilderBlocks() {
    builderReturns(FakeEngine.envelope(BUILDER_HASH, 7, 21_000, 0));
    for (int i = 0; i < 3; i++) {
      produce();
    }
  }

  /** Waits until the health board would ask the builder again (the breaker may still hold it). */
  void awaitBuilderAsked() {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> !rpc.get(app() + "healthz/details").json().path("builder_bypassed").asBoolean());
  }

  @Test
  void builderTimingOutOnEveryGetPayloadIsDegradedAndThenNeverWaitedFor() {
    // Synced, answers probes, FCU and sync traffic at once; only its blocks never come. Each
    // failure's single bad observation is cleared by the next good one, so health alone would ask
    // it, and wait the payload deadline (400 ms here), on every block.
    BUILDER.on("engine_getPayloadV3", Reply.hang());
    for (int i = 0; i < 3; i++) {
      awaitBuilderAsked();
      long start = System.nanoTime();
      assertThat(produce()).isEqualTo(L2_HASH);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("trusted: op-node waits for the builder up to the deadline")
          .isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }
    assertThat(quality().path("state").asText()).isEqualTo("degraded");
    assertThat(quality().path("window").toString()).contains("builder_timeout");
    assertThat(healthz()).isEqualTo(206);

    // Degraded: still asked (a dry run), but op-node gets L2's block without waiting for it.
    awaitBuilderAsked();
    long asked = BUILDER.count("engine_getPayloadV3");
    long start = System.nanoTime();
    assertThat(produce()).isEqualTo(L2_HASH);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300));
    await().atMost(Duration.ofSeconds(5)).until(() -> BUILDER.count("engine_getPayloadV3") > asked);
    // ... and its timeout, at the deadline, is recorded as one more loss.
    await().atMost(Duration.ofSeconds(5)).until(() -> quality().path("window").size() == 4);

    // Its blocks come back: three winning dry runs, recorded as they finish, restore trust.
    builderReturns(FakeEngine.envelope(BUILDER_HASH, 7, 2_100_000, 21));
    for (int wins = 1; wins <= 3; wins++) {
      produceWinningDryRun(wins);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> healthz() == 200);
    assertThat(produce()).isEqualTo(BUILDER_HASH);
  }

  @Test
  void degradedBuilderBlockIsReturnedWhenTheL2ClientHasNone() {
    degradeWithEmptyBuilderBlocks();
    assertThat(quality().path("state").asText()).isEqualTo("degraded");

    // L2 validated the builder's block but cannot hand out its own: op-node waits for the
    // builder path and gets the safe, validated block rather than an error.
    L2.on("engine_getPayloadV3", Reply.error(-38001, "Unknown payload"));
    awaitBuilderAsked();
    assertThat(produce()).isEqualTo(BUILDER_HASH);
  }

  @Test
  void withoutBlockProductionOnlyAnOperatorResetRestoresTrust() {
    degradeWithEmptyBuilderBlocks();
    assertThat(healthz()).isEqualTo(206);

    // A follower: three more good probe rounds, but nothing compares blocks.
    int probes = BUILDER.probeCount();
    await().atMost(Duration.ofSeconds(5)).until(() -> BUILDER.probeCount() >= probes + 3);
    assertThat(healthz()).isEqualTo(206);

    String reset = rpc.post(admin() + "/tasks/builder-breaker?action=reset", "", null).body();
    assertThat(reset).contains("builder trusted again (was degraded)");
    assertThat(healthz()).isEqualTo(200);
  }
}
