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

  /** What is wrong with the parameters, with the usage; null when they are fine. */
  static String problem(Map<String, List<String>> parameters) {
    List<String> requested = parameters.getOrDefault("mode", List.of());
    if (requested.size() > 1) {
      return usage("give exactly one mode");
    }
    if (requested.size() == 1) {
      try {
        ExecutionMode.parse(requested.get(0));
      } catch (IllegalArgumentException e) {
        return usage(e.getMessage());
      }
    }
    return null;
  }

  @Override
  public void execute(Map<String, List<String>> parameters, PrintWriter output) {
    String problem = problem(parameters);
    if (problem != null) {
      throw new IllegalArgumentException(problem); // TaskArgumentsFilter answers 400 before this
    }
    List<String> requested = parameters.getOrDefault("mode", List.of());
    if (requested.isEmpty()) {
      output.println("execution mode: " + modes.get());
      return;
    }
    ExecutionMode next = ExecutionMode.parse(requested.get(0));
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
