package io.rollupboost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CI version of the soak ({@code bench/SOAK.md}): {@code bench/soak --duration 60s} runs
 * op-node's block loop and eth_ traffic through the packaged service against fake upstreams while a
 * chaos schedule kills, hangs and restores them, then checks what it recorded. Free loopback ports;
 * the summary is printed and kept with the logs in {@code target/soak-it/}.
 */
final class SoakIT {
  static final long LIMIT_SECONDS = 240;

  @Test
  void sixtySecondsOfChaosLoseNothing() throws Exception {
    Path work = Path.of("target/soak-it").toAbsolutePath();
    Process soak =
        new ProcessBuilder("bench/soak", "--duration", "60s", "--work", work.toString())
            .redirectErrorStream(true)
            .start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> read(soak, output), "soak-output");
    reader.start();
    boolean finished;
    try {
      finished = soak.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
    } finally {
      // The soak starts a JVM and Node processes of its own; never leave them behind.
      soak.descendants().forEach(ProcessHandle::destroyForcibly);
      soak.destroyForcibly();
    }
    reader.join(5000);
    String text = String.join("\n", output);

    assertThat(finished).as("bench/soak finished within %d s:\n%s", LIMIT_SECONDS, text).isTrue();
    assertThat(soak.exitValue()).as("bench/soak exit code (logs in %s):\n%s", work, text).isZero();
    assertThat(text).contains("PASSED: every check held");
  }

  private static void read(Process process, List<String> sink) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        sink.add(line);
        System.out.println(line);
      }
    } catch (IOException e) {
      // process ended
    }
  }
}
