package io.rollupboost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.DropwizardTestSupport;
import io.rollupboost.RollupBoostConfiguration;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ha} command against three running services (healthy, builder down, L2 down), a node
 * that does not answer, and fake op-conductors saying who leads.
 */
final class HaCommandTest {
  static final FakeEngine PARTIAL_L2 = new FakeEngine("l2-b").start();
  static final FakeEngine PARTIAL_BUILDER = new FakeEngine("builder-b").start();
  static final FakeEngine DOWN_L2 = new FakeEngine("l2-c").start();
  static final FakeEngine DOWN_BUILDER = new FakeEngine("builder-c").start();
  static final FakeEngine CONDUCTOR_A = new FakeEngine("conductor-a").start();
  static final FakeEngine CONDUCTOR_C = new FakeEngine("conductor-c").start();
  static DropwizardTestSupport<RollupBoostConfiguration> partial;
  static DropwizardTestSupport<RollupBoostConfiguration> down;
  @TempDir static Path dir;
  final RpcClient rpc = new RpcClient();

  static DropwizardTestSupport<RollupBoostConfiguration> service(FakeEngine l2, FakeEngine builder)
      throws Exception {
    return TestService.start("test-config.yml", l2, builder);
  }

  @BeforeAll
  static void cluster() throws Exception {
    TestService.L2.reset();
    TestService.BUILDER.reset();
    partial = service(PARTIAL_L2, PARTIAL_BUILDER);
    down = service(DOWN_L2, DOWN_BUILDER);
    PARTIAL_BUILDER.stop();
    DOWN_L2.stop();
  }

  @AfterAll
  static void stop() {
    partial.after();
    down.after();
    for (FakeEngine f : new FakeEngine[] {PARTIAL_L2, DOWN_BUILDER, CONDUCTOR_A, CONDUCTOR_C}) {
      f.close();
    }
  }

  Path inventory(boolean leaderIsHealthy) throws Exception {
    CONDUCTOR_A.on("conductor_leader", FakeEngine.Reply.result(String.valueOf(leaderIsHealthy)));
    CONDUCTOR_C.on("conductor_leader", FakeEngine.Reply.result(String.valueOf(!leaderIsHealthy)));
    Path file = dir.resolve("inventory-" + leaderIsHealthy + ".yml");
    Files.writeString(
        file,
        "nodes:\n"
            + "  - name: seq-a\n    rollupBoost: "
            + TestService.app()
            + "\n    conductor: "
            + CONDUCTOR_A.url()
            + "\n"
            + "  - name: seq-b\n    rollupBoost: http://127.0.0.1:"
            + partial.getLocalPort()
            + "\n"
            + "  - name: seq-c\n    rollupBoost: http://127.0.0.1:"
            + down.getLocalPort()
            + "\n    conductor: "
            + CONDUCTOR_C.url()
            + "\n"
            + "  - name: seq-d\n    rollupBoost: http://127.0.0.1:1\n");
    return file;
  }

  record Run(int code, String out) {}

  static Run ha(Path inventory, boolean partialEligible, boolean json) {
    Map<String, Object> args = new HashMap<>();
    args.put("inventory", inventory.toString());
    args.put("partialEligible", partialEligible);
    args.put("json", json);
    args.put("timeout", "1s");
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = HaCommand.execute(new Namespace(args));
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  void awaitStates() {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                rpc.get(TestService.app() + "healthz").status() == 200
                    && rpc.get("http://127.0.0.1:" + partial.getLocalPort() + "/healthz").status()
                        == 206
                    && rpc.get("http://127.0.0.1:" + down.getLocalPort() + "/healthz").status()
                        == 503);
  }

  @Test
  void healthyLeaderWithoutAnEligibleStandbyUnlessPartialCounts() throws Exception {
    awaitStates();
    Path inventory = inventory(true);

    Run strict = ha(inventory, false, false);
    assertThat(strict.code()).isEqualTo(1);
    assertThat(strict.out()).contains("verdict: healthy_leader_no_standby (exit 1)");
    String[] lines = strict.out().split("\n");
    assertThat(lines[1]).startsWith("1    seq-a").contains(" yes ");
    assertThat(lines[2]).startsWith("2    seq-b").contains("206").contains("not eligible");
    assertThat(lines[3]).startsWith("3    seq-c").contains("503").contains("l2: ");
    assertThat(lines[4]).startsWith("4    seq-d").contains("unreachable");

    Run lenient = ha(inventory, true, true);
    assertThat(lenient.code()).isZero();
    JsonNode json = FakeEngine.JSON.readTree(lenient.out());
    assertThat(json.path("verdict").asText()).isEqualTo("healthy_leader_with_standby");
    assertThat(json.path("leader").asText()).isEqualTo("seq-a");
    assertThat(json.path("candidates").get(1).path("eligible").asBoolean()).isTrue();
  }

  @Test
  void unhealthyLeaderPointsAtTheBestCandidate() throws Exception {
    awaitStates();

    Run run = ha(inventory(false), false, true);

    assertThat(run.code()).isEqualTo(2);
    JsonNode json = FakeEngine.JSON.readTree(run.out());
    assertThat(json.path("leader").asText()).isEqualTo("seq-c");
    assertThat(json.path("candidates").get(0).path("name").asText()).isEqualTo("seq-a");
  }

  @Test
  void badInventoryIsAUsageError() throws Exception {
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "nodes:\n  - name: x\n");

    Run run = ha(bad, false, false);

    assertThat(run.code()).isEqualTo(4);
    assertThat(run.out()).contains("needs rollupBoost");
  }
}
