package io.rollupboost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.rollupboost.rpc.JsonRpcCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code ha --inventory FILE [--partial-eligible] [--json] [--timeout 2s]}: asks every node of the
 * cluster for its health (and, when listed, op-conductor and op-node for who leads), prints the
 * leadership ranking and exits with a code a script can act on ({@link CandidateRanking.Verdict}; 4
 * for a usage or inventory error).
 */
public final class HaCommand extends Command {
  public static final int USAGE_ERROR = 4;

  public HaCommand() {
    super("ha", "Rank the cluster's sequencers as leadership candidates");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser
        .addArgument("--inventory")
        .required(true)
        .help("cluster inventory YAML (nodes: name, rollupBoost, conductor, opNode)");
    subparser
        .addArgument("--partial-eligible")
        .dest("partialEligible")
        .action(Arguments.storeTrue())
        .help("count nodes answering 206 as eligible (match op-conductor's tolerance policy)");
    subparser
        .addArgument("--json")
        .action(Arguments.storeTrue())
        .help("one JSON document instead of a table");
    subparser
        .addArgument("--timeout")
        .setDefault("2s")
        .help("per-request timeout, e.g. 500ms or 2s");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    int code = execute(namespace);
    if (code != 0) {
      // Cli treats a normal return as success; the verdict must reach the shell.
      exit(code);
    }
  }

  /** Runs the command and returns the exit code (separate from {@link #run} for tests). */
  static int execute(Namespace namespace) {
    Duration timeout;
    ClusterInventory inventory;
    try {
      timeout = io.dropwizard.util.Duration.parse(namespace.getString("timeout")).toJavaDuration();
      inventory = ClusterInventory.read(Path.of(namespace.getString("inventory")));
    } catch (IllegalArgumentException e) {
      print("error: " + e.getMessage());
      return USAGE_ERROR;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    List<CompletableFuture<CandidateRanking.Observation>> pending = new ArrayList<>();
    for (ClusterInventory.Node node : inventory.nodes()) {
      pending.add(CompletableFuture.supplyAsync(() -> observe(http, node, timeout)));
    }
    List<CandidateRanking.Observation> observations =
        pending.stream().map(CompletableFuture::join).toList();
    CandidateRanking.Result result =
        CandidateRanking.rank(observations, namespace.getBoolean("partialEligible"));
    print(namespace.getBoolean("json") ? json(result) : table(result));
    return result.verdict().exitCode();
  }

  static CandidateRanking.Observation observe(
      HttpClient http, ClusterInventory.Node node, Duration timeout) {
    Boolean leader = null;
    String leaderError = null;
    try {
      if (node.conductor() != null) {
        leader = rpcBoolean(http, node.conductor(), "conductor_leader", timeout);
      } else if (node.opNode() != null) {
        leader = rpcBoolean(http, node.opNode(), "admin_sequencerActive", timeout);
      }
    } catch (IOException e) {
      leaderError = "leader unknown: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    URI details = node.rollupBoost().resolve("/healthz/details");
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(details).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode d = JsonRpcCodec.MAPPER.readTree(response.body());
      JsonNode l2 = d.path("components").path("l2");
      JsonNode age = l2.path("head_age_seconds");
      String error = d.path("status").asInt() == 200 ? leaderError : firstError(d, leaderError);
      return new CandidateRanking.Observation(
          node.name(),
          d.path("status").asInt(0),
          d.path("rollup_boost_health").asText("?"),
          l2.path("head_number").asLong(-1),
          age.isNumber() ? age.asDouble() : null,
          d.path("components").path("builder").path("state").asText("?"),
          d.path("execution_mode").asText("?"),
          leader,
          error);
    } catch (IOException | RuntimeException e) {
      return new CandidateRanking.Observation(
          node.name(), 0, "unreachable", -1, null, "?", "?", leader, details + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new CandidateRanking.Observation(
          node.name(), 0, "unreachable", -1, null, "?", "?", leader, "interrupted");
    }
  }

  private static String firstError(JsonNode details, String fallback) {
    for (String component : new String[] {"l2", "builder"}) {
      String error = details.path("components").path(component).path("last_error").asText(null);
      if (error != null && !"null".equals(error)) {
        return component + ": " + error;
      }
    }
    return fallback;
  }

  private static Boolean rpcBoolean(HttpClient http, URI url, String method, Duration timeout)
      throws IOException, InterruptedException {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[]}";
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode result = JsonRpcCodec.MAPPER.readTree(response.body()).path("result");
    if (!result.isBoolean()) {
      throw new IOException(method + " answered " + response.body().strip());
    }
    return result.asBoolean();
  }

  private static String describe(Exception e) {
    return e.getMessage() == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + " " + e.getMessage();
  }

  static String table(CandidateRanking.Result result) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-4s %-16s %-7s %-8s %-6s %-10s %-8s %-10s %-9s %s%n",
            "RANK",
            "NODE",
            "HEALTHZ",
            "ELIGIBLE",
            "LEADER",
            "L2_HEAD",
            "L2_AGE",
            "BUILDER",
            "MODE",
            "NOTE"));
    for (CandidateRanking.Candidate c : result.candidates()) {
      CandidateRanking.Observation o = c.node();
      out.append(
          String.format(
              Locale.ROOT,
              "%-4d %-16s %-7s %-8s %-6s %-10s %-8s %-10s %-9s %s%n",
              c.rank(),
              o.name(),
              o.healthz() == 0 ? "-" : String.valueOf(o.healthz()),
              c.eligible() ? "yes" : "no",
              o.leader() == null ? "?" : o.leader() ? "yes" : "no",
              o.l2Head() < 0 ? "-" : String.valueOf(o.l2Head()),
              o.l2HeadAgeSeconds() == null
                  ? "-"
                  : String.format(Locale.ROOT, "%.1fs", o.l2HeadAgeSeconds()),
              o.builderState(),
              o.executionMode(),
              c.reason()));
    }
    out.append("verdict: ")
        .append(result.verdict().name().toLowerCase(Locale.ROOT))
        .append(" (exit ")
        .append(result.verdict().exitCode())
        .append("): ")
        .append(result.verdict().meaning());
    return out.toString();
  }

  static String json(CandidateRanking.Result result) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("verdict", result.verdict().name().toLowerCase(Locale.ROOT));
    root.put("exitCode", result.verdict().exitCode());
    root.put("leader", result.leader());
    ArrayNode list = root.putArray("candidates");
    for (CandidateRanking.Candidate c : result.candidates()) {
      ObjectNode n = JsonRpcCodec.MAPPER.valueToTree(c.node());
      n.put("rank", c.rank());
      n.put("eligible", c.eligible());
      n.put("reason", c.reason());
      list.add(n);
    }
    return root.toString();
  }

  @SuppressForbidden(reason = "a CLI prints its answer")
  private static void print(String text) {
    System.out.println(text);
  }

  @SuppressForbidden(reason = "the verdict is the process exit code")
  private static void exit(int code) {
    System.exit(code);
  }
}
