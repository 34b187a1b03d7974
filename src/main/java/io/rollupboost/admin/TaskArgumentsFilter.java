package io.rollupboost.admin;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Answers 400 with the usage to a task call whose parameters are wrong (a runbook typo such as
 * {@code mode=disable}). Dropwizard's task servlet turns any exception of a task into a 500 and an
 * ERROR line, which reads as a fault of the service during an incident.
 */
final class TaskArgumentsFilter implements Filter {
  private final Map<String, Function<Map<String, List<String>>, String>> checks =
      Map.of(
          "/tasks/" + ExecutionModeTask.NAME, ExecutionModeTask::problem,
          "/tasks/" + BuilderBreakerTask.NAME, BuilderBreakerTask::problem);

  /** The paths this filter checks. */
  String[] paths() {
    return checks.keySet().toArray(String[]::new);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    Function<Map<String, List<String>>, String> check =
        checks.get(http.getServletPath() + (http.getPathInfo() == null ? "" : http.getPathInfo()));
    if (check != null && "POST".equals(http.getMethod())) {
      Map<String, List<String>> parameters = new LinkedHashMap<>();
      http.getParameterMap().forEach((name, values) -> parameters.put(name, Arrays.asList(values)));
      String problem = check.apply(parameters);
      if (problem != null) {
        HttpServletResponse out = (HttpServletResponse) response;
        out.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        out.setContentType("text/plain;charset=utf-8");
        out.getOutputStream().write((problem + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
    }
    chain.doFilter(request, response);
  }
}
