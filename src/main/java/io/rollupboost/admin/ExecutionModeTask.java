package io.rollupboost.admin;

import io.dropwizard.servlets.tasks.Task;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.engine.ExecutionModeHolder;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks/execution-mode[?mode=enabled|dry_run|disabled]}: sets the execution mode, or
 * prints it when no mode is given. The response always states the resulting mode.
 */
public final class ExecutionModeTask extends Task {
  public static final String NAME = "execution-mode";

  private final ExecutionModeHolder modes;

  public ExecutionModeTask(ExecutionModeHolder modes) {
    super(NAME);
    this.modes = modes;
  }

  @Override
  public void execute(Map<String, List<String>> parameters, PrintWriter output) {
    List<String> requested = parameters.getOrDefault("mode", List.of());
    if (requested.isEmpty()) {
      output.println("execution mode: " + modes.get());
      return;
    }
    if (requested.size() > 1) {
      throw new IllegalArgumentException(usage("give exactly one mode"));
    }
    ExecutionMode next;
    try {
      next = ExecutionMode.parse(requested.get(0));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(usage(e.getMessage()), e);
    }
    try {
      ExecutionMode old = modes.set(next, "admin task " + NAME);
      output.println("execution mode: " + next + " (was " + old + ")");
    } catch (ExecutionModeHolder.IncompleteChange e) {
      output.println("execution mode: " + next + " (was " + e.old() + ")");
      output.println("WARNING: " + e.getMessage());
    }
  }

  private static String usage(String problem) {
    return problem
        + "; usage: POST /tasks/"
        + NAME
        + "?mode=MODE with MODE one of "
        + ExecutionMode.accepted();
  }
}
