package io.rollupboost.admin;

import io.dropwizard.servlets.tasks.Task;
import io.rollupboost.engine.BuilderQualityBreaker;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /tasks/builder-breaker[?action=reset]}: shows the builder quality breaker, or trusts
 * the builder again after an operator checked it (a follower's degraded builder only recovers this
 * way, since it sees no block production).
 */
public final class BuilderBreakerTask extends Task {
  public static final String NAME = "builder-breaker";

  private final BuilderQualityBreaker breaker;

  public BuilderBreakerTask(BuilderQualityBreaker breaker) {
    super(NAME);
    this.breaker = breaker;
  }

  /** What is wrong with the parameters, with the usage; null when they are fine. */
  static String problem(Map<String, List<String>> parameters) {
    List<String> action = parameters.getOrDefault("action", List.of());
    if (action.isEmpty() || action.equals(List.of("reset"))) {
      return null;
    }
    return "unknown action " + action + "; usage: POST /tasks/" + NAME + "[?action=reset]";
  }

  @Override
  public void execute(Map<String, List<String>> parameters, PrintWriter output) {
    String problem = problem(parameters);
    if (problem != null) {
      throw new IllegalArgumentException(problem); // TaskArgumentsFilter answers 400 before this
    }
    if (parameters.getOrDefault("action", List.of()).equals(List.of("reset"))) {
      output.println(breaker.reset("admin task " + NAME));
    }
    output.println("builder quality: " + breaker.snapshot());
  }
}
