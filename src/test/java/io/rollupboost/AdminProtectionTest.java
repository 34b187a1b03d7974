package io.rollupboost;

import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.rollupboost.testing.FakeEngine;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second service with an admin token and a mode state file: the admin port refuses changes
 * without the token, and an operator's mode survives a restart, after which health comes back by
 * itself (the seed's "rollup-boost fails" rows).
 */
final class AdminProtectionTest {
  static final String TOKEN = "s3cret-admin-token-0123456789";
  static final FakeEngine L2 = new FakeEngine("l2").start();
  static final FakeEngine BUILDER = new FakeEngine("builder").start();
  @TempDir static Path dir;
  static DropwizardTestSupport<RollupBoostConfiguration> app;
  final RpcClient rpc = new RpcClient();

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
    app =
        TestService.start(
            "test-config.yml",
            L2,
            BUILDER,
            ConfigOverride.config("admin.tokenFile", dir.resolve("admin.token").toString()),
            ConfigOverride.config("admin.stateFile", dir.resolve("mode.state").toString()));
  }

  @AfterAll
  static void stop() {
    app.after();
    L2.close();
    BUILDER.close();
  }

  String admin() {
    return "http://127.0.0.1:" + app.getAdminPort();
  }

  String healthz() {
    return "http://127.0.0.1:" + app.getLocalPort() + "/healthz";
  }

  @Test
  void changesNeedTheTokenAndTheModeSurvivesARestart() throws Exception {
    RpcClient.Response refused =
        rpc.post(admin() + "/tasks/execution-mode?mode=disabled", "", null);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body()).doesNotContain(TOKEN);
    assertThat(
            rpc.post(
                    admin() + "/debug",
                    call(1, "debug_setExecutionMode", "[{\"execution_mode\":\"disabled\"}]"),
                    "Bearer wrong")
                .status())
        .isEqualTo(401);
    assertThat(rpc.get(admin() + "/prometheus").status()).as("reads stay open").isEqualTo(200);
    assertThat(rpc.post(admin() + "/tasks/execution-mode", "", "Bearer " + TOKEN).body())
        .contains("enabled");

    RpcClient.Response set =
        rpc.post(admin() + "/tasks/execution-mode?mode=disabled", "", "Bearer " + TOKEN);
    assertThat(set.body()).contains("execution mode: disabled (was enabled)");
    assertThat(Files.readString(dir.resolve("mode.state")).strip()).isEqualTo("disabled");

    String before = healthz();
    app.after();
    assertThat(connects(before))
        .as("a stopped rollup-boost is connection refused for op-conductor")
        .isFalse();
    app.before();

    await().atMost(Duration.ofSeconds(5)).until(() -> rpc.get(healthz()).status() == 200);
    assertThat(
            rpc.post(admin() + "/debug", call(2, "debug_getExecutionMode", "[]"), "Bearer " + TOKEN)
                .body())
        .contains("\"execution_mode\":\"disabled\"");
  }

  @Test
  void cliReadsAndSetsTheModeThroughTheAdminPort() throws Exception {
    String tokenFile = dir.resolve("admin.token").toString();
    String out =
        cli("execution-mode", "set", "dry-run", "--admin-url", admin(), "--token-file", tokenFile);
    assertThat(out).contains("execution mode: dry_run");
    assertThat(cli("execution-mode", "get", "--admin-url", admin(), "--token-file", tokenFile))
        .contains("execution mode: dry_run");
    cli("execution-mode", "set", "enabled", "--admin-url", admin(), "--token-file", tokenFile);
  }

  private boolean connects(String url) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(
          new java.net.InetSocketAddress("127.0.0.1", java.net.URI.create(url).getPort()), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String cli(String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      io.dropwizard.core.cli.Cli cli =
          new io.dropwizard.core.cli.Cli(
              new io.dropwizard.util.JarLocation(RollupBoostApplication.class),
              bootstrap(),
              System.out,
              System.err);
      assertThat(cli.run(args)).isEmpty();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static io.dropwizard.core.setup.Bootstrap<RollupBoostConfiguration> bootstrap() {
    RollupBoostApplication application = new RollupBoostApplication();
    io.dropwizard.core.setup.Bootstrap<RollupBoostConfiguration> bootstrap =
        new io.dropwizard.core.setup.Bootstrap<>(application);
    application.initialize(bootstrap);
    return bootstrap;
  }
}
