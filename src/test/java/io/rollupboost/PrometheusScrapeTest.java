package io.rollupboost;

import static io.rollupboost.testing.RpcClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real scrape, checked by the real promtool (Debian package {@code prometheus}). */
final class PrometheusScrapeTest {
  final RpcClient rpc = new RpcClient();

  @Test
  void scrapePassesPromtoolAndCarriesTheContractNames() throws Exception {
    TestService.L2.reset();
    TestService.BUILDER.reset();
    String fcs =
        "{\"headBlockHash\":\"0x"
            + "ab".repeat(32)
            + "\",\"safeBlockHash\":\"0x"
            + "ab".repeat(32)
            + "\",\"finalizedBlockHash\":\"0x"
            + "ab".repeat(32)
            + "\"}";
    String attrs =
        "{\"timestamp\":\"0x1\",\"parentBeaconBlockRoot\":\"0x" + "99".repeat(32) + "\"}";
    String id =
        rpc.post(
                TestService.app(),
                call(1, "engine_forkchoiceUpdatedV3", "[" + fcs + "," + attrs + "]"))
            .result()
            .path("payloadId")
            .asText();
    rpc.post(TestService.app(), call(2, "engine_getPayloadV3", "[\"" + id + "\"]"));
    rpc.post(TestService.app(), call(3, "engine_getPayloadV3", "[\"0x00000000000000ee\"]"));
    rpc.post(TestService.app(), "not json");
    TestService.L2.on(
        "eth_getBalance", io.rollupboost.testing.FakeEngine.Reply.error(-32000, "no"));
    rpc.post(TestService.app(), call(4, "eth_getBalance", "[]"));

    String scrape = rpc.get(TestService.admin() + "/prometheus").body();

    assertThat(scrape)
        .contains("rollup_boost_blocks_created_total{source=\"")
        .contains("rollup_boost_builder_fallbacks_total{reason=\"no_payload_id\"}")
        .contains("rollup_boost_health_status ")
        .contains("rollup_boost_execution_mode 3")
        .contains(
            "rollup_boost_upstream_request_duration_seconds_bucket{upstream=\"l2\",method=\"engine_getPayloadV3\",le=\"0.005\"}")
        .contains("rollup_boost_upstream_errors_total{upstream=")
        .contains("rollup_boost_head_age_seconds{upstream=\"builder\"}")
        .contains("rollup_boost_rpc_rejected_total{reason=\"parse_error\"}")
        .contains("io_dropwizard_jetty_mutable_servlet_context_handler_requests");
    Process promtool =
        new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = promtool.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    promtool.getInputStream().transferTo(out);
    assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(promtool.exitValue()).isZero();
  }
}
