package io.rollupboost.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollupboost.config.AdminFactory;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.engine.ExecutionModeHolder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persisted execution mode: checked at start-up, and a failed write never hides a change. */
final class ModeStateTest {

  @Test
  void aStateFileThatCannotBeWrittenStopsStartUp(@TempDir Path dir) {
    AdminFactory admin = new AdminFactory(null, dir.resolve("no-such-dir/mode").toString());
    assertThatThrownBy(() -> AdminWiring.restoreMode(admin, ExecutionMode.ENABLED))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("admin.stateFile")
        .hasMessageContaining("cannot be written");
  }

  @Test
  void anEmptyStateFilePathStopsStartUp() {
    assertThatThrownBy(
            () -> AdminWiring.restoreMode(new AdminFactory(null, ""), ExecutionMode.ENABLED))
        .hasMessageContaining("admin.stateFile is empty");
  }

  @Test
  void theStartUpCheckLeavesNoFileBehind(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mode");
    ExecutionModeHolder modes =
        AdminWiring.restoreMode(new AdminFactory(null, file.toString()), ExecutionMode.ENABLED);
    assertThat(modes.get()).isEqualTo(ExecutionMode.ENABLED);
    try (var listing = Files.list(dir)) {
      assertThat(listing).as("no saved mode until an operator changes it").isEmpty();
    }
    modes.set(ExecutionMode.DISABLED, "test");
    assertThat(Files.readString(file)).isEqualTo("disabled\n");
  }

  /**
   * The disk filled up after start: the mode changes, every listener runs, the operator is told.
   */
  @Test
  void aFailedWriteStillChangesTheModeRunsEveryListenerAndSaysSo(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("mode");
    ExecutionModeHolder modes =
        AdminWiring.restoreMode(new AdminFactory(null, file.toString()), ExecutionMode.ENABLED);
    List<ExecutionMode> seen = new ArrayList<>();
    modes.onChange(seen::add);
    Files.createDirectory(file.resolveSibling("mode.tmp")); // the temp file cannot be written now

    StringWriter out = new StringWriter();
    new ExecutionModeTask(modes)
        .execute(Map.of("mode", List.of("disabled")), new PrintWriter(out, true));

    assertThat(modes.get()).isEqualTo(ExecutionMode.DISABLED);
    assertThat(seen)
        .as("later listeners (the health board) still ran")
        .containsExactly(ExecutionMode.DISABLED);
    assertThat(out.toString())
        .contains("execution mode: disabled (was enabled)")
        .contains("WARNING: execution mode is now disabled, but it could not be persisted");
  }
}
