package io.rollupboost.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.cli.CheckCommand;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ServerCommand;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.util.JarLocation;
import io.rollupboost.RollupBoostApplication;
import io.rollupboost.RollupBoostConfiguration;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.testing.RpcClient;
import io.rollupboost.testing.TestService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the operations documentation honest: every command in the {@code ```sh} blocks of {@code
 * runbooks/*.md}, {@code ops/conductor/README.md} and {@code ops/deploy/README.md} that is aimed at
 * this service is checked against the real thing. URL paths used with {@code $RB} / {@code
 * $RB_ADMIN} (and {@code $…_RB}) must be served by the shared running test service, admin POSTs
 * must be tasks that exist or {@code /debug} with one of its two methods, every {@code java -jar
 * …rollup-boost.jar} command must use a subcommand and flags the CLI has, and every metric, {@code
 * debug_*} method, alert name, shell variable and runbook link must exist. The deploy examples
 * (config, env file, unit, inventory) are checked for validity and for agreeing with the runbooks.
 * Nothing here changes the shared service: the only POSTs are the read-only execution-mode task
 * without a mode and {@code debug_getExecutionMode}.
 */
final class RunbookCommandsTest {
  private static final Path RUNBOOKS = Path.of("runbooks");
  private static final Path CONDUCTOR_README = Path.of("ops/conductor/README.md");
  private static final Path DEPLOY = Path.of("ops/deploy");
  private static final Path ALERTS = Path.of("ops/prometheus/alerts.yml");

  /**
   * The {@code ha} subcommand's flags as specified (README "Which node should lead"), true when the
   * flag takes a value. Hard-coded rather than read from {@code ha --help} because the command is
   * developed in parallel and may not be registered when this test runs.
   */
  private static final Map<String, Boolean> HA_FLAGS =
      Map.of(
          "--inventory", true,
          "--partial-eligible", false,
          "--json", false,
          "--timeout", true,
          "--help", false,
          "-h", false);

  private static final Set<String> DEBUG_METHODS =
      Set.of("debug_getExecutionMode", "debug_setExecutionMode");
  private static final List<String> RUNBOOK_SECTIONS =
      List.of("## Symptoms", "## Diagnosis", "## Actions", "## Verification", "## Rollback");
  private static final Set<String> SHELL_VARIABLES =
      Set.of("HOME", "PATH", "USER", "PWD", "SHELL", "HOSTNAME");

  private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([A-Za-z0-9_-]*)\\s*$");
  private static final Pattern SERVICE_URL =
      Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)\\}?((?:/[^\\s\"'`()<>|;&]*)?)");
  private static final Pattern JAR = Pattern.compile(".*rollup-boost\\.jar(\\.[a-z]+)?");
  private static final Pattern METRIC =
      Pattern.compile(
          "(?<![\\w:])rollup_boost_[a-z0-9_]*(?:\\([a-z0-9_| ]+\\)[a-z0-9_]*)*(?![\\w:(*])");
  private static final Pattern DEBUG_METHOD = Pattern.compile("\\bdebug_[A-Za-z]+");
  private static final Pattern ALERT = Pattern.compile("\\bRollupBoost[A-Z][A-Za-z0-9]+\\b");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern ASSIGNMENT =
      Pattern.compile("(?:^|[\\s;(])(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)=");
  private static final Pattern FOR_LOOP =
      Pattern.compile("\\bfor\\s+([A-Za-z_][A-Za-z0-9_]*)\\s+in\\b");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+\\.md)(?:#[^)]*)?\\)");
  private static final Pattern REASON =
      Pattern.compile("reason=\\\\?\"?\\(?([a-z_][a-z_|]*)(\u2026)?");
  private static final Pattern JSON_METHOD =
      Pattern.compile("\\\\?\"method\\\\?\"\\s*:\\s*\\\\?\"([A-Za-z0-9_]+)");
  private static final Pattern EXECUTION_MODE_PARAM =
      Pattern.compile("\\\\?\"execution_mode\\\\?\"\\s*:\\s*\\\\?\"([A-Za-z_-]+)");

  private static final RpcClient HTTP = new RpcClient();

  /** An admin task the runbooks call: its read-only answer and its one parameter's check. */
  record TaskSpec(String readOnlyAnswer, String parameter, Function<String, String> check) {}

  private static final Map<String, TaskSpec> TASKS =
      Map.of(
          "execution-mode",
          new TaskSpec(
              "execution mode:",
              "mode",
              value -> {
                try {
                  ExecutionMode.parse(value);
                  return "";
                } catch (IllegalArgumentException e) {
                  return e.getMessage();
                }
              }),
          "builder-breaker",
          new TaskSpec(
              "builder quality:",
              "action",
              value -> value.equals("reset") ? "" : "builder-breaker knows only action=reset"));

  /** A fenced shell command (one simple command, substitutions analysed as their own). */
  record Command(Path doc, int line, String text, String expandable, List<String> words) {
    String where() {
      return doc + ":" + line + ": " + text.strip();
    }
  }

  /** A documentation file and the commands of its sh blocks. */
  record Doc(Path path, String text, List<Command> commands) {}

  private static List<Doc> docs;
  private static List<Command> commands;

  @BeforeAll
  static void extract() throws IOException {
    List<Path> files = new ArrayList<>(runbookFiles());
    files.add(RUNBOOKS.resolve("README.md"));
    files.add(CONDUCTOR_README);
    files.add(DEPLOY.resolve("README.md"));
    docs = new ArrayList<>();
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      docs.add(new Doc(file, text, ShellCommands.extract(file, text)));
    }
    commands = docs.stream().flatMap(d -> d.commands().stream()).toList();
  }

  private static List<Path> runbookFiles() throws IOException {
    try (Stream<Path> list = Files.list(RUNBOOKS)) {
      return list.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> !p.getFileName().toString().equals("README.md"))
          .sorted()
          .toList();
    }
  }

  @Test
  void everyDocumentHasCommandsToCheck() throws IOException {
    Map<String, Integer> perDoc = new LinkedHashMap<>();
    for (Doc doc : docs) {
      perDoc.put(doc.path().toString(), doc.commands().size());
    }
    assertThat(perDoc.values()).as("commands per document %s", perDoc).allMatch(n -> n >= 3);
    assertThat(commands).hasSizeGreaterThan(150);
    assertThat(runbookFiles()).hasSizeGreaterThanOrEqualTo(14);
    System.out.println(
        "RunbookCommandsTest: " + commands.size() + " shell commands in " + docs.size() + " docs");
  }

  @Test
  void everyCommandIsWellFormed() {
    // S = single quote, D = double quote, P = parenthesis, B = ${...}
    assertThat(ShellCommands.UNBALANCED).isEmpty();
  }

  @Test
  void runbooksFollowTheTemplateAndTheIndexLinksThemAll() throws IOException {
    List<String> problems = new ArrayList<>();
    String index = Files.readString(RUNBOOKS.resolve("README.md"), StandardCharsets.UTF_8);
    for (Path runbook : runbookFiles()) {
      String text = Files.readString(runbook, StandardCharsets.UTF_8);
      int last = -1;
      for (String section : RUNBOOK_SECTIONS) {
        int at = text.indexOf("\n" + section + "\n");
        if (at < 0) {
          problems.add(runbook + ": no section '" + section + "'");
        } else if (at < last) {
          problems.add(runbook + ": section '" + section + "' out of order");
        }
        last = Math.max(last, at);
      }
      if (!index.contains("](" + runbook.getFileName() + ")")) {
        problems.add("runbooks/README.md does not link " + runbook.getFileName());
      }
    }
    for (Doc doc : docs) {
      Matcher link = LINK.matcher(doc.text());
      while (link.find()) {
        String target = link.group(1);
        if (!target.startsWith("http") && !Files.exists(doc.path().resolveSibling(target))) {
          problems.add(doc.path() + ": broken link " + target);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyServiceUrlIsServed() {
    String app = TestService.app().replaceAll("/+$", "");
    String admin = TestService.admin().replaceAll("/+$", "");
    Map<String, String> checked = new HashMap<>();
    List<String> problems = new ArrayList<>();
    int urls = 0;
    for (Command command : commands) {
      Matcher m = SERVICE_URL.matcher(command.text());
      while (m.find()) {
        String variable = m.group(1);
        boolean isAdmin = variable.equals("RB_ADMIN") || variable.endsWith("_RB_ADMIN");
        boolean isApp = variable.equals("RB") || variable.endsWith("_RB");
        if (!isAdmin && !isApp) {
          continue;
        }
        urls++;
        String pathAndQuery = m.group(2);
        String path = pathAndQuery.contains("?") ? pathAndQuery.split("\\?", 2)[0] : pathAndQuery;
        String query = pathAndQuery.contains("?") ? pathAndQuery.split("\\?", 2)[1] : "";
        boolean request = isRequest(command);
        boolean post = request && isPost(command);
        String key = (isAdmin ? "admin " : "app ") + (post ? "POST " : "GET ") + pathAndQuery;
        String verdict =
            checked.computeIfAbsent(
                key + " " + (post ? command.text() : ""),
                k ->
                    isAdmin
                        ? checkAdmin(admin, post, request, path, query, command)
                        : checkApp(app, post, request, path));
        if (!verdict.isEmpty()) {
          problems.add(command.where() + "\n    -> " + verdict);
        }
      }
    }
    assertThat(urls).as("service URLs found").isGreaterThan(80);
    assertThat(problems).isEmpty();
  }

  private static boolean isRequest(Command command) {
    String first = command.words().isEmpty() ? "" : command.words().get(0);
    return first.equals("curl") || first.equals("jrpc");
  }

  private static boolean isPost(Command command) {
    List<String> w = command.words();
    if (w.get(0).equals("jrpc")) {
      return true;
    }
    for (int i = 0; i < w.size(); i++) {
      String word = w.get(i);
      if ((word.equals("-X") || word.equals("--request"))
          && i + 1 < w.size()
          && w.get(i + 1).equals("POST")) {
        return true;
      }
      if (word.equals("-XPOST")
          || word.equals("-d")
          || word.startsWith("--data")
          || word.equals("--json")) {
        return true;
      }
    }
    return false;
  }

  /** JSON-RPC methods a command sends: {@code jrpc URL METHOD} or {@code "method":"…"} data. */
  private static List<String> jsonMethods(Command command) {
    List<String> methods = new ArrayList<>();
    if (command.words().get(0).equals("jrpc") && command.words().size() > 2) {
      methods.add(command.words().get(2));
    }
    Matcher m = JSON_METHOD.matcher(command.text());
    while (m.find()) {
      methods.add(m.group(1));
    }
    return methods;
  }

  private static String checkApp(String base, boolean post, boolean request, String path) {
    if (post) {
      if (!path.isEmpty() && !path.equals("/")) {
        return "the application connector takes POSTs only on / (JSON-RPC), not " + path;
      }
      RpcClient.Response r =
          HTTP.post(base + "/", RpcClient.call(1, "eth_chainId", "[]"), (String) null);
      return r.status() == 200 && r.json().has("jsonrpc")
          ? ""
          : "POST / did not answer JSON-RPC: " + r.status() + " " + r.body();
    }
    if (path.isEmpty() || path.equals("/")) {
      // A base URL handed to a tool (op-conductor --execution.rpc, ha inventory) is fine; a GET
      // of it is not served.
      return request ? "GET " + base + "/ is not served (405): add a path" : "";
    }
    int status = HTTP.get(base + path).status();
    return status == 404 || status == 405
        ? "GET " + path + " is not served by the application connector (" + status + ")"
        : "";
  }

  private static String checkAdmin(
      String base, boolean post, boolean request, String path, String query, Command command) {
    if (!post) {
      if (path.isEmpty()) {
        // --admin-url "$RB_ADMIN": the CLI appends its own path.
        return request ? "GET of the bare admin URL is not served" : "";
      }
      int status = HTTP.get(base + path).status();
      return status == 404 || status == 405
          ? "GET " + path + " is not served by the admin connector (" + status + ")"
          : "";
    }
    if (path.startsWith("/tasks/")) {
      int status = HTTP.get(base + path).status();
      if (status != 405) {
        return "no task " + path + " on the admin port (GET answered " + status + ", not 405)";
      }
      TaskSpec task = TASKS.get(path.substring("/tasks/".length()));
      if (task == null) {
        return "";
      }
      // Without its parameter the task only prints its state: safe on the shared service.
      RpcClient.Response read = HTTP.post(base + path, "", (String) null);
      if (read.status() != 200 || !read.body().startsWith(task.readOnlyAnswer())) {
        return "POST " + path + " (read-only) answered " + read.status() + " " + read.body();
      }
      for (String parameter : query.isEmpty() ? new String[0] : query.split("&", -1)) {
        String[] kv = parameter.split("=", 2);
        if (!kv[0].equals(task.parameter()) || kv.length != 2) {
          return path + " takes only ?" + task.parameter() + "=…, not " + parameter;
        }
        String problem = task.check().apply(kv[1]);
        if (!problem.isEmpty()) {
          return problem;
        }
      }
      return "";
    }
    if (path.equals("/debug")) {
      List<String> methods = jsonMethods(command);
      if (methods.isEmpty()) {
        return "POST /debug without a JSON-RPC method";
      }
      for (String method : methods) {
        if (!DEBUG_METHODS.contains(method)) {
          return "/debug serves " + DEBUG_METHODS + ", not " + method;
        }
      }
      Matcher mode = EXECUTION_MODE_PARAM.matcher(command.text());
      if (methods.contains("debug_setExecutionMode")) {
        if (!mode.find()) {
          return "debug_setExecutionMode needs params [{\"execution_mode\":\"MODE\"}]";
        }
        try {
          ExecutionMode.parse(mode.group(1));
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
      }
      RpcClient.Response r =
          HTTP.post(base + "/debug", RpcClient.call(1, "debug_getExecutionMode", "[]"), null);
      return r.status() == 200 && r.json().path("result").has("execution_mode")
          ? ""
          : "POST /debug debug_getExecutionMode answered " + r.status() + " " + r.body();
    }
    return "the admin connector takes POSTs only on /tasks/… and /debug, not " + path;
  }

  @Test
  void everyCliCommandUsesARealSubcommandAndRealFlags() throws IOException {
    String topHelp = help("--help");
    Matcher choices = Pattern.compile("\\{([a-z0-9_,-]+)\\}").matcher(topHelp);
    assertThat(choices.find()).as("subcommands in: %s", topHelp).isTrue();
    Set<String> subcommands = new LinkedHashSet<>(List.of(choices.group(1).split(",")));
    Map<String, CliSpec> specs = new HashMap<>();
    List<Command> cli = new ArrayList<>();
    for (Command command : commands) {
      if (cliArgs(command.words()).isPresent()) {
        cli.add(command);
      }
    }
    for (String line : Files.readAllLines(DEPLOY.resolve("rollup-boost.service"))) {
      if (line.startsWith("ExecStart=")) {
        String exec = line.substring("ExecStart=".length());
        cli.add(
            new Command(
                DEPLOY.resolve("rollup-boost.service"),
                0,
                exec,
                exec,
                List.of(exec.split("\\s+"))));
      }
    }
    List<String> problems = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    for (Command command : cli) {
      List<String> args = cliArgs(command.words()).orElseThrow();
      if (args.isEmpty()) {
        problems.add(command.where() + "\n    -> no subcommand");
        continue;
      }
      String sub = args.get(0);
      used.add(sub);
      if (sub.equals("--help") || sub.equals("-h") || sub.equals("--version") || sub.equals("-v")) {
        continue;
      }
      CliSpec spec;
      if (sub.equals("ha")) {
        spec = new CliSpec(HA_FLAGS, List.of());
      } else if (subcommands.contains(sub)) {
        spec = specs.computeIfAbsent(sub, s -> CliSpec.parse(help(s, "--help")));
      } else {
        problems.add(command.where() + "\n    -> no subcommand '" + sub + "' in " + subcommands);
        continue;
      }
      String problem = checkCli(sub, spec, args.subList(1, args.size()));
      if (!problem.isEmpty()) {
        problems.add(command.where() + "\n    -> " + problem);
      }
    }
    assertThat(problems).isEmpty();
    assertThat(used).contains("execution-mode", "ha", "check", "server");
  }

  /** The arguments after {@code java … -jar …rollup-boost.jar}, if the command is one. */
  private static Optional<List<String>> cliArgs(List<String> words) {
    int first = 0;
    while (first < words.size() && words.get(first).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
      first++;
    }
    if (first >= words.size()
        || !(words.get(first).equals("java") || words.get(first).endsWith("/java"))) {
      return Optional.empty();
    }
    for (int i = first + 1; i + 1 < words.size(); i++) {
      if (words.get(i).equals("-jar") && JAR.matcher(words.get(i + 1)).matches()) {
        return Optional.of(words.subList(i + 2, words.size()));
      }
    }
    return Optional.empty();
  }

  /** What a subcommand accepts: flags (true = takes a value) and positional choice sets. */
  record CliSpec(Map<String, Boolean> flags, List<Set<String>> positionals) {
    static CliSpec parse(String help) {
      String usage = help.split("\\R\\s*\\R", 2)[0].replaceFirst("usage:\\s*java -jar \\S+", "");
      Map<String, Boolean> flags = new HashMap<>();
      Matcher flag =
          Pattern.compile("(?<![\\w-])(--?[a-zA-Z][a-z0-9-]*)(?: ([A-Z][A-Z0-9_]*))?")
              .matcher(usage);
      while (flag.find()) {
        flags.put(flag.group(1), flag.group(2) != null);
      }
      flags.put("--help", false);
      List<Set<String>> positionals = new ArrayList<>();
      Matcher choice = Pattern.compile("\\{([a-z0-9_,-]+)\\}").matcher(usage);
      while (choice.find()) {
        positionals.add(new LinkedHashSet<>(List.of(choice.group(1).split(","))));
      }
      return new CliSpec(flags, positionals);
    }
  }

  private static String checkCli(String sub, CliSpec spec, List<String> args) {
    Map<String, String> given = new HashMap<>();
    List<String> positional = new ArrayList<>();
    for (Iterator<String> it = args.iterator(); it.hasNext(); ) {
      String arg = it.next();
      if (arg.startsWith("-")) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        Boolean takesValue = spec.flags().get(name);
        if (takesValue == null) {
          return sub
              + " has no flag "
              + name
              + " (it has "
              + new TreeSet<>(spec.flags().keySet())
              + ")";
        }
        String value = "";
        if (takesValue) {
          if (arg.contains("=")) {
            value = arg.substring(arg.indexOf('=') + 1);
          } else if (it.hasNext()) {
            value = it.next();
          } else {
            return name + " needs a value";
          }
        }
        given.put(name, value);
      } else {
        positional.add(arg);
      }
    }
    if (given.containsKey("--help") || given.containsKey("-h")) {
      return "";
    }
    for (int i = 0; i < spec.positionals().size() && i < positional.size(); i++) {
      if (!spec.positionals().get(i).contains(positional.get(i))) {
        return sub + ": '" + positional.get(i) + "' is not one of " + spec.positionals().get(i);
      }
    }
    switch (sub) {
      case "execution-mode" -> {
        if (positional.isEmpty()) {
          return "execution-mode needs get or set";
        }
        if (positional.get(0).equals("set")) {
          if (positional.size() != 2) {
            return "execution-mode set needs exactly one MODE";
          }
          try {
            ExecutionMode.parse(positional.get(1));
          } catch (IllegalArgumentException e) {
            return e.getMessage();
          }
        } else if (positional.size() != 1) {
          return "execution-mode get takes no MODE";
        }
        String adminUrl = given.get("--admin-url");
        if (adminUrl != null && !adminUrl.matches(".*\\$\\{?([A-Z0-9_]*_)?RB_ADMIN\\b.*")) {
          return "--admin-url must be the admin connector ($RB_ADMIN), not " + adminUrl;
        }
      }
      case "check", "server" -> {
        if (positional.size() != 1) {
          return sub + " takes exactly one config file, got " + positional;
        }
      }
      case "ha" -> {
        if (!positional.isEmpty()) {
          return "ha takes no positional arguments, got " + positional;
        }
        if (!given.containsKey("--inventory")) {
          return "ha needs --inventory FILE";
        }
        if (given.containsKey("--timeout")) {
          try {
            io.dropwizard.util.Duration.parse(given.get("--timeout"));
          } catch (IllegalArgumentException e) {
            return "--timeout " + given.get("--timeout") + ": " + e.getMessage();
          }
        }
      }
      default -> {
        // other subcommands: flags checked above
      }
    }
    return "";
  }

  /**
   * Runs the real CLI with {@code --help} (nothing else is ever run) and returns what it prints.
   */
  private static String help(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RollupBoostApplication application = new RollupBoostApplication();
    Bootstrap<RollupBoostConfiguration> bootstrap = new Bootstrap<>(application);
    application.initialize(bootstrap);
    // What Application.run adds before parsing (addDefaultCommands).
    bootstrap.addCommand(new ServerCommand<>(application));
    bootstrap.addCommand(new CheckCommand<>(application));
    Optional<Throwable> failure =
        new Cli(new JarLocation(RollupBoostApplication.class), bootstrap, out, err).run(args);
    assertThat(failure).as("%s: %s", List.of(args), err.toString(StandardCharsets.UTF_8)).isEmpty();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyMetricExistsAndEveryReasonIsReal() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    String metricTable =
        readme
            .lines()
            .filter(l -> l.startsWith("| `rollup_boost_"))
            .collect(Collectors.joining("\n"));
    Set<String> documented = new TreeSet<>();
    Matcher d = Pattern.compile("rollup_boost_[a-z0-9_]+").matcher(metricTable);
    while (d.find()) {
      documented.add(d.group());
    }
    String scrape = HTTP.get(TestService.admin() + "/prometheus").body();
    Set<String> scraped = new TreeSet<>();
    Set<String> labelValues = new TreeSet<>();
    Matcher s = Pattern.compile("(?m)^(rollup_boost_[a-z0-9_]+)(\\{[^}]*\\})?").matcher(scrape);
    while (s.find()) {
      scraped.add(s.group(1));
      if (s.group(2) != null) {
        Matcher v = Pattern.compile("=\"([^\"]*)\"").matcher(s.group(2));
        while (v.find()) {
          labelValues.add(v.group(1));
        }
      }
    }
    Matcher backticked = Pattern.compile("`([a-z_]+)`").matcher(metricTable);
    while (backticked.find()) {
      labelValues.add(backticked.group(1));
    }
    JsonNode details = HTTP.get(TestService.app() + "healthz/details").json();
    Set<String> detailsFields = new TreeSet<>();
    details.fieldNames().forEachRemaining(detailsFields::add);

    List<String> problems = new ArrayList<>();
    int names = 0;
    for (Doc doc : docs) {
      Matcher m = METRIC.matcher(doc.text());
      while (m.find()) {
        for (String name : expand(m.group())) {
          names++;
          String base = name.replaceAll("_(bucket|sum|count)$", "");
          if (!documented.contains(name)
              && !scraped.contains(name)
              && !documented.contains(base)
              && !detailsFields.contains(name)) {
            problems.add(doc.path() + ": no metric " + name + " (README table or /prometheus)");
          }
        }
      }
      Matcher r = REASON.matcher(doc.text());
      while (r.find()) {
        for (String reason : r.group(1).split("\\|", -1)) {
          // reason=policy_… names a family: some real value must start with it.
          boolean known =
              r.group(2) == null
                  ? labelValues.contains(reason)
                  : labelValues.stream().anyMatch(v -> v.startsWith(reason));
          if (!known) {
            problems.add(doc.path() + ": reason=" + reason + " is not a real label value");
          }
        }
      }
    }
    assertThat(names).isGreaterThan(50);
    assertThat(problems).isEmpty();
  }

  /** {@code rollup_boost_head_(number|age_seconds)} is two names, as grep -E reads it. */
  private static List<String> expand(String pattern) {
    Matcher group = Pattern.compile("\\(([a-z0-9_| ]+)\\)").matcher(pattern);
    if (!group.find()) {
      return List.of(pattern);
    }
    List<String> out = new ArrayList<>();
    for (String alternative : group.group(1).split("\\|", -1)) {
      out.addAll(
          expand(
              pattern.substring(0, group.start())
                  + alternative.strip()
                  + pattern.substring(group.end())));
    }
    return out;
  }

  @Test
  void debugMethodsAndAlertsAreTheRealOnes() throws IOException {
    List<String> problems = new ArrayList<>();
    String rules = Files.readString(ALERTS, StandardCharsets.UTF_8);
    Set<String> alerts = new TreeSet<>();
    Matcher alertNames = Pattern.compile("(?m)^\\s*-\\s*alert:\\s*(\\S+)").matcher(rules);
    while (alertNames.find()) {
      alerts.add(alertNames.group(1));
    }
    Matcher runbook = Pattern.compile("(?m)^\\s*runbook:\\s*(\\S+)").matcher(rules);
    while (runbook.find()) {
      if (!Files.exists(Path.of(runbook.group(1)))) {
        problems.add(ALERTS + " links a missing runbook " + runbook.group(1));
      }
    }
    for (Doc doc : docs) {
      Matcher m = DEBUG_METHOD.matcher(doc.text());
      while (m.find()) {
        if (!DEBUG_METHODS.contains(m.group())) {
          problems.add(doc.path() + ": " + m.group() + " is not a debug method of the service");
        }
      }
      Matcher a = ALERT.matcher(doc.text());
      while (a.find()) {
        if (!alerts.contains(a.group())) {
          problems.add(doc.path() + ": no alert " + a.group() + " in " + alerts);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyShellVariableIsDefined() throws IOException {
    Set<String> global = new TreeSet<>(SHELL_VARIABLES);
    global.addAll(envFile().keySet());
    docs.stream()
        .filter(d -> d.path().equals(RUNBOOKS.resolve("README.md")))
        .flatMap(d -> d.commands().stream())
        .forEach(c -> global.addAll(assigned(c.text())));
    assertThat(global).contains("RB", "RB_ADMIN", "ADMIN_TOKEN_FILE", "INVENTORY");
    List<String> problems = new ArrayList<>();
    for (Doc doc : docs) {
      Set<String> local = new TreeSet<>(global);
      doc.commands().forEach(c -> local.addAll(assigned(c.text())));
      for (Command command : doc.commands()) {
        Matcher v = VARIABLE.matcher(command.expandable());
        while (v.find()) {
          if (!local.contains(v.group(1))) {
            problems.add(command.where() + "\n    -> $" + v.group(1) + " is never set");
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  private static Set<String> assigned(String text) {
    Set<String> names = new TreeSet<>();
    for (Pattern p : List.of(ASSIGNMENT, FOR_LOOP)) {
      Matcher m = p.matcher(text);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The example env file as systemd and the runbooks read it. */
  private static Map<String, String> envFile() throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("rollup-boost.env"))) {
      if (line.isBlank() || line.strip().startsWith("#")) {
        continue;
      }
      String[] kv = line.split("=", 2);
      assertThat(kv).as("env line %s", line).hasSize(2);
      assertThat(kv[0]).matches("[A-Z_][A-Z0-9_]*");
      env.put(kv[0], kv[1].replaceAll("^\"|\"$", ""));
    }
    return env;
  }

  @Test
  void deployExamplesAreValidAndAgreeWithTheRunbooks(@TempDir Path dir) throws Exception {
    Map<String, String> env = new HashMap<>(envFile());
    String config = Files.readString(DEPLOY.resolve("node-config.yml"), StandardCharsets.UTF_8);
    Matcher required = Pattern.compile("\\$\\{([A-Z0-9_]+)\\}").matcher(config);
    while (required.find()) {
      assertThat(env).as("env file sets %s", required.group(1)).containsKey(required.group(1));
    }
    String hex = "0x" + "ab".repeat(32) + "\n";
    for (String key : List.copyOf(env.keySet())) {
      if (key.endsWith("_JWT_SECRET_FILE")) {
        Path file = dir.resolve(key.toLowerCase(Locale.ROOT) + ".hex");
        Files.writeString(file, hex, StandardCharsets.UTF_8);
        env.put(key, file.toString());
      }
    }
    Path token = dir.resolve("admin.token");
    Files.writeString(token, "a-long-enough-admin-token-0123456789\n", StandardCharsets.UTF_8);
    env.put("ADMIN_TOKEN_FILE", token.toString());
    env.put("RB_STATE_FILE", dir.resolve("execution-mode").toString());
    StringSubstitutor substitutor = new StringSubstitutor(env);
    substitutor.setValueDelimiter(":-");
    substitutor.setEnableUndefinedVariableException(true);
    RollupBoostConfiguration loaded =
        new YamlConfigurationFactory<>(
                RollupBoostConfiguration.class,
                Validators.newValidator(),
                Jackson.newObjectMapper(),
                "dw")
            .build(
                new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), substitutor),
                DEPLOY.resolve("node-config.yml").toString());

    assertThat(loaded.getAdmin().tokenFile()).isEqualTo(token.toString());
    assertThat(loaded.getAdmin().stateFile()).isNotNull();
    assertThat(loaded.getRpc().jwtSecretFile()).isNotNull();
    DefaultServerFactory server = (DefaultServerFactory) loaded.getServerFactory();
    Map<String, String> readme = readmeExports();
    assertThat(endpoints(server.getApplicationConnectors()))
        .as("application connectors serve $RB")
        .contains(URI.create(readme.get("RB")).getAuthority());
    assertThat(endpoints(server.getAdminConnectors()))
        .as("admin connector is exactly $RB_ADMIN (loopback only)")
        .containsExactly(URI.create(readme.get("RB_ADMIN")).getAuthority());
    Map<String, String> shipped = envFile();
    assertThat(readme.get("ADMIN_TOKEN_FILE")).isEqualTo(shipped.get("ADMIN_TOKEN_FILE"));
    assertThat(readme.get("RB_CONFIG")).isEqualTo("/etc/rollup-boost/config.yml");

    String unit = Files.readString(DEPLOY.resolve("rollup-boost.service"), StandardCharsets.UTF_8);
    assertThat(unit)
        .contains("EnvironmentFile=/etc/rollup-boost/rollup-boost.env")
        .contains("Restart=on-failure")
        .contains("server " + readme.get("RB_CONFIG"))
        .contains("NoNewPrivileges=yes")
        .contains("ProtectSystem=strict")
        .contains("StateDirectory=rollup-boost");
    assertThat(shipped.get("RB_STATE_FILE")).startsWith("/var/lib/rollup-boost/");
  }

  private static Set<String> endpoints(List<ConnectorFactory> connectors) {
    return connectors.stream()
        .map(HttpConnectorFactory.class::cast)
        .map(c -> c.getBindHost() + ":" + c.getPort())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** {@code export NAME=value} lines of the runbooks README's setup block. */
  private static Map<String, String> readmeExports() {
    Map<String, String> exports = new HashMap<>();
    docs.stream()
        .filter(d -> d.path().equals(RUNBOOKS.resolve("README.md")))
        .flatMap(d -> d.commands().stream())
        .filter(c -> c.words().size() == 2 && c.words().get(0).equals("export"))
        .forEach(
            c -> {
              String[] kv = c.words().get(1).split("=", 2);
              exports.put(kv[0], kv[1]);
            });
    return exports;
  }

  @Test
  void inventoryExampleHasTheHaFormat() throws IOException {
    JsonNode inventory =
        new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("inventory.yml").toFile());
    assertThat(inventory.fieldNames()).toIterable().containsExactly("nodes");
    Set<String> names = new TreeSet<>();
    for (JsonNode node : inventory.path("nodes")) {
      node.fieldNames()
          .forEachRemaining(f -> assertThat(f).isIn("name", "rollupBoost", "conductor", "opNode"));
      assertThat(names.add(node.path("name").asText())).as("unique names").isTrue();
      URI rollupBoost = URI.create(node.path("rollupBoost").asText());
      assertThat(rollupBoost.getScheme()).isIn("http", "https");
      assertThat(rollupBoost.getHost()).isNotBlank();
      assertThat(rollupBoost.getPath()).as("no path: ha appends /healthz/details").isEmpty();
      for (String optional : List.of("conductor", "opNode")) {
        if (node.has(optional)) {
          assertThat(URI.create(node.path(optional).asText()).getHost()).isNotBlank();
        }
      }
    }
    assertThat(names).hasSize(3);
  }

  /**
   * Extracts simple shell commands from Markdown: the {@code ```sh} blocks, continuation lines
   * joined, comments dropped, split at {@code ; && || | &}, and every {@code $(…)}, {@code <(…)}
   * and {@code (…)} taken out of its command (shown as {@code $()}) and extracted on its own.
   */
  static final class ShellCommands {
    private ShellCommands() {}

    /** Logical lines whose quotes, parentheses or braces do not close (a broken command). */
    static final List<String> UNBALANCED =
        java.util.Collections.synchronizedList(new ArrayList<>());

    static List<Command> extract(Path doc, String markdown) {
      List<Command> out = new ArrayList<>();
      String[] lines = markdown.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher open = FENCE.matcher(lines[i]);
        if (!open.matches()) {
          continue;
        }
        String language = open.group(1);
        int start = i + 1;
        int end = start;
        while (end < lines.length && !FENCE.matcher(lines[end]).matches()) {
          end++;
        }
        if (language.equals("sh")) {
          StringBuilder logical = new StringBuilder();
          int logicalStart = start;
          for (int j = start; j < end; j++) {
            String line = lines[j].strip();
            if (logical.length() == 0) {
              logicalStart = j + 1;
            }
            if (line.endsWith("\\")) {
              logical.append(line, 0, line.length() - 1).append(' ');
              continue;
            }
            logical.append(line);
            split(doc, logicalStart, logical.toString(), out);
            logical.setLength(0);
          }
        }
        i = end;
      }
      return out;
    }

    /** Splits one logical line into simple commands (recursing into substitutions). */
    static void split(Path doc, int line, String text, List<Command> out) {
      Deque<Character> stack = new ArrayDeque<>();
      StringBuilder piece = new StringBuilder();
      StringBuilder expandable = new StringBuilder();
      List<String> inner = new ArrayList<>();
      int groupStart = -1;
      int i = 0;
      int n = text.length();
      while (i < n) {
        char c = text.charAt(i);
        char state = stack.isEmpty() ? 'N' : stack.peek();
        int parens = (int) stack.stream().filter(s -> s == 'P').count();
        boolean visible = parens == 0;
        if (state == 'S') {
          if (c == '\'') {
            stack.pop();
          }
          if (visible) {
            piece.append(c);
          }
          i++;
          continue;
        }
        if (c == '\\' && i + 1 < n) {
          if (visible) {
            piece.append(c).append(text.charAt(i + 1));
            expandable.append(c).append(text.charAt(i + 1));
          }
          i += 2;
          continue;
        }
        if (state == 'B') {
          if (c == '}') {
            stack.pop();
          }
          if (visible) {
            piece.append(c);
            expandable.append(c);
          }
          i++;
          continue;
        }
        boolean opensGroup =
            (c == '$' || c == '<' || c == '>') && i + 1 < n && text.charAt(i + 1) == '(';
        if (opensGroup || (c == '(' && state != 'D')) {
          int width = opensGroup ? 2 : 1;
          if (visible) {
            piece.append(text, i, i + width);
            expandable.append(text, i, i + width);
            groupStart = i + width;
          }
          stack.push('P');
          i += width;
          continue;
        }
        if (c == ')' && state == 'P') {
          stack.pop();
          if (parens == 1) {
            inner.add(text.substring(groupStart, i));
            piece.append(c);
            expandable.append(c);
          }
          i++;
          continue;
        }
        if (c == '$' && i + 1 < n && text.charAt(i + 1) == '{') {
          stack.push('B');
          if (visible) {
            piece.append("${");
            expandable.append("${");
          }
          i += 2;
          continue;
        }
        if (state == 'D') {
          if (c == '"') {
            stack.pop();
          }
          if (visible) {
            piece.append(c);
            expandable.append(c);
          }
          i++;
          continue;
        }
        // state N or P
        if (c == '\'') {
          stack.push('S');
          if (visible) {
            piece.append(c);
          }
          i++;
          continue;
        }
        if (c == '"') {
          stack.push('D');
          if (visible) {
            piece.append(c);
            expandable.append(c);
          }
          i++;
          continue;
        }
        if (stack.isEmpty() && c == '#' && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
          break;
        }
        boolean redirect =
            c == '&'
                && ((i > 0 && text.charAt(i - 1) == '>')
                    || (i + 1 < n && text.charAt(i + 1) == '>'));
        if (stack.isEmpty() && (c == ';' || c == '|' || c == '&') && !redirect) {
          emit(doc, line, piece.toString(), expandable.toString(), out);
          piece.setLength(0);
          expandable.setLength(0);
          i += (i + 1 < n && text.charAt(i + 1) == c) ? 2 : 1;
          continue;
        }
        if (visible) {
          piece.append(c);
          expandable.append(c);
        }
        i++;
      }
      if (!stack.isEmpty()) {
        UNBALANCED.add(doc + ":" + line + ": unterminated " + stack.peek() + " in: " + text);
      }
      emit(doc, line, piece.toString(), expandable.toString(), out);
      for (String group : inner) {
        split(doc, line, group, out);
      }
    }

    private static final Set<String> KEYWORDS =
        Set.of("do", "then", "else", "elif", "if", "while", "until", "!", "{", "time");
    private static final Set<String> CLOSERS = Set.of("done", "fi", "}", "esac", "");

    private static void emit(
        Path doc, int line, String piece, String expandable, List<Command> out) {
      List<String> words = words(piece);
      while (!words.isEmpty() && KEYWORDS.contains(words.get(0))) {
        words = words.subList(1, words.size());
      }
      if (words.isEmpty()
          || CLOSERS.contains(words.get(0))
          || words.get(0).matches("[A-Za-z_][A-Za-z0-9_-]*\\(\\)")) {
        return;
      }
      out.add(new Command(doc, line, piece.strip(), expandable, List.copyOf(words)));
    }

    /** Shell words with quotes removed (substitutions are already masked as $()). */
    static List<String> words(String text) {
      List<String> words = new ArrayList<>();
      StringBuilder word = new StringBuilder();
      boolean inWord = false;
      char quote = 0;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          } else {
            word.append(c);
          }
          continue;
        }
        if (c == '\'' || c == '"') {
          quote = c;
          inWord = true;
        } else if (Character.isWhitespace(c)) {
          if (inWord) {
            words.add(word.toString());
            word.setLength(0);
            inWord = false;
          }
        } else {
          if (c == '\\' && i + 1 < text.length()) {
            c = text.charAt(++i);
          }
          word.append(c);
          inWord = true;
        }
      }
      if (inWord) {
        words.add(word.toString());
      }
      return words;
    }
  }

  @Test
  void extractorSplitsLikeAShell() {
    List<Command> out = new ArrayList<>();
    ShellCommands.split(
        Path.of("x"),
        1,
        "for i in $(seq 3); do [ \"$(curl -s -w '%{http_code}' \"$RB/healthz\")\" = 200 ] && break;"
            + " done # comment $NOPE",
        out);
    assertThat(out)
        .extracting(Command::text)
        .containsExactly(
            "for i in $()",
            "do [ \"$()\" = 200 ]",
            "break",
            "seq 3",
            "curl -s -w '%{http_code}' \"$RB/healthz\"");
    out.clear();
    ShellCommands.split(
        Path.of("x"),
        1,
        "curl -sS -X POST -H @<(printf 'Authorization: Bearer %s\\n' \"$(cat \"$F\")\")"
            + " \"$RB_ADMIN/tasks/execution-mode?mode=disabled\" 2>&1",
        out);
    assertThat(out.get(0).words())
        .containsExactly(
            "curl",
            "-sS",
            "-X",
            "POST",
            "-H",
            "@<()",
            "$RB_ADMIN/tasks/execution-mode?mode=disabled",
            "2>&1");
    assertThat(out).extracting(Command::text).contains("cat \"$F\"");
  }
}
