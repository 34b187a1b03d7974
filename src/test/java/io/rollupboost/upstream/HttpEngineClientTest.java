package io.rollupboost.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollupboost.metrics.EngineMetrics;
import io.rollupboost.rpc.RawJson;
import io.rollupboost.testing.FaultyUpstream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The upstream client against a raw-socket upstream whose connection handling is scripted. */
final class HttpEngineClientTest {
  static final RawJson NO_PARAMS = RawJson.wrap("[]".getBytes(StandardCharsets.UTF_8));

  final HttpClient http = new HttpClient();
  FaultyUpstream upstream;
  HttpEngineClient client;

  @BeforeEach
  void start() throws Exception {
    upstream = new FaultyUpstream("0x" + "01".repeat(32));
    http.start();
    client =
        new HttpEngineClient(
            UpstreamId.L2,
            URI.create(upstream.url()),
            null,
            Duration.ofSeconds(5),
            1 << 20,
            http,
            new EngineMetrics());
  }

  @AfterEach
  void stop() throws Exception {
    http.stop();
    upstream.close();
  }

  /** The keep-alive race: the server closes a pooled connection as the next call is sent on it. */
  @Test
  void aCallOnAConnectionTheServerClosedUnansweredIsSentAgain() throws Exception {
    upstream.arm(FaultyUpstream.Fault.CLOSE_KEPT_ALIVE);

    assertThat(client.call("eth_chainId", NO_PARAMS).isError()).isFalse();
    UpstreamReply second = client.call("eth_chainId", NO_PARAMS);

    assertThat(second.isError()).isFalse();
    assertThat(upstream.requests())
        .as("sent on the closed connection, then on a new one")
        .isEqualTo(3);
  }

  @Test
  void answeredCallsAreSentOnce() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(client.call("eth_chainId", NO_PARAMS).isError()).isFalse();
    }
    assertThat(upstream.requests()).isEqualTo(3);
  }

  @Test
  void aConnectionCutMidAnswerIsNotSentAgain() {
    upstream.arm(FaultyUpstream.Fault.CLOSE_MID_RESPONSE);
    assertTheCallIsABadResponse("eth_chainId", "");
    assertThat(upstream.requests()).as("the upstream had started answering").isEqualTo(1);
  }

  /**
   * geth and op-geth gzip every answer of a client that accepts gzip, which Jetty's client does
   * unless told otherwise: compressing a block costs the upstream milliseconds on op-node's path.
   */
  @Test
  void callsAskForUncompressedAnswers() throws Exception {
    client.call("engine_getPayloadV3", NO_PARAMS);

    String head = upstream.lastRequestHead().toLowerCase(java.util.Locale.ROOT);
    assertThat(head).contains("accept-encoding: identity").doesNotContain("gzip");
  }

  /** An upstream (or a proxy in front of it) that compresses anyway is still understood. */
  @Test
  void aCompressedAnswerSentAnywayIsDecoded() throws Exception {
    assertTheEnvelopeArrivesWhole(FaultyUpstream.Fault.GZIP);
  }

  /** Go's net/http (geth, op-geth) sends every answer above 4 KiB chunked, with no length. */
  @Test
  void aChunkedAnswerIsReadWhole() throws Exception {
    assertTheEnvelopeArrivesWhole(FaultyUpstream.Fault.CHUNKED);
  }

  /** Without a declared length, the limit is enforced while the body streams in. */
  @Test
  void aChunkedAnswerOverTheLimitFailsTheCall() {
    upstream.arm(FaultyUpstream.Fault.CHUNKED_HUGE);

    assertTheCallIsABadResponse("engine_getPayloadV3", "exceeds the limit of " + (1 << 20));
  }

  private void assertTheCallIsABadResponse(String method, String message) {
    assertThatThrownBy(() -> client.call(method, NO_PARAMS))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(UpstreamException.Kind.BAD_RESPONSE);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private void assertTheEnvelopeArrivesWhole(FaultyUpstream.Fault fault) throws Exception {
    upstream.arm(fault);

    UpstreamReply reply = client.call("engine_getPayloadV3", NO_PARAMS);

    assertThat(reply.isError()).isFalse();
    assertThat(new String(reply.result().bytes(), StandardCharsets.UTF_8))
        .contains("\"executionPayload\"");
  }

  /** Jackson reads UTF-16 as characters, with no byte offsets: the call fails, it does not hang. */
  @Test
  void anAnswerInUtf16FailsTheCall() {
    upstream.arm(FaultyUpstream.Fault.UTF16);
    assertTheCallIsABadResponse("eth_chainId", "not UTF-8");
  }
}
