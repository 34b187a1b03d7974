package io.rollupboost.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A scriptable execution engine on a real loopback socket: records every JSON-RPC call it gets and
 * answers with defaults that look like an Engine API client, or with scripted faults.
 */
public final class FakeEngine implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus the
    // client's delayed ACK add ~40 ms to every answer, hiding the service's own latency.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  /** One received call. */
  public record Call(String method, JsonNode params, String body, String authorization) {}

  /** How to answer; build with the static factories. */
  public record Reply(int status, String body, long delayMillis, boolean hangs) {
    public static Reply result(String json) {
      return new Reply(200, json, 0, false);
    }

    public static Reply error(int code, String message) {
      return new Reply(200, "{\"code\":" + code + ",\"message\":" + quote(message) + "}", 0, false)
          .asError();
    }

    public static Reply http(int status, String rawBody) {
      return new Reply(status, rawBody, 0, false).raw();
    }

    public static Reply hang() {
      return new Reply(200, "null", 0, true);
    }

    /**
     * An answer that counts {@code arrived} down when the call arrives, then holds the call until
     * {@code release} (at most 20 s) and answers {@code reply}: for calls kept in flight on
     * purpose.
     */
    public static Function<Call, Reply> heldUntil(
        CountDownLatch arrived, CountDownLatch release, Reply reply) {
      return call -> {
        arrived.countDown();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return reply;
      };
    }

    public Reply delayed(long millis) {
      return new Reply(status, body, millis, hangs);
    }

    private Reply asError() {
      return new Reply(status, "E" + body, delayMillis, hangs);
    }

    private Reply raw() {
      return new Reply(status, "R" + body, delayMillis, hangs);
    }
  }

  private final String name;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Call> probes = new CopyOnWriteArrayList<>();
  private final Map<String, Function<Call, Reply>> script = new ConcurrentHashMap<>();
  private volatile CountDownLatch release = new CountDownLatch(1);
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private HttpServer server;
  private int port;

  public FakeEngine(String name) {
    this.name = name;
  }

  public FakeEngine start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
    port = server.getAddress().getPort();
    return this;
  }

  /** Stops listening (connections are then refused); {@link #start()} reuses the same port. */
  public void stop() {
    release.countDown();
    server.stop(0);
  }

  @Override
  public void close() {
    stop();
    executor.shutdownNow();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public String name() {
    return name;
  }

  /** Forgets calls and scripts, releases hung calls. */
  public void reset() {
    release.countDown();
    release = new CountDownLatch(1);
    calls.clear();
    probes.clear();
    script.clear();
  }

  public void on(String method, Function<Call, Reply> reply) {
    script.put(method, reply);
  }

  public void on(String method, Reply reply) {
    script.put(method, c -> reply);
  }

  /** Health probes ({@code eth_getBlockByNumber}) received; not part of {@link #calls()}. */
  public int probeCount() {
    return probes.size();
  }

  /** Answers probes with a head of this number and age. */
  public void head(long number, long ageSeconds) {
    on(
        "eth_getBlockByNumber",
        c -> Reply.result(block(number, System.currentTimeMillis() / 1000 - ageSeconds)));
  }

  /** Calls received other than health probes. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  public long count(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).count();
  }

  /** Every distinct Authorization header received, health probes included. */
  public Set<String> authorizations() {
    Set<String> all = new LinkedHashSet<>();
    for (List<Call> list : List.of(calls, probes)) {
      for (Call call : list) {
        if (call.authorization() != null) {
          all.add(call.authorization());
        }
      }
    }
    return all;
  }

  /** Engine calls received (anything starting with {@code engine_}). */
  public long engineCalls() {
    return calls.stream().filter(c -> c.method().startsWith("engine_")).count();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      JsonNode request = JSON.readTree(body);
      String method = request.path("method").asText();
      Call call =
          new Call(
              method,
              request.path("params"),
              body,
              exchange.getRequestHeaders().getFirst("Authorization"));
      if (method.equals("eth_getBlockByNumber")) {
        probes.add(call);
      } else {
        calls.add(call);
      }
      Reply reply = script.getOrDefault(method, FakeEngine::defaultReply).apply(call);
      if (reply.hangs()) {
        release.await(60, TimeUnit.SECONDS);
        return;
      }
      if (reply.delayMillis() > 0) {
        release.await(reply.delayMillis(), TimeUnit.MILLISECONDS);
      }
      String out;
      int status = reply.status();
      if (reply.body().startsWith("R")) {
        out = reply.body().substring(1);
      } else if (reply.body().startsWith("E")) {
        out = envelope(request.get("id"), "error", reply.body().substring(1));
      } else {
        out = envelope(request.get("id"), "result", reply.body());
      }
      byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String envelope(JsonNode id, String member, String value) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"" + member + "\":" + value + "}";
  }

  static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Defaults of a healthy engine. */
  public static Reply defaultReply(Call call) {
    return switch (call.method()) {
      case "engine_forkchoiceUpdatedV3" ->
          Reply.result(
              fcuResult("VALID", call.params().path(1).isObject() ? "0x0000000000000001" : null));
      case "engine_newPayloadV3", "engine_newPayloadV4" -> Reply.result(status("VALID"));
      case "engine_getPayloadV3", "engine_getPayloadV4", "engine_getPayloadV5" ->
          Reply.result(envelope("0x" + "11".repeat(32), 1, 21000, 1));
      case "engine_exchangeCapabilities" ->
          Reply.result(
              "[\"engine_forkchoiceUpdatedV1\",\"engine_forkchoiceUpdatedV3\",\"engine_getPayloadV3\","
                  + "\"engine_getPayloadV4\",\"engine_newPayloadV3\",\"engine_newPayloadV4\",\"engine_getBlobsV1\"]");
      case "eth_getBlockByNumber" -> Reply.result(block(1, System.currentTimeMillis() / 1000));
      default -> Reply.result("\"0x1\"");
    };
  }

  public static String status(String status) {
    return "{\"status\":\""
        + status
        + "\",\"latestValidHash\":\"0x"
        + "aa".repeat(32)
        + "\",\"validationError\":null}";
  }

  public static String fcuResult(String status, String payloadId) {
    return "{\"payloadStatus\":"
        + status(status)
        + ",\"payloadId\":"
        + (payloadId == null ? "null" : "\"" + payloadId + "\"")
        + "}";
  }

  /** A getPayloadV3-shaped envelope. */
  public static String envelope(String blockHash, long number, long gasUsed, int txCount) {
    // Starts with the deposit the service tests force through their attributes, so envelopes
    // pass the safety checks; builds on Fixtures.HEAD at the attributes' timestamp, with the fee
    // parameters they set in extraData.
    StringBuilder txs = new StringBuilder("\"" + Fixtures.DEPOSIT + "\"");
    for (int i = 0; i < txCount; i++) {
      txs.append(",")
          .append("\"0x02f8")
          .append(String.format(java.util.Locale.ROOT, "%04x", i))
          .append('"');
    }
    return "{\"executionPayload\":{\"parentHash\":\""
        + Fixtures.HEAD
        + "\",\"feeRecipient\":\"0x4200000000000000000000000000000000000011"
        + "\",\"stateRoot\":\"0x"
        + "33".repeat(32)
        + "\",\"receiptsRoot\":\"0x"
        + "44".repeat(32)
        + "\",\"logsBloom\":\"0x"
        + "00".repeat(256)
        + "\",\"prevRandao\":\"0x"
        + "55".repeat(32)
        + "\",\"blockNumber\":\"0x"
        + Long.toHexString(number)
        + "\",\"gasLimit\":\"0x1c9c380\",\"gasUsed\":\"0x"
        + Long.toHexString(gasUsed)
        + "\",\"timestamp\":\"0x6650f0a1\",\"extraData\":\""
        + Fixtures.EXTRA_DATA
        + "\",\"baseFeePerGas\":\"0x3b9aca00\","
        + "\"blockHash\":\""
        + blockHash
        + "\",\"transactions\":["
        + txs
        + "],\"withdrawals\":[],"
        + "\"blobGasUsed\":\"0x0\",\"excessBlobGas\":\"0x0\"},\"blockValue\":\"0x10\","
        + "\"blobsBundle\":{\"commitments\":[],\"proofs\":[],\"blobs\":[]},\"shouldOverrideBuilder\":false}";
  }

  public static String block(long number, long timestamp) {
    return "{\"number\":\"0x"
        + Long.toHexString(number)
        + "\",\"hash\":\"0x"
        + "77".repeat(32)
        + "\",\"timestamp\":\"0x"
        + Long.toHexString(timestamp)
        + "\"}";
  }
}
