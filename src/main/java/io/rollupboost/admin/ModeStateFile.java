package io.rollupboost.admin;

import io.rollupboost.engine.ExecutionMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists the operator's execution mode so a restart cannot silently turn an emergency {@code
 * disabled} back into the configured {@code enabled}.
 */
public final class ModeStateFile {
  private static final Logger LOG = LoggerFactory.getLogger(ModeStateFile.class);

  private final Path file;

  public ModeStateFile(Path file) {
    this.file = file;
  }

  /**
   * The saved mode, if any.
   *
   * @throws IllegalStateException when the file exists but cannot be read or parsed: starting with
   *     a guessed mode would be worse than not starting
   */
  public Optional<ExecutionMode> read() {
    try {
      return Optional.of(ExecutionMode.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "admin.stateFile " + file + " is unreadable (" + e.getMessage() + "); fix or delete it",
          e);
    }
  }

  /**
   * Fails unless the file can be written (its temp file created and removed), so that a bad path is
   * found at start-up rather than at the first mode change, during an incident.
   *
   * @throws IllegalStateException naming the file and the reason
   */
  public void checkWritable() {
    Path tmp = temp();
    try {
      Files.writeString(tmp, "", StandardCharsets.UTF_8);
      Files.delete(tmp);
    } catch (IOException e) {
      throw new IllegalStateException(
          "admin.stateFile " + file + " cannot be written (" + e + "); fix the path or its rights",
          e);
    }
  }

  /** Writes the mode atomically (temp file + rename). */
  public void write(ExecutionMode mode) {
    try {
      Path tmp = temp();
      Files.writeString(tmp, mode.wire() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.error("could not persist execution mode {} to {}: {}", mode, file, e.toString());
      throw new UncheckedIOException(e);
    }
  }

  /** Where a write goes before its atomic rename onto the file. */
  private Path temp() {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  public Path path() {
    return file;
  }
}
