package io.rollupboost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rollupboost.testing.TestService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring assets under {@code ops/prometheus} and {@code ops/grafana}: the real promtool
 * accepts the rule files and passes their unit tests, every metric they read is in a real scrape of
 * the service, and every alert points at one of the runbooks. promtool missing is a failure, not a
 * skip ({@code .ci/run} installs it).
 */
final class MonitoringAssetsTest {
  private static final Path PROMETHEUS = Path.of("ops", "prometheus");
  private static final Path ALERTS = PROMETHEUS.resolve("alerts.yml");
  private static final Path RECORDING = PROMETHEUS.resolve("recording.yml");
  private static final Path DASHBOARD = Path.of("ops", "grafana", "rollup-boost.json");

  /** The alert names runbooks refer to: exactly these, no more. */
  private static final Set<String> ALERT_NAMES =
      Set.of(
          "RollupBoostDown",
          "RollupBoostL2Unhealthy",
          "RollupBoostBuilderUnhealthy",
          "RollupBoostBuilderOutOfSync",
          "RollupBoostExecutionModeNotEnabled",
          "RollupBoostHighFallbackRate",
          "RollupBoostInvalidBuilderBlocks",
          "RollupBoostHealthFlapping",
          "RollupBoostUpstreamLatencyNearDeadline",
          "RollupBoostNoBlocksProduced");

  private static final Set<String> RUNBOOKS =
      Set.of(
          "runbooks/leader-el-failure.md",
          "runbooks/follower-el-failure.md",
          "runbooks/leader-rollup-boost-failure.md",
          "runbooks/follower-rollup-boost-failure.md",
          "runbooks/leader-builder-stops-producing.md",
          "runbooks/leader-builder-out-of-sync.md",
          "runbooks/follower-builder-out-of-sync.md",
          "runbooks/leader-builder-bad-blocks.md",
          "runbooks/disable-builder.md",
          "runbooks/re-enable-builder.md");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void promtoolAcceptsTheRuleFiles() throws Exception {
    Result check = promtool(PROMETHEUS, "check", "rules", "alerts.yml", "recording.yml");

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).doesNotContain("FAILED");
  }

  @Test
  void promtoolUnitTestsPass() throws Exception {
    List<String> command = new ArrayList<>(List.of("test", "rules"));
    for (Path file : unitTestFiles()) {
      command.add(PROMETHEUS.relativize(file).toString());
    }
    Result test = promtool(PROMETHEUS, command.toArray(new String[0]));

    assertThat(test.exitCode()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  /** Every alerting rule has a firing case, every alert name a case where it stays quiet. */
  @Test
  void unitTestsCoverEveryAlertFiringAndQuiet() throws Exception {
    List<Map<String, String>> firing = new ArrayList<>();
    Set<String> quiet = new TreeSet<>();
    for (Path file : unitTestFiles()) {
      for (JsonNode group : YAML.readTree(file.toFile()).path("tests")) {
        for (JsonNode testCase : group.path("alert_rule_test")) {
          String alert = testCase.path("alertname").asText();
          JsonNode expected = testCase.path("exp_alerts");
          if (expected.isEmpty()) {
            quiet.add(alert);
          }
          for (JsonNode exp : expected) {
            Map<String, String> labels = strings(exp.path("exp_labels"));
            labels.put("alertname", alert);
            firing.add(labels);
          }
        }
      }
    }

    assertThat(quiet).as("alerts with a not-firing case").containsAll(ALERT_NAMES);
    for (JsonNode rule : rules(ALERTS)) {
      Map<String, String> identity = strings(rule.path("labels"));
      identity.put("alertname", rule.path("alert").asText());
      assertThat(firing)
          .as("a firing case for the rule %s", identity)
          .anyMatch(labels -> labels.entrySet().containsAll(identity.entrySet()));
    }
  }

  @Test
  void everyAlertHasARunbookSeverityAndDescriptions() throws Exception {
    Set<String> names = new TreeSet<>();
    for (JsonNode rule : rules(ALERTS)) {
      String name = rule.path("alert").asText();
      names.add(name);
      JsonNode annotations = rule.path("annotations");

      assertThat(annotations.path("runbook").asText()).as(name).isIn(RUNBOOKS);
      assertThat(rule.path("labels").path("severity").asText())
          .as(name)
          .isIn("critical", "warning");
      assertThat(annotations.path("summary").asText()).as(name).contains("$labels");
      assertThat(annotations.path("description").asText()).as(name).contains("$labels");
    }

    assertThat(names).containsExactlyInAnyOrderElementsOf(ALERT_NAMES);
    assertThat(rules(RECORDING)).allMatch(rule -> rule.hasNonNull("record"));
  }

  /**
   * Every metric name in the rules (alert expressions and recording-rule inputs) and in the
   * dashboard is a family of a real scrape, {@code up}, or a recording rule of recording.yml.
   */
  @Test
  void everyMetricReadIsInARealScrape() throws Exception {
    Scrape scrape = Scrape.parse(scrapeTheTestService());
    Set<String> recorded = new TreeSet<>();
    for (JsonNode rule : rules(RECORDING)) {
      recorded.add(rule.path("record").asText());
    }
    Map<String, String> expressions = new LinkedHashMap<>();
    for (Path file : List.of(RECORDING, ALERTS)) {
      for (JsonNode rule : rules(file)) {
        String name =
            rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
        expressions.put(file.getFileName() + " " + name + " #" + expressions.size(), expr(rule));
      }
    }
    dashboardExpressions().forEach((where, expr) -> expressions.put("dashboard " + where, expr));

    Map<String, Set<String>> unknown = new TreeMap<>();
    expressions.forEach(
        (where, expr) -> {
          for (String name : metricNames(expr)) {
            boolean known =
                name.contains(":")
                    ? recorded.contains(name)
                    : "up".equals(name) || scrape.has(name);
            if (!known) {
              unknown.computeIfAbsent(name, n -> new TreeSet<>()).add(where);
            }
          }
        });

    assertThat(expressions).hasSizeGreaterThan(20);
    assertThat(unknown).as("metric names that are neither exported nor recorded").isEmpty();
  }

  @Test
  void dashboardHasTheVariablesAndValidQueries(@TempDir Path tmp) throws Exception {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    Map<String, JsonNode> variables = new HashMap<>();
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      variables.put(variable.path("name").asText(), variable);
    }

    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
    assertThat(variables.get("datasource").path("type").asText()).isEqualTo("datasource");
    assertThat(variables.get("datasource").path("query").asText()).isEqualTo("prometheus");
    assertThat(variables.get("instance").path("multi").asBoolean()).isTrue();
    Map<String, String> expressions = dashboardExpressions();
    expressions.forEach(
        (where, expr) -> {
          if (!where.startsWith("variable ")) {
            assertThat(expr).as(where).contains("instance=~\"$instance\"");
          }
        });

    // promtool parses every query once Grafana's variables are replaced.
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int i = 0;
    for (String expr : expressions.values()) {
      String promql =
          expr.replace("$__rate_interval", "1m")
              .replace("$__interval", "1m")
              .replace("$instance", ".*");
      rules
          .append("      - record: dashboard:query:")
          .append(i++)
          .append("\n        expr: ")
          .append(JSON.writeValueAsString(promql))
          .append('\n');
    }
    Path file = Files.writeString(tmp.resolve("dashboard.yml"), rules, StandardCharsets.UTF_8);
    Result check = promtool(tmp, "check", "rules", file.getFileName().toString());

    assertThat(check.exitCode()).as(check.output()).isZero();
  }

  // ---- PromQL --------------------------------------------------------------------------------

  private static final Pattern VARIABLES = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
  private static final Pattern STRINGS =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^\\]]*]");
  private static final Pattern LABEL_LISTS =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w:.])([A-Za-z_:][\\w:]*)(\\s*\\()?");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.*),\\s*[A-Za-z_]\\w*\\s*\\)\\s*$", Pattern.DOTALL);
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "offset",
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio",
          "atan2",
          "inf",
          "nan");

  /** Metric names an expression selects: identifiers that are no function, keyword or label. */
  static Set<String> metricNames(String expr) {
    String s = VARIABLES.matcher(expr).replaceAll(" ");
    s = STRINGS.matcher(s).replaceAll("\"\"");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGES.matcher(s).replaceAll(" ");
    s = LABEL_LISTS.matcher(s).replaceAll("$1 ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group(1);
      boolean function = m.group(2) != null;
      if (!function && !KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) {
        names.add(word);
      }
    }
    return names;
  }

  @Test
  void metricNamesSkipFunctionsLabelsAndKeywords() {
    assertThat(
            metricNames(
                "sum by (job, instance) (rate(a_total{reason!=\"dry_run\"}[5m] offset 1m)) > bool 0"
                    + " unless on (job) label_replace(b:c:d, \"x\", \"y\", \"\", \"\") * 1e3"
                    + " or histogram_quantile(0.99, sum by (le) (e_bucket{i=~\"$instance\"}"
                    + "[$__rate_interval])) or absent(up{job=\"x\"})"))
        .containsExactlyInAnyOrder("a_total", "b:c:d", "e_bucket", "up");
  }

  // ---- files ---------------------------------------------------------------------------------

  private static List<Path> unitTestFiles() throws IOException {
    try (Stream<Path> files = Files.list(PROMETHEUS.resolve("tests"))) {
      List<Path> yml = files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
      assertThat(yml).as("promtool unit tests in ops/prometheus/tests").isNotEmpty();
      return yml;
    }
  }

  private static List<JsonNode> rules(Path file) throws IOException {
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode group : YAML.readTree(file.toFile()).path("groups")) {
      group.path("rules").forEach(rules::add);
    }
    assertThat(rules).as("rules in %s", file).isNotEmpty();
    return rules;
  }

  private static String expr(JsonNode rule) {
    return rule.path("expr").asText();
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new TreeMap<>();
    object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** Every query of the dashboard: panel targets, annotations, template variables. */
  private static Map<String, String> dashboardExpressions() throws IOException {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    Map<String, String> out = new LinkedHashMap<>();
    collectExpr(dashboard, "", out);
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      JsonNode query = variable.path("query");
      String text = query.isObject() ? query.path("query").asText() : query.asText();
      if (text.isEmpty()) {
        text = variable.path("definition").asText();
      }
      Matcher labelValues = LABEL_VALUES.matcher(text);
      out.put(
          "variable " + variable.path("name").asText(),
          labelValues.matches() ? labelValues.group(1) : text);
    }
    assertThat(out).as("queries in %s", DASHBOARD).isNotEmpty();
    return out;
  }

  private static void collectExpr(JsonNode node, String path, Map<String, String> out) {
    if (node.isObject()) {
      String where = node.has("title") ? path + "/" + node.path("title").asText() : path;
      node.properties()
          .forEach(
              e -> {
                if ("expr".equals(e.getKey()) && e.getValue().isTextual()) {
                  out.put(
                      where + " " + node.path("refId").asText(node.path("name").asText()),
                      e.getValue().asText());
                } else {
                  collectExpr(e.getValue(), where, out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(child -> collectExpr(child, path, out));
    }
  }

  // ---- the running service and promtool ------------------------------------------------------

  /**
   * Scrapes the shared service. TestService hands its config overrides over as {@code dw.*} system
   * properties and leaves them set, which would override every later configuration load in this JVM
   * (RollupBoostConfigurationTest); when this test is the one that starts it, it removes the
   * properties it added (the running service no longer reads them).
   */
  private static String scrapeTheTestService() throws IOException, InterruptedException {
    Set<String> before = overrideProperties();
    String admin;
    try {
      admin = TestService.admin();
    } finally {
      for (String key : overrideProperties()) {
        if (!before.contains(key)) {
          System.clearProperty(key);
        }
      }
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(admin + "/prometheus"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static Set<String> overrideProperties() {
    Set<String> keys = new TreeSet<>();
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("dw.")) {
        keys.add(key);
      }
    }
    return keys;
  }

  /** Families of one exposition: declared by {@code # TYPE} or seen as samples. */
  private record Scrape(Map<String, String> types, Set<String> samples) {
    static Scrape parse(String text) {
      Map<String, String> types = new HashMap<>();
      Set<String> samples = new TreeSet<>();
      for (String line : text.split("\n", -1)) {
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.split(" ", -1);
          types.put(parts[2], parts[3]);
        } else if (!line.isBlank() && !line.startsWith("#")) {
          samples.add(line.split("[{ ]", 2)[0]);
        }
      }
      assertThat(types).as("families in the scrape").containsKey("rollup_boost_health_status");
      return new Scrape(types, samples);
    }

    /** A family name, a sample name, or a histogram's (summary's) series of a declared family. */
    boolean has(String name) {
      if (types.containsKey(name) || samples.contains(name)) {
        return true;
      }
      for (String suffix : List.of("_bucket", "_count", "_sum")) {
        if (name.endsWith(suffix)) {
          String type = types.get(name.substring(0, name.length() - suffix.length()));
          if ("histogram".equals(type) || ("summary".equals(type) && !"_bucket".equals(suffix))) {
            return true;
          }
        }
      }
      return false;
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result promtool(Path directory, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("promtool");
    command.addAll(List.of(args));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(directory.toAbsolutePath().toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool is not on PATH: install the Debian package prometheus (.ci/run does)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("promtool " + String.join(" ", args) + " did not finish");
    }
    return new Result(process.exitValue(), "promtool " + String.join(" ", args) + "\n" + output);
  }
}
