package io.rollupboost.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollupboost.auth.EngineJwt;
import io.rollupboost.auth.JwtSecret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A plain HTTP client playing op-node (JSON-RPC with the Engine API JWT) and the operator. */
public final class RpcClient {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final EngineJwt jwt =
      new EngineJwt(JwtSecret.read(Path.of("src/test/resources/jwt.hex")), Clock.systemUTC());

  /** A response: HTTP status and body. */
  public record Response(int status, String body) {
    public JsonNode json() {
      try {
        return FakeEngine.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    public JsonNode result() {
      JsonNode node = json();
      if (!node.has("result")) {
        throw new AssertionError("no result in " + body);
      }
      return node.get("result");
    }
  }

  public String token() {
    return "Bearer " + jwt.mint();
  }

  public Response post(String url, String body) {
    return post(url, body, token());
  }

  /**
   * Sends every body at once, each on a connection of its own (HTTP/1.1, no authorization), without
   * waiting for the answers: calls meant to be in flight together.
   */
  public static List<CompletableFuture<HttpResponse<String>>> postAll(
      String url, List<String> bodies) {
    HttpClient clients = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (String body : bodies) {
      sent.add(
          clients.sendAsync(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    return sent;
  }

  public Response post(String url, String body, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return send(request.build());
  }

  public Response get(String url) {
    return send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  private Response send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The value of one series (name with labels) in a Prometheus scrape, 0 when absent. */
  public double metric(String adminUrl, String series) {
    for (String line : get(adminUrl + "/prometheus").body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).strip());
      }
    }
    return 0;
  }

  public static String call(Object id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\""
        + method
        + "\",\"params\":"
        + params
        + "}";
  }
}
