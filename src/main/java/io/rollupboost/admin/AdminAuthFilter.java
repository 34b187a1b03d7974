package io.rollupboost.admin;

import io.rollupboost.auth.AdminToken;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Requires the admin bearer token on every POST it guards (tasks and {@code /debug}). */
public final class AdminAuthFilter implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(AdminAuthFilter.class);

  private final AdminToken token;

  public AdminAuthFilter(AdminToken token) {
    this.token = token;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    if (!"POST".equalsIgnoreCase(http.getMethod())
        || token.matches(http.getHeader("Authorization"))) {
      chain.doFilter(request, response);
      return;
    }
    LOG.warn(
        "refused admin {} {} from {}: missing or wrong bearer token",
        http.getMethod(),
        http.getRequestURI(),
        http.getRemoteAddr());
    HttpServletResponse out = (HttpServletResponse) response;
    out.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    out.setContentType("text/plain;charset=utf-8");
    out.getOutputStream()
        .write(
            "unauthorized: this admin endpoint needs 'Authorization: Bearer <admin token>'\n"
                .getBytes(StandardCharsets.UTF_8));
  }
}
