package io.rollupboost.e2e;

import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.auth.EngineJwt;
import io.rollupboost.auth.JwtSecret;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.FakeEngine.Reply;
import io.rollupboost.testing.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No JWT secret, admin token or bearer token ever shows up in what the packaged service, its CLI or
 * its config check print or answer: the jar runs as a real process (root logging at DEBUG, and at
 * the default level) between fake engines, gets valid, wrong and garbled credentials, upstream
 * faults that echo our Authorization header back, admin calls with and without the token, and bad
 * configs. Every byte of stdout/stderr and every HTTP status line, header and body is searched for
 * the secrets in any spelling, the tokens the test sent and the JWTs the service minted toward the
 * fakes (as the fakes received them), whole and in 20-character fragments.
 */
final class SecretLeakIT {
  static final Path JAR = Path.of("target/rollup-boost.jar");
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  static final SecureRandom RANDOM = new SecureRandom();
  static final int ANY_EXIT = -1;
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path dir;
  static String l2Hex;
  static String builderHex;
  static String rpcHex;
  static String adminToken;
  static Path l2Secret;
  static Path builderSecret;
  static Path rpcSecret;
  static Path tokenFile;

  @BeforeAll
  static void secrets() throws IOException {
    assertThat(JAR).as("run after package: %s", JAR).exists();
    l2Hex = randomHex();
    builderHex = randomHex();
    rpcHex = randomHex();
    adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    // Every accepted spelling: 0x prefix and trailing newline, upper case, bare.
    l2Secret = write("l2.hex", "0x" + l2Hex + "\n");
    builderSecret = write("builder.hex", builderHex.toUpperCase(Locale.ROOT));
    rpcSecret = write("rpc.hex", rpcHex + "\n");
    tokenFile = write("admin.token", adminToken + "\n");
  }

  // ---- the service at root DEBUG, with the CLI against it ------------------------------------

  @Test
  void serviceAtDebugLevelAndItsCliLeakNothing() throws Exception {
    Evidence evidence = evidence();
    try (FakeEngine l2 = new FakeEngine("l2").start();
        FakeEngine builder = new FakeEngine("builder").start();
        Service service =
            Service.start(
                "debug", config(l2, builder, true), evidence, "-Ddw.logging.level=DEBUG")) {
      Exchanges http = new Exchanges(service, evidence);
      // Whatever the configured levels, the admin log-level task must not turn them back on.
      assertThat(
              http.admin(
                  "log-level task",
                  "/tasks/log-level?logger=org.eclipse.jetty.client"
                      + "&logger=org.eclipse.jetty.http.HttpParser&logger=org.eclipse.jetty"
                      + "&level=TRACE",
                  "",
                  "Bearer " + adminToken))
          .isEqualTo(200);
      exercise(service, http, l2, builder, evidence);
      cli(service, evidence);
      faults(http, l2, builder);
      forbidMinted(evidence, l2, builder);
    }
    assertThat(evidence.text("service (debug) stdout"))
        .as("library loggers ran at DEBUG")
        .contains("DEBUG [")
        .contains("org.eclipse.jetty.server")
        .contains("org.eclipse.jetty.http");
    evidence.assertNothingLeaked();
  }

  @Test
  void serviceAtTheDefaultLevelLeaksNothing() throws Exception {
    Evidence evidence = evidence();
    try (FakeEngine l2 = new FakeEngine("l2").start();
        FakeEngine builder = new FakeEngine("builder").start();
        Service service = Service.start("default", config(l2, builder, false), evidence)) {
      Exchanges http = new Exchanges(service, evidence);
      exercise(service, http, l2, builder, evidence);
      faults(http, l2, builder);
      forbidMinted(evidence, l2, builder);
    }
    evidence.assertNothingLeaked();
  }

  /** Engine traffic with good and bad credentials, every admin call and every read endpoint. */
  static void exercise(
      Service service, Exchanges http, FakeEngine l2, FakeEngine builder, Evidence evidence)
      throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> http.status(service.app("/healthz")) == 200);

    EngineJwt opNode = new EngineJwt(JwtSecret.parse(rpcHex, "rpc"), Clock.systemUTC());
    Function<String, String> valid = label -> "Bearer " + opNode.mint();
    http.rpc("exchangeCapabilities", call(1, "engine_exchangeCapabilities", "[[]]"), valid);
    JsonNode fcu =
        http.rpc(
            "FCU with attributes",
            call(
                2,
                "engine_forkchoiceUpdatedV3",
                "[" + Fixtures.FCS + "," + Fixtures.ATTRS_V3 + "]"),
            valid);
    String payloadId = fcu.path("result").path("payloadId").asText("0x0000000000000001");
    http.rpc("getPayload", call(3, "engine_getPayloadV3", "[\"" + payloadId + "\"]"), valid);
    String payload =
        FakeEngine.JSON
            .readTree(FakeEngine.envelope("0x" + "11".repeat(32), 1, 21000, 1))
            .get("executionPayload")
            .toString();
    http.rpc(
        "newPayload",
        call(4, "engine_newPayloadV3", "[" + payload + ",[],\"" + Fixtures.BEACON_ROOT + "\"]"),
        valid);
    http.rpc(
        "FCU without attributes",
        call(5, "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + ",null]"),
        valid);
    http.rpc("eth_chainId", call(6, "eth_chainId", "[]"), valid);
    http.rpc(
        "mirrored sendRawTransaction", call(7, "eth_sendRawTransaction", "[\"0x02f8\"]"), valid);
    http.rpc(
        "batch",
        "["
            + call(8, "engine_exchangeCapabilities", "[[]]")
            + ","
            + call(9, "eth_blockNumber", "[]")
            + "]",
        valid);

    // Wrong, stale, garbled and misplaced credentials on an engine call.
    String engineCall = call(10, "engine_exchangeCapabilities", "[[]]");
    EngineJwt other = new EngineJwt(JwtSecret.parse(randomHex(), "other"), Clock.systemUTC());
    Clock hourAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
    Clock hourAhead = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
    Map<String, String> wrong = new LinkedHashMap<>();
    wrong.put("JWT signed with another secret", "Bearer " + other.mint());
    wrong.put(
        "stale JWT", "Bearer " + new EngineJwt(JwtSecret.parse(rpcHex, "rpc"), hourAgo).mint());
    wrong.put(
        "JWT from the future",
        "Bearer " + new EngineJwt(JwtSecret.parse(rpcHex, "rpc"), hourAhead).mint());
    wrong.put(
        "garbled JWT", "Bearer garbled-" + randomHex().substring(0, 24) + ".x." + randomHex());
    wrong.put("opaque bearer", "Bearer opaque" + randomHex());
    wrong.put("the admin token as JWT", "Bearer " + adminToken);
    wrong.put("the secret itself as bearer", "Bearer " + rpcHex);
    wrong.put(
        "basic credentials",
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("op-node:" + adminToken).getBytes(StandardCharsets.UTF_8)));
    wrong.put("no scheme", opNode.mint());
    for (Map.Entry<String, String> w : wrong.entrySet()) {
      JsonNode answer =
          http.rpc("engine call with " + w.getKey(), engineCall, label -> w.getValue());
      assertThat(answer.path("error").path("code").asInt()).as(w.getKey()).isEqualTo(-32000);
    }
    http.rpc("engine call without Authorization", engineCall, label -> null);

    // Admin: with the token, with wrong ones, without.
    String token = "Bearer " + adminToken;
    String wrongToken = "Bearer wrong" + randomHex();
    for (String auth : new String[] {token, wrongToken, null, valid.apply("admin")}) {
      String who = auth == null ? "no token" : auth.equals(token) ? "admin token" : "wrong token";
      assertThat(http.admin("execution-mode (" + who + ")", "/tasks/execution-mode", "", auth))
          .as("admin POST with %s", who)
          .isEqualTo(token.equals(auth) ? 200 : 401);
      http.admin(
          "execution-mode=dry_run (" + who + ")", "/tasks/execution-mode?mode=dry_run", "", auth);
      http.admin(
          "execution-mode=enabled (" + who + ")", "/tasks/execution-mode?mode=enabled", "", auth);
      http.admin("builder-breaker (" + who + ")", "/tasks/builder-breaker", "", auth);
      http.admin(
          "builder-breaker reset (" + who + ")", "/tasks/builder-breaker?action=reset", "", auth);
      http.admin(
          "debug get (" + who + ")", "/debug", call(1, "debug_getExecutionMode", "[]"), auth);
      http.admin(
          "debug set (" + who + ")",
          "/debug",
          call(2, "debug_setExecutionMode", "[{\"execution_mode\":\"enabled\"}]"),
          auth);
    }
    reads(service, http, "healthy");
  }

  /** The read-only endpoints of both connectors. */
  static void reads(Service service, Exchanges http, String when) throws Exception {
    for (String path : List.of("/healthz", "/healthz/details", "/readyz", "/livez")) {
      http.get(path + " (" + when + ")", service.app(path));
    }
    for (String path :
        List.of("/healthcheck", "/metrics", "/prometheus", "/threads", "/ping", "/tasks")) {
      http.get(path + " (" + when + ")", service.admin(path));
    }
  }

  /**
   * Upstreams that refuse our token and echo it back (JSON-RPC error, plain text, HTML page), then
   * an unreachable builder, then a failing L2: each fault's message reaches logs, op-node's error
   * and /healthz/details.
   */
  static void faults(Exchanges http, FakeEngine l2, FakeEngine builder) throws Exception {
    Service service = http.service;
    EngineJwt opNode = new EngineJwt(JwtSecret.parse(rpcHex, "rpc"), Clock.systemUTC());
    Function<String, String> valid = label -> "Bearer " + opNode.mint();

    String fcuWithAttributes =
        call(20, "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + "," + Fixtures.ATTRS_V3 + "]");
    builder.on("engine_getPayloadV3", c -> Reply.error(-32000, "rejected " + c.authorization()));
    JsonNode fcu = http.rpc("FCU with attributes", fcuWithAttributes, valid);
    String payloadId = fcu.path("result").path("payloadId").asText("0x0000000000000001");
    http.rpc(
        "getPayload (builder echoes a JSON-RPC error)",
        call(21, "engine_getPayloadV3", "[\"" + payloadId + "\"]"),
        valid);
    builder.on("engine_forkchoiceUpdatedV3", c -> Reply.http(401, "bad " + c.authorization()));
    http.rpc("FCU with attributes (builder echoes HTTP 401)", fcuWithAttributes, valid);

    builder.on(
        "eth_getBlockByNumber",
        c -> Reply.error(-32000, "invalid token " + c.authorization() + " for this node"));
    http.awaitDetails("builder JSON error echo", "invalid token");

    builder.on(
        "eth_getBlockByNumber",
        c ->
            Reply.http(
                403,
                "<html><body><pre>bad "
                    + c.authorization()
                    + "</pre><p>Forbidden</p></body></html>"));
    http.awaitDetails("builder HTML echo", "HTTP 403");
    http.rpc(
        "FCU without attributes (builder echoes 401)",
        call(22, "engine_forkchoiceUpdatedV3", "[" + Fixtures.FCS + ",null]"),
        valid);

    l2.on("eth_chainId", c -> Reply.http(401, "token rejected: " + c.authorization()));
    l2.on("eth_blockNumber", c -> Reply.http(200, "Authorization: " + c.authorization()));
    http.rpc("eth_chainId (L2 echoes 401)", call(23, "eth_chainId", "[]"), valid);
    http.rpc(
        "eth_blockNumber (L2 echoes in a non-JSON 200)", call(24, "eth_blockNumber", "[]"), valid);

    builder.stop();
    http.awaitDetails("builder unreachable", "connection refused");
    http.rpc(
        "getPayload (builder unreachable)", call(25, "engine_getPayloadV3", "[\"0x01\"]"), valid);
    reads(service, http, "builder unreachable");

    l2.on(
        "eth_getBlockByNumber",
        c -> Reply.http(401, "<html><title>401</title>token " + c.authorization()));
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> http.status(service.app("/healthz")) == 503);
    reads(service, http, "L2 failing");
  }

  /** The JWTs the service sent to the fakes, exactly as they received them. */
  static void forbidMinted(Evidence evidence, FakeEngine l2, FakeEngine builder) {
    for (FakeEngine engine : List.of(l2, builder)) {
      assertThat(engine.authorizations())
          .as("%s received tokens from the service", engine.name())
          .isNotEmpty()
          .allSatisfy(a -> assertThat(a).startsWith("Bearer eyJ"));
      for (String authorization : engine.authorizations()) {
        evidence.forbid(
            engine.name() + " Authorization header minted by the service", authorization);
        evidence.forbidJwt(
            engine.name() + " JWT minted by the service", authorization.substring(7));
      }
    }
  }

  // ---- the CLI against the running service --------------------------------------------------

  static void cli(Service service, Evidence evidence) throws Exception {
    String admin = "http://127.0.0.1:" + service.adminPort;
    Path wrongToken = write("wrong.token", "wrong" + randomHex() + "\n");
    evidence.forbidToken(
        "wrong admin token file content", "wrong" + Files.readString(wrongToken).strip());
    Path inventory =
        write(
            "inventory.yml",
            "nodes:\n  - name: node-a\n    rollupBoost: http://127.0.0.1:"
                + service.appPort
                + "\n");
    String tokenPath = tokenFile.toString();
    List<Cli> runs =
        Cli.all(
            evidence,
            List.of(
                new Cli(
                    "execution-mode get",
                    0,
                    "execution-mode",
                    "get",
                    "--admin-url",
                    admin,
                    "--token-file",
                    tokenPath),
                new Cli(
                    "execution-mode set dry_run",
                    0,
                    "execution-mode",
                    "set",
                    "dry_run",
                    "--admin-url",
                    admin,
                    "--token-file",
                    tokenPath),
                new Cli(
                    "execution-mode set enabled",
                    0,
                    "execution-mode",
                    "set",
                    "enabled",
                    "--admin-url",
                    admin,
                    "--token-file",
                    tokenPath),
                new Cli(
                    "execution-mode get without token",
                    1,
                    "execution-mode",
                    "get",
                    "--admin-url",
                    admin),
                new Cli(
                    "execution-mode set with a wrong token file",
                    1,
                    "execution-mode",
                    "set",
                    "disabled",
                    "--admin-url",
                    admin,
                    "--token-file",
                    wrongToken.toString()),
                new Cli(
                    "execution-mode set with the token inline as --token-file",
                    1,
                    "execution-mode",
                    "set",
                    "disabled",
                    "--admin-url",
                    admin,
                    "--token-file",
                    adminToken),
                new Cli("ha", ANY_EXIT, "ha", "--inventory", inventory.toString()),
                new Cli(
                    "ha --json", ANY_EXIT, "ha", "--inventory", inventory.toString(), "--json")));
    assertThat(runs.get(1).output).contains("execution mode: dry_run");
  }

  // ---- config errors ------------------------------------------------------------------------

  @Test
  void configErrorsLeakNothing() throws Exception {
    Evidence evidence = evidence();
    Path shortSecret = write("short.hex", l2Hex.substring(0, 62) + "\n");
    Path nonHex = write("nonhex.hex", "0x" + l2Hex.substring(0, 63) + "g\n");
    Path emptyToken = write("empty.token", "\n");
    Path spacedToken = write("spaced.token", adminToken + " " + adminToken + "\n");
    Path missing = dir.resolve("does-not-exist");
    String valid = "'" + l2Secret + "'";
    List<Cli> runs = new ArrayList<>();
    runs.add(check("valid config", 0, "is OK", valid, valid, "null", "'" + tokenFile + "'"));
    runs.add(check("secret of 31 bytes", 1, "l2.jwtSecretFile", "'" + shortSecret + "'", valid));
    runs.add(check("non-hex secret", 1, "l2.jwtSecretFile", "'" + nonHex + "'", valid));
    runs.add(check("secret inline", 1, "l2.jwtSecretFile", l2Hex, valid));
    runs.add(
        check(
            "secrets inline with 0x, upper case, for rpc",
            1,
            "rpc.jwtSecretFile",
            valid,
            "'0X" + builderHex.toUpperCase(Locale.ROOT) + "'",
            "'0x" + rpcHex + "'",
            "null"));
    runs.add(check("admin token inline", 1, "admin.tokenFile", valid, valid, "null", adminToken));
    runs.add(
        check(
            "empty admin token file",
            1,
            "admin.tokenFile",
            valid,
            valid,
            "null",
            "'" + emptyToken + "'"));
    runs.add(
        check(
            "admin token file with a space",
            1,
            "admin.tokenFile",
            valid,
            valid,
            "null",
            "'" + spacedToken + "'"));
    runs.add(
        check(
            "missing files",
            1,
            "no such file",
            "'" + missing + "'",
            "'" + missing + ".hex'",
            "'" + missing + "'",
            "'" + missing + ".token'"));
    Path ok = Files.writeString(dir.resolve("ok.yml"), configYaml(valid, valid, "null", "null"));
    runs.add(
        new Cli(
            "secret inline through -Ddw.l2.jwtSecretFile",
            1,
            List.of("-Ddw.l2.jwtSecretFile=" + l2Hex),
            Map.of(),
            "check",
            ok.toString()));
    runs.add(
        new Cli(
            "shipped config.yml with the secret inline in L2_JWT_SECRET_FILE",
            1,
            List.of(),
            Map.of(
                "L2_JWT_SECRET_FILE", l2Hex, "BUILDER_JWT_SECRET_FILE", builderSecret.toString()),
            "check",
            "config.yml"));
    runs.add(
        new Cli(
            "server with the admin token inline",
            1,
            List.of("-Ddw.admin.tokenFile=" + adminToken),
            Map.of(),
            "server",
            ok.toString()));
    Cli.all(evidence, runs);
    for (Cli run : runs) {
      assertThat(run.output).as(run.label).contains(run.expected == null ? "" : run.expected);
    }
    evidence.assertNothingLeaked();
  }

  static Cli check(String label, int exit, String expected, String... files) throws IOException {
    Path yml =
        Files.writeString(
            dir.resolve("check-" + Integer.toHexString(label.hashCode()) + ".yml"),
            configYaml(
                files[0],
                files[1],
                files.length > 2 ? files[2] : "null",
                files.length > 3 ? files[3] : "null"));
    Cli cli = new Cli(label, exit, List.of(), Map.of(), "check", yml.toString());
    cli.expected = expected;
    return cli;
  }

  static String configYaml(String l2File, String builderFile, String rpcFile, String tokenFile) {
    return "l2: {url: http://127.0.0.1:1, jwtSecretFile: "
        + l2File
        + "}\nbuilder: {url: http://127.0.0.1:2, jwtSecretFile: "
        + builderFile
        + "}\nrpc: {jwtSecretFile: "
        + rpcFile
        + "}\nadmin: {tokenFile: "
        + tokenFile
        + "}\nserver:\n  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: 0}]\n"
        + "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: 0}]\n";
  }

  // ---- configuration of the service under test ----------------------------------------------

  static Path config(FakeEngine l2, FakeEngine builder, boolean requestLog) throws IOException {
    int app = freePort();
    int admin = freePort();
    String yaml =
        "l2:\n  url: "
            + l2.url()
            + "\n  jwtSecretFile: '"
            + l2Secret
            + "'\n  timeout: 1s\n"
            + "builder:\n  url: "
            + builder.url()
            + "\n  jwtSecretFile: '"
            + builderSecret
            + "'\n  timeout: 500ms\n  payloadDeadline: 400ms\n"
            + "probe:\n  interval: 100ms\n"
            + "rpc:\n  jwtSecretFile: '"
            + rpcSecret
            + "'\n"
            + "admin:\n  tokenFile: '"
            + tokenFile
            + "'\n  stateFile: '"
            + dir.resolve("mode-" + app + ".state")
            + "'\n"
            + "server:\n"
            + "  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: "
            + app
            + "}]\n"
            + "  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: "
            + admin
            + "}]\n"
            + (requestLog ? "  requestLog: {appenders: [{type: console}]}\n" : "");
    return Files.writeString(dir.resolve("service-" + app + ".yml"), yaml);
  }

  // ---- processes ----------------------------------------------------------------------------

  /** The packaged service as a child process; its output goes to files read at the end. */
  static final class Service implements AutoCloseable {
    final String name;
    final Process process;
    final Path stdout;
    final Path stderr;
    final int appPort;
    final int adminPort;
    final Evidence evidence;

    private Service(
        String name, Process process, Path stdout, Path stderr, Path config, Evidence evidence)
        throws IOException {
      this.name = name;
      this.process = process;
      this.stdout = stdout;
      this.stderr = stderr;
      this.evidence = evidence;
      String yaml = Files.readString(config);
      this.appPort = port(yaml, "applicationConnectors");
      this.adminPort = port(yaml, "adminConnectors");
    }

    static Service start(String name, Path config, Evidence evidence, String... jvm)
        throws Exception {
      Path out = dir.resolve(name + ".stdout");
      Path err = dir.resolve(name + ".stderr");
      List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx256m", "-XX:TieredStopAtLevel=1"));
      command.addAll(List.of(jvm));
      command.addAll(List.of("-jar", JAR.toString(), "server", config.toString()));
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      Service service = new Service(name, process, out, err, config, evidence);
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new AssertionError(
                      "service exited: " + Files.readString(out) + Files.readString(err));
                }
                return ServiceProcess.statusOf(HTTP, service.app("/readyz")) == 200;
              });
      return service;
    }

    private static int port(String yaml, String connectors) {
      int at = yaml.indexOf("port: ", yaml.indexOf(connectors)) + 6;
      return Integer.parseInt(yaml.substring(at, yaml.indexOf('}', at)).strip());
    }

    String app(String path) {
      return "http://127.0.0.1:" + appPort + path;
    }

    String admin(String path) {
      return "http://127.0.0.1:" + adminPort + path;
    }

    @Override
    public void close() throws IOException {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      evidence.record("service (" + name + ") stdout", Files.readString(stdout));
      evidence.record("service (" + name + ") stderr", Files.readString(stderr));
    }
  }

  /** One run of the jar's CLI, with its expected exit code; output recorded as evidence. */
  static final class Cli {
    final String label;
    final int exit;
    final List<String> jvm;
    final Map<String, String> env;
    final List<String> args;
    String expected;
    String output = "";

    Cli(String label, int exit, String... args) {
      this(label, exit, List.of(), Map.of(), args);
    }

    Cli(String label, int exit, List<String> jvm, Map<String, String> env, String... args) {
      this.label = label;
      this.exit = exit;
      this.jvm = jvm;
      this.env = env;
      this.args = List.of(args);
    }

    /** Runs them two at a time (the machine has two cores), each within a minute. */
    static List<Cli> all(Evidence evidence, List<Cli> runs) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> pending = new ArrayList<>();
        for (Cli run : runs) {
          pending.add(
              pool.submit(
                  () -> {
                    run.run(evidence);
                    return null;
                  }));
        }
        for (Future<?> f : pending) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      return runs;
    }

    void run(Evidence evidence) throws Exception {
      String id = Integer.toHexString(System.identityHashCode(this));
      Path out = dir.resolve("cli-" + id + ".stdout");
      Path err = dir.resolve("cli-" + id + ".stderr");
      List<String> command =
          new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
      command.addAll(jvm);
      command.addAll(List.of("-jar", JAR.toString()));
      command.addAll(args);
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(label + ": did not finish");
      }
      String stdout = Files.readString(out);
      String stderr = Files.readString(err);
      evidence.record("CLI '" + label + "' stdout", stdout);
      evidence.record("CLI '" + label + "' stderr", stderr);
      output = stdout + stderr;
      if (exit == ANY_EXIT) {
        return;
      }
      assertThat(p.exitValue() == 0)
          .as("%s exit code %d, output:%n%s", label, p.exitValue(), Evidence.mask(evidence, output))
          .isEqualTo(exit == 0);
    }
  }

  // ---- HTTP, recorded ----------------------------------------------------------------------

  /** Every exchange's status line, response headers and body become evidence. */
  static final class Exchanges {
    final Service service;
    final Evidence evidence;

    Exchanges(Service service, Evidence evidence) {
      this.service = service;
      this.evidence = evidence;
    }

    JsonNode rpc(String label, String body, Function<String, String> authorization)
        throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(service.app("/")))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      String auth = authorization.apply(label);
      if (auth != null) {
        request.header("Authorization", auth);
      }
      HttpResponse<String> response = send("POST / " + label, request.build());
      return FakeEngine.JSON.readTree(response.body());
    }

    int admin(String label, String path, String body, String authorization) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(service.admin(path)))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      return send("admin POST " + path + " " + label, request.build()).statusCode();
    }

    String get(String label, String url) throws Exception {
      return send(
              "GET " + label,
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build())
          .body();
    }

    int status(String url) throws Exception {
      return send(
              "GET " + url.substring(url.indexOf('/', 8)),
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build())
          .statusCode();
    }

    /** Polls /healthz/details until the text shows up (so the fault's message was produced). */
    void awaitDetails(String label, String text) {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  get("/healthz/details (" + label + ")", service.app("/healthz/details"))
                      .contains(text));
    }

    private HttpResponse<String> send(String label, HttpRequest request) throws Exception {
      request
          .headers()
          .firstValue("Authorization")
          .ifPresent(a -> evidence.forbidToken("credential the test sent (" + label + ")", a));
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      StringBuilder text = new StringBuilder("HTTP ").append(response.statusCode()).append('\n');
      response
          .headers()
          .map()
          .forEach((name, values) -> text.append(name).append(": ").append(values).append('\n'));
      text.append('\n').append(response.body());
      evidence.record(label, text.toString());
      return response;
    }
  }

  // ---- needles and the search ---------------------------------------------------------------

  static Evidence evidence() {
    Evidence evidence = new Evidence();
    for (Map.Entry<String, String> s :
        Map.of("l2 JWT secret", l2Hex, "builder JWT secret", builderHex, "rpc JWT secret", rpcHex)
            .entrySet()) {
      byte[] key = HexFormat.of().parseHex(s.getValue());
      evidence.forbidSecret(s.getKey() + " (hex)", s.getValue());
      evidence.forbid(s.getKey() + " (base64)", Base64.getEncoder().encodeToString(key));
      evidence.forbid(
          s.getKey() + " (base64url)", Base64.getUrlEncoder().withoutPadding().encodeToString(key));
    }
    evidence.forbidSecret("admin token", adminToken);
    return evidence;
  }

  /** What must not appear, and everything captured. */
  static final class Evidence {
    static final int WINDOW = 20;
    static final Pattern LONG_RUN =
        Pattern.compile(
            "(?<![A-Za-z0-9_.-])(?=[A-Za-z0-9_.-]{16,})[A-Za-z0-9_.-]*[0-9][A-Za-z0-9_.-]*");
    private final List<String[]> outputs = new ArrayList<>();
    private final Map<String, String> needles = new LinkedHashMap<>();
    private final Map<String, String> windows = new LinkedHashMap<>();

    synchronized String text(String label) {
      return outputs.stream()
          .filter(o -> o[0].equals(label))
          .map(o -> o[1])
          .findFirst()
          .orElseThrow();
    }

    synchronized void record(String label, String text) {
      outputs.add(new String[] {label, text});
    }

    /** Must not appear anywhere (compared case-insensitively). */
    synchronized void forbid(String label, String value) {
      needles.putIfAbsent(value.toLowerCase(Locale.ROOT), label);
    }

    /** Must not appear, nor any 20-character piece of it. */
    synchronized void forbidSecret(String label, String value) {
      forbid(label, value);
      String lower = value.toLowerCase(Locale.ROOT);
      for (int i = 0; i + WINDOW <= lower.length(); i++) {
        windows.putIfAbsent(lower.substring(i, i + WINDOW), label + " (20-character piece)");
      }
    }

    /** A JWT whole, and its signature (the part only the secret can make) whole and in pieces. */
    synchronized void forbidJwt(String label, String jwt) {
      forbid(label, jwt);
      forbidSecret(label + " signature", jwt.substring(jwt.lastIndexOf('.') + 1));
    }

    /** A credential the test sent: whole, and its value after the scheme in pieces. */
    synchronized void forbidToken(String label, String authorization) {
      forbid(label, authorization);
      String value = authorization.substring(authorization.indexOf(' ') + 1);
      if (value.startsWith("eyJ")) {
        forbidJwt(label, value);
      } else {
        forbidSecret(label, value);
      }
    }

    synchronized void assertNothingLeaked() {
      assertThat(outputs).as("outputs captured").isNotEmpty();
      List<String> leaks = new ArrayList<>();
      long chars = 0;
      for (String[] output : outputs) {
        chars += output[1].length();
        leaks.addAll(search(output[0], output[1]));
      }
      if (!leaks.isEmpty()) {
        List<String> shown = leaks.size() > 60 ? leaks.subList(0, 60) : leaks;
        throw new AssertionError(
            String.format(
                Locale.ROOT,
                "%d leaks in %d outputs (%d characters searched for %d needles and %d pieces):%n%s%s",
                leaks.size(),
                outputs.size(),
                chars,
                needles.size(),
                windows.size(),
                String.join("\n", shown),
                leaks.size() > shown.size() ? "\n  ..." : ""));
      }
      System.out.printf(
          Locale.ROOT,
          "secret leak check: %d outputs, %d characters, %d needles, %d pieces: clean%n",
          outputs.size(),
          chars,
          needles.size(),
          windows.size());
    }

    private List<String> search(String label, String text) {
      List<String> found = new ArrayList<>();
      String lower = text.toLowerCase(Locale.ROOT);
      for (Map.Entry<String, String> needle : needles.entrySet()) {
        int at = lower.indexOf(needle.getKey());
        if (at >= 0) {
          found.add(report(label, text, at, needle.getKey().length(), needle.getValue()));
        }
      }
      int i = 0;
      while (i < lower.length() && found.size() < 20) {
        if (!isTokenChar(lower.charAt(i))) {
          i++;
          continue;
        }
        int end = i;
        while (end < lower.length() && isTokenChar(lower.charAt(end))) {
          end++;
        }
        for (int w = i; w + WINDOW <= end; w++) {
          String piece = windows.get(lower.substring(w, w + WINDOW));
          if (piece != null) {
            found.add(report(label, text, w, WINDOW, piece));
            break;
          }
        }
        i = end;
      }
      return found;
    }

    private static boolean isTokenChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** Where, with a short excerpt in which the credential-looking run is masked. */
    private static String report(String label, String text, int at, int length, String what) {
      int start = at;
      while (start > 0
          && (isTokenChar(Character.toLowerCase(text.charAt(start - 1)))
              || text.charAt(start - 1) == '.')) {
        start--;
      }
      int end = at + length;
      while (end < text.length()
          && (isTokenChar(Character.toLowerCase(text.charAt(end))) || text.charAt(end) == '.')) {
        end++;
      }
      int line = 1 + (int) text.substring(0, at).chars().filter(c -> c == '\n').count();
      String before = text.substring(Math.max(0, start - 80), start);
      String after = text.substring(end, Math.min(text.length(), end + 40));
      // Other long tokens nearby (often more of the same secret) are masked too.
      String excerpt =
          (LONG_RUN.matcher(before).replaceAll("<masked>")
                  + "<<"
                  + what
                  + ">>"
                  + LONG_RUN.matcher(after).replaceAll("<masked>"))
              .replace('\n', ' ')
              .replace('\r', ' ');
      return "  - " + what + " in [" + label + "] line " + line + ": ..." + excerpt + "...";
    }

    /** {@code text} with every needle masked, for assertion messages. */
    static String mask(Evidence evidence, String text) {
      String out = text;
      synchronized (evidence) {
        for (Map.Entry<String, String> needle : evidence.needles.entrySet()) {
          out =
              out.replaceAll(
                  "(?i)" + Pattern.quote(needle.getKey()),
                  Matcher.quoteReplacement("<" + needle.getValue() + ">"));
        }
      }
      return out;
    }
  }

  // ---- small helpers ------------------------------------------------------------------------

  static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  static String randomHex() {
    return HexFormat.of().formatHex(randomBytes(32));
  }

  static Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
