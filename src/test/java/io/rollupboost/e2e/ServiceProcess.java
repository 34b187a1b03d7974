package io.rollupboost.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollupboost.testing.RpcClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The packaged service ({@code target/rollup-boost.jar}) in its own process with the JVM flags
 * README documents, on free loopback ports, plus what a test needs to see from outside: calls,
 * /healthz, metrics, threads, sockets and heap of that process.
 */
final class ServiceProcess implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> JVM_FLAGS =
      List.of("-Xms64m", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");

  private final Process process;
  private final int rpcPort;
  private final int adminPort;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final AtomicLong ids = new AtomicLong();

  private ServiceProcess(Process process, int rpcPort, int adminPort, Path log) {
    this.process = process;
    this.rpcPort = rpcPort;
    this.adminPort = adminPort;
    this.log = log;
  }

  /** Starts the service between two upstream URLs; {@code jvmArgs} may hold -Ddw. overrides. */
  static ServiceProcess start(Path log, String l2Url, String builderUrl, String... jvmArgs)
      throws IOException {
    return start(log, List.of(), l2Url, builderUrl, jvmArgs);
  }

  /** As {@link #start(Path, String, String, String...)} with extra environment entries. */
  static ServiceProcess start(
      Path log, List<String> env, String l2Url, String builderUrl, String... jvmArgs)
      throws IOException {
    int rpc = freePort();
    int admin = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.addAll(List.of(jvmArgs));
    command.addAll(List.of("-jar", "target/rollup-boost.jar", "server", "config.yml"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    String secret = Path.of("ops/devnet/jwt.hex").toAbsolutePath().toString();
    pb.environment().put("L2_URL", l2Url);
    pb.environment().put("BUILDER_URL", builderUrl);
    pb.environment().put("L2_JWT_SECRET_FILE", secret);
    pb.environment().put("BUILDER_JWT_SECRET_FILE", secret);
    pb.environment().put("RPC_PORT", Integer.toString(rpc));
    pb.environment().put("ADMIN_PORT", Integer.toString(admin));
    for (String entry : env) {
      int eq = entry.indexOf('=');
      pb.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return new ServiceProcess(pb.start(), rpc, admin, log);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  Process process() {
    return process;
  }

  String rpcUrl() {
    return "http://127.0.0.1:" + rpcPort + "/";
  }

  String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  /** /healthz status, or 0 when the service does not answer. */
  int healthz() {
    return statusOf(http, "http://127.0.0.1:" + rpcPort + "/healthz");
  }

  /** The status of a GET, or 0 when nothing answers within 2 s (for polling). */
  static int statusOf(HttpClient http, String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** One JSON-RPC call; the whole response object. */
  JsonNode call(String method, String params) throws IOException, InterruptedException {
    String body = RpcClient.call(ids.incrementAndGet(), method, params);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(rpcUrl()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** Sum of a Prometheus counter's series with {@code upstream="<upstream>"}. */
  double metricSum(String name, String upstream) throws IOException, InterruptedException {
    String text =
        http.send(
                HttpRequest.newBuilder(URI.create(adminUrl() + "/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") && line.contains("upstream=\"" + upstream + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Live threads of the process (from /proc). */
  long threads() throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("Threads:")) {
        return Long.parseLong(line.substring(8).strip());
      }
    }
    throw new IOException("no Threads line");
  }

  /** Names of the process's threads (as the kernel keeps them: at most 15 characters). */
  List<String> threadNames() throws IOException {
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    List<String> names = new ArrayList<>();
    try (Stream<Path> all = Files.list(tasks)) {
      for (Path task : all.toList()) {
        try {
          names.add(Files.readString(task.resolve("comm")).strip());
        } catch (IOException e) {
          // the thread ended while listing
        }
      }
    }
    names.sort(null);
    return names;
  }

  /** Open socket file descriptors of the process (listeners, clients, upstream connections). */
  long sockets() throws IOException {
    Path fds = Path.of("/proc", Long.toString(process.pid()), "fd");
    try (Stream<Path> all = Files.list(fds)) {
      return all.filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                  return false; // closed while listing
                }
              })
          .count();
    }
  }

  /** Runs an admin task, e.g. {@code "gc"} or {@code "builder-breaker?action=reset"}. */
  void task(String nameAndQuery) throws IOException, InterruptedException {
    http.send(
        HttpRequest.newBuilder(URI.create(adminUrl() + "/tasks/" + nameAndQuery))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** Used heap after two explicit collections (Dropwizard's gc task), in bytes. */
  long heapAfterGc() throws IOException, InterruptedException {
    for (int i = 0; i < 2; i++) {
      task("gc");
    }
    JsonNode metrics =
        JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(URI.create(adminUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    return metrics.path("gauges").path("jvm.memory.heap.used").path("value").asLong();
  }

  /** Sends SIGTERM and waits for the exit; returns the exit code. */
  int terminate(Duration within) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      terminate(Duration.ofSeconds(15));
    }
  }
}
