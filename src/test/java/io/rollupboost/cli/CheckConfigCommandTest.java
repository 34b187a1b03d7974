package io.rollupboost.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.rollupboost.RollupBoostApplication;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {
  private final PrintStream terminal = System.out;

  @AfterEach
  void restoreTerminalAndLogging() {
    System.setOut(terminal);
    new DefaultLoggingFactory().reset();
  }

  @Test
  void theVerdictIsWrittenBeforeCheckReturnsEvenOnASlowTerminal(@TempDir Path dir)
      throws Exception {
    Path secret = Files.writeString(dir.resolve("jwt.hex"), "ab".repeat(32) + "\n");
    Path yml =
        Files.writeString(
            dir.resolve("config.yml"),
            "l2: {url: http://127.0.0.1:1, jwtSecretFile: '"
                + secret
                + "'}\nbuilder: {url: http://127.0.0.1:2, jwtSecretFile: '"
                + secret
                + "'}\n");
    SlowTerminal slow = new SlowTerminal();
    System.setOut(new PrintStream(slow, true, UTF_8));

    // A successful check returns normally; a failed one would call System.exit.
    new RollupBoostApplication().run("check", yml.toString());

    assertThat(slow.written()).contains("Configuration is OK");
  }

  /**
   * A terminal (or a pipe to a busy reader) that takes a while to accept each write: the console
   * appender's thread is still writing the verdict when the stock command's queue check passes.
   */
  private static final class SlowTerminal extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        TimeUnit.MILLISECONDS.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (bytes) {
        bytes.write(b, off, len);
      }
    }

    String written() {
      synchronized (bytes) {
        return bytes.toString(UTF_8);
      }
    }
  }
}
