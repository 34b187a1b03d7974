package io.rollupboost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end with two real ethereumjs execution clients (L2 and builder) behind the packaged
 * service, driven by the devnet's block driver playing op-node. Runs after {@code package}
 * (failsafe), on its own fixed ports below the kernel's ephemeral range (32768-60999), so no
 * outgoing connection of another process can hold one, and always tears the devnet down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class DevnetIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long PROBE_MS = 500;
  static final Map<String, String> ENV =
      Map.ofEntries(
          Map.entry("L2_ENGINE_PORT", "21551"),
          Map.entry("L2_RPC_PORT", "21545"),
          Map.entry("L2_P2P_PORT", "31592"),
          Map.entry("BUILDER_ENGINE_PORT", "22551"),
          Map.entry("BUILDER_RPC_PORT", "22545"),
          Map.entry("BUILDER_P2P_PORT", "31591"),
          Map.entry("PROXY_PORT", "22552"),
          Map.entry("RPC_PORT", "21081"),
          Map.entry("ADMIN_PORT", "21082"),
          Map.entry("PROBE_INTERVAL", PROBE_MS + "ms"),
          Map.entry("SELECTION_POLICIES", "[gasUsed]"),
          Map.entry("DEVNET_RUN_DIR", Path.of("target/e2e-devnet").toAbsolutePath().toString()));
  static final String SERVICE = "http://127.0.0.1:21081";
  static final String ADMIN = "http://127.0.0.1:21082";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void up() throws Exception {
    Runtime.getRuntime().addShutdownHook(new Thread(DevnetIT::downQuietly));
    devnet("down");
    devnet("up", "--no-build");
    // The genesis head ages while everything starts (slowly on a busy machine); one block makes
    // both heads fresh again, so the scenarios start from a healthy, producing node.
    drive(1, "0.5", 0);
    await().atMost(Duration.ofSeconds(15)).until(() -> healthz() == 200);
  }

  @AfterAll
  static void down() throws Exception {
    devnet("down");
  }

  static void downQuietly() {
    try {
      devnet("down");
    } catch (Exception | AssertionError e) {
      // best effort on JVM exit
    }
  }

  // ---- the scenarios --------------------------------------------------------------------------

  @Test
  @Order(1)
  void builderBlocksWithTransactionsBecomeTheL2Head() throws Exception {
    List<JsonNode> blocks = blocks(drive(20, "0.5", 2));

    assertThat(blocks).hasSize(20);
    for (JsonNode b : blocks) {
      assertThat(b.path("source").asText()).as("block %s", b).isEqualTo("builder");
      assertThat(l2Block(b.path("number").asLong()).path("hash").asText())
          .isEqualTo(b.path("hash").asText());
    }
    // Transactions sent only to the builder reach L2's chain in the builder's blocks: L2 never saw
    // them. The driver skips a slot's transactions only when the builder is not on L2's head
    // within 500 ms; every slot it sent them in must carry them.
    List<JsonNode> sentTo = blocks.stream().filter(b -> b.path("sent").asInt() == 2).toList();
    assertThat(sentTo)
        .as("slots whose transactions were sent: %s", blocks)
        .hasSizeGreaterThanOrEqualTo(10);
    assertThat(sentTo)
        .as("builder blocks carrying the transactions sent to it")
        .allSatisfy(
            b -> assertThat(b.path("txs").asInt()).as("block %s", b).isGreaterThanOrEqualTo(2));
    assertThat(l2Block(-1).path("hash").asText()).isEqualTo(blocks.get(19).path("hash").asText());
  }

  @Test
  @Order(2)
  void builderKilledMidRunMissesNoSlot() throws Exception {
    double bypassBefore = metricSum("rollup_boost_builder_bypass_total");
    Driver driver = Driver.start(14, "0.5", 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> blocks(driver.events).size() >= 4);

    devnet("down", "--kill", "builder");
    long killed = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> healthz() == 206);
    long detectMillis = (System.nanoTime() - killed) / 1_000_000;
    List<JsonNode> events = driver.await();

    assertThat(detectMillis)
        .as("206 within two probe intervals (+ slack)")
        .isLessThanOrEqualTo(2 * PROBE_MS + 300);
    assertThat(events.stream().filter(e -> e.path("event").asText().equals("error")).toList())
        .isEmpty();
    List<JsonNode> blocks = blocks(events);
    assertThat(blocks).hasSize(14);
    for (int i = 1; i < blocks.size(); i++) {
      assertThat(blocks.get(i).path("number").asLong())
          .isEqualTo(blocks.get(i - 1).path("number").asLong() + 1);
    }
    List<JsonNode> tail = blocks.subList(8, 14);
    assertThat(tail).allSatisfy(b -> assertThat(b.path("source").asText()).isEqualTo("l2"));
    assertThat(metricSum("rollup_boost_builder_bypass_total")).isGreaterThan(bypassBefore);
    System.out.println("e2e: builder killed, /healthz 206 after " + detectMillis + " ms");
  }

  @Test
  @Order(3)
  void restartedBuilderIsResyncedAndBuildsAgain() throws Exception {
    devnet("up", "--no-build", "builder");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> healthz() == 200);

    List<JsonNode> blocks = blocks(drive(8, "0.5", 2));

    assertThat(blocks).hasSize(8);
    assertThat(blocks.subList(5, 8))
        .allSatisfy(b -> assertThat(b.path("source").asText()).isEqualTo("builder"));
  }

  @Test
  @Order(4)
  void forgedBuilderBlocksAreRejectedAndCounted() throws Exception {
    double before = metric("rollup_boost_builder_fallbacks_total{reason=\"invalid_block\"}");
    get("http://127.0.0.1:22552/forge/on");
    try {
      List<JsonNode> blocks = allFromL2(3);
      assertThat(metric("rollup_boost_builder_fallbacks_total{reason=\"invalid_block\"}"))
          .isGreaterThanOrEqualTo(before + 1);
    } finally {
      get("http://127.0.0.1:22552/forge/off");
      // Invalid blocks count for the quality breaker too; start the next scenario trusted.
      post(ADMIN + "/tasks/builder-breaker?action=reset");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> healthz() == 200);
  }

  @Test
  @Order(5)
  void builderThatNeverDeliversCostsThreeDeadlinesThenNothing() throws Exception {
    // The builder stays synced and answers everything but getPayload: each failure is cleared by
    // its next good answer, so health alone would ask it, and wait 2 s, on every slot.
    get("http://127.0.0.1:22552/stall/on");
    try {
      List<JsonNode> blocks = allFromL2(7);
      List<Integer> waited = new ArrayList<>();
      for (int i = 0; i < blocks.size(); i++) {
        if (blocks.get(i).path("ms").asLong() >= 2000) {
          waited.add(i);
        }
      }
      assertThat(waited).as("slots that waited the 2 s payload deadline").hasSize(3);
      assertThat(blocks.subList(waited.get(2) + 1, blocks.size()))
          .as("after the breaker tripped")
          .hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(b -> assertThat(b.path("ms").asLong()).isLessThan(1500));
      assertThat(healthz()).isEqualTo(206);
      assertThat(get(SERVICE + "/healthz/details"))
          .contains("\"state\":\"degraded\"")
          .contains("builder_timeout");
    } finally {
      get("http://127.0.0.1:22552/stall/off");
    }
    try {
      // Delivering again: three winning dry runs in a row trust it, and its blocks are returned
      // again. The calls stalled in the last 2 s still time out meanwhile (at 0.5 s slots, up to
      // four losses interleaved with the first wins), so this takes up to 4 + 3 slots.
      List<JsonNode> after = blocks(drive(10, "0.5", 2));
      assertThat(after)
          .hasSize(10)
          .as("builder blocks are returned only once it is trusted again")
          .anySatisfy(b -> assertThat(b.path("source").asText()).isEqualTo("builder"));
    } finally {
      post(ADMIN + "/tasks/builder-breaker?action=reset");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> healthz() == 200);
  }

  @Test
  @Order(6)
  void emptyBuilderBlocksLoseToTheL2BlockAndDegradeTheBuilder() throws Exception {
    double before = metric("rollup_boost_builder_fallbacks_total{reason=\"policy_gas_used\"}");
    try {
      // Transactions reach only the L2 client: the builder's blocks stay empty (the first may
      // still carry transactions left in the builder's pool by the forging scenario).
      List<JsonNode> blocks = blocks(drive(5, "0.5", 2, "--builder-rpc", "http://127.0.0.1:21545"));

      assertThat(blocks).hasSize(5);
      assertThat(blocks.subList(2, 5))
          .allSatisfy(
              b -> {
                assertThat(b.path("source").asText()).isEqualTo("l2");
                assertThat(b.path("txs").asInt()).isPositive();
              });
      assertThat(metric("rollup_boost_builder_fallbacks_total{reason=\"policy_gas_used\"}"))
          .isGreaterThanOrEqualTo(before + 3);
      assertThat(healthz()).as("3 losses in 10 degrade the builder").isEqualTo(206);
      assertThat(get(SERVICE + "/healthz/details")).contains("\"state\":\"degraded\"");
    } finally {
      post(ADMIN + "/tasks/builder-breaker?action=reset");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> healthz() == 200);
  }

  @Test
  @Order(7)
  void disabledModeKeepsEngineTrafficAwayFromTheBuilder() throws Exception {
    post(ADMIN + "/tasks/execution-mode?mode=disabled");
    try {
      double builderEngineCalls = builderEngineCalls();
      List<JsonNode> blocks = blocks(drive(4, "0.5", 0));

      assertThat(blocks)
          .hasSize(4)
          .allSatisfy(
              b -> {
                assertThat(b.path("source").asText()).isEqualTo("l2");
                assertThat(b.path("healthz").asInt()).isEqualTo(200);
              });
      assertThat(builderEngineCalls()).isEqualTo(builderEngineCalls);
    } finally {
      post(ADMIN + "/tasks/execution-mode?mode=enabled");
    }
  }

  @Test
  @Order(8)
  void killedL2ClientIs503() throws Exception {
    devnet("down", "--kill", "l2");
    long killed = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> healthz() == 503);
    long detectMillis = (System.nanoTime() - killed) / 1_000_000;

    assertThat(detectMillis).isLessThanOrEqualTo(2 * PROBE_MS + 300);
    System.out.println("e2e: l2 killed, /healthz 503 after " + detectMillis + " ms");
  }

  // ---- devnet, driver and HTTP helpers -------------------------------------------------------

  static void devnet(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("ops/devnet/" + script);
    command.addAll(List.of(args));
    Path log = Files.createDirectories(Path.of("target")).resolve("e2e-devnet-" + script + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(ENV);
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish; see " + log);
    }
    assertThat(p.exitValue()).as("%s (log: %s)", command, log).isZero();
  }

  /** The driver as a child process, its JSON lines collected as they come. */
  static final class Driver {
    final Process process;
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    final Thread reader;

    private Driver(Process process) {
      this.process = process;
      reader = new Thread(this::read, "driver-reader");
      reader.start();
    }

    static Driver start(int blocks, String blockTime, int txs, String... extra) throws IOException {
      List<String> command =
          new ArrayList<>(
              List.of(
                  "node",
                  "ops/devnet/driver.mjs",
                  "--json",
                  "--blocks",
                  String.valueOf(blocks),
                  "--block-time",
                  blockTime));
      if (txs > 0) {
        command.addAll(List.of("--txs", String.valueOf(txs)));
      }
      command.addAll(List.of(extra));
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectError(
                  ProcessBuilder.Redirect.appendTo(Path.of("target/e2e-driver.err").toFile()));
      pb.environment().putAll(ENV);
      return new Driver(pb.start());
    }

    private void read() {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("{")) {
            events.add(JSON.readTree(line));
          }
        }
      } catch (IOException e) {
        // process ended
      }
    }

    List<JsonNode> await() throws InterruptedException {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("driver did not finish");
      }
      reader.join(5000);
      return List.copyOf(events);
    }
  }

  static List<JsonNode> drive(int blocks, String blockTime, int txs, String... extra)
      throws Exception {
    return Driver.start(blocks, blockTime, txs, extra).await();
  }

  /** Drives {@code n} slots (0.5 s, one transaction each); every block must be L2's own. */
  static List<JsonNode> allFromL2(int n) throws Exception {
    List<JsonNode> blocks = blocks(drive(n, "0.5", 1));
    assertThat(blocks)
        .hasSize(n)
        .allSatisfy(b -> assertThat(b.path("source").asText()).isEqualTo("l2"));
    return blocks;
  }

  static List<JsonNode> blocks(List<JsonNode> events) {
    return events.stream().filter(e -> e.path("event").asText().equals("block")).toList();
  }

  static int healthz() {
    return ServiceProcess.statusOf(HTTP, SERVICE + "/healthz");
  }

  static String get(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static void post(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** A block of the L2 client from its plain RPC port; -1 for latest. */
  static JsonNode l2Block(long number) throws Exception {
    String tag = number < 0 ? "latest" : "0x" + Long.toHexString(number);
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\""
            + tag
            + "\",false]}";
    String reply =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:21545"))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return JSON.readTree(reply).path("result");
  }

  static double metric(String series) throws Exception {
    for (String line : get(ADMIN + "/prometheus").split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).strip());
      }
    }
    return 0;
  }

  static double metricSum(String family) throws Exception {
    double sum = 0;
    for (String line : get(ADMIN + "/prometheus").split("\n")) {
      if (line.startsWith(family + "{") || line.startsWith(family + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Engine calls the service sent to the builder (its own per-upstream histogram counts). */
  static double builderEngineCalls() throws Exception {
    double sum = 0;
    for (String line : get(ADMIN + "/prometheus").split("\n")) {
      if (line.startsWith(
          "rollup_boost_upstream_request_duration_seconds_count{upstream=\"builder\",method=\"engine_")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
