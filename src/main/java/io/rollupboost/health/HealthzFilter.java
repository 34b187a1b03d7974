package io.rollupboost.health;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /healthz} answered straight from the board in the servlet filter chain, ahead of
 * Jersey: op-conductor polls it every second on every node, and the answer is one volatile read.
 */
public final class HealthzFilter implements Filter {
  private final HealthBoard board;

  public HealthzFilter(HealthBoard board) {
    this.board = board;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    if (!"/healthz".equals(http.getRequestURI())) {
      chain.doFilter(request, response);
      return;
    }
    HealthStatus status = board.status();
    byte[] body = status.text().getBytes(StandardCharsets.US_ASCII);
    HttpServletResponse out = (HttpServletResponse) response;
    out.setStatus(status.httpCode());
    out.setContentType("text/plain");
    out.setHeader("Cache-Control", "no-store");
    out.setContentLength(body.length);
    if (!"HEAD".equals(http.getMethod())) {
      out.getOutputStream().write(body);
    }
  }
}
