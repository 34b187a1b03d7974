package io.rollupboost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.rollupboost.auth.AdminToken;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.rpc.JsonRpcCodec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code execution-mode get|set MODE [--admin-url URL] [--token-file FILE]}: the runbooks' way to
 * read or change a running node's mode through its admin port ({@code POST /debug}).
 */
public final class ExecutionModeCommand extends Command {

  public ExecutionModeCommand() {
    super("execution-mode", "Show or change the execution mode of a running rollup-boost");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("get", "set").help("get the mode, or set it");
    subparser.addArgument("mode").nargs("?").help("with set: " + ExecutionMode.accepted());
    subparser
        .addArgument("--admin-url")
        .dest("adminUrl")
        .setDefault("http://127.0.0.1:8082")
        .help("admin connector of the node (default http://127.0.0.1:8082)");
    subparser
        .addArgument("--token-file")
        .dest("tokenFile")
        .help("file with the admin bearer token, when admin.tokenFile is configured");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    String action = namespace.getString("action");
    String mode = namespace.getString("mode");
    String body;
    if ("set".equals(action)) {
      if (mode == null) {
        throw new IllegalArgumentException("set needs a mode: " + ExecutionMode.accepted());
      }
      String wire = ExecutionMode.parse(mode).wire();
      body =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug_setExecutionMode\",\"params\":[{\"execution_mode\":\""
              + wire
              + "\"}]}";
    } else {
      body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug_getExecutionMode\",\"params\":[]}";
    }
    String url = namespace.getString("adminUrl").replaceAll("/+$", "") + "/debug";
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    String tokenFile = namespace.getString("tokenFile");
    if (tokenFile != null) {
      Path file;
      try {
        file = Path.of(tokenFile);
      } catch (InvalidPathException unused) {
        // Not chained: its message quotes the value, which may be the token itself.
        throw new IllegalArgumentException("--token-file is not a valid file path");
      }
      AdminToken.read(file);
      request.header(
          "Authorization",
          "Bearer " + Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).strip());
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(2))
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("cannot reach the admin port at " + url + " (connection refused)", e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "admin port answered HTTP " + response.statusCode() + ": " + response.body().strip());
    }
    JsonNode reply = JsonRpcCodec.MAPPER.readTree(response.body());
    if (reply.has("error")) {
      throw new IOException("admin port refused: " + reply.path("error").path("message").asText());
    }
    print("execution mode: " + reply.path("result").path("execution_mode").asText());
  }

  @SuppressForbidden(reason = "a CLI prints its answer")
  private static void print(String line) {
    System.out.println(line);
  }
}
