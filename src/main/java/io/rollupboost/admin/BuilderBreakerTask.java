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

  @Override
  public void execute(Map<String, List<String>> parameters, PrintWriter output) {
    List<String> action = parameters.getOrDefault("action", List.of());
    if (action.equals(List.of("reset"))) {
      output.println(breaker.reset("admin task " + NAME));
    } else if (!action.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown action " + action + "; usage: POST /tasks/" + NAME + "[?action=reset]");
    }
    output.println("builder quality: " + breaker.snapshot());
  }
}
