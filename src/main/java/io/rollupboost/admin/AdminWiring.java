package io.rollupboost.admin;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.rollupboost.RollupBoostConfiguration;
import io.rollupboost.auth.AdminToken;
import io.rollupboost.config.AdminFactory;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.engine.ExecutionModeHolder;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers the admin-port toggles, their protection and the mode's persistence. */
public final class AdminWiring {
  private static final Logger LOG = LoggerFactory.getLogger(AdminWiring.class);

  private AdminWiring() {}

  /**
   * The starting mode: the state file's, when an operator changed it before a restart, else the
   * configured one. Every later change is written back to the state file.
   */
  public static ExecutionModeHolder restoreMode(AdminFactory admin, ExecutionMode configured) {
    if (admin.stateFile() == null) {
      return new ExecutionModeHolder(configured);
    }
    if (admin.stateFile().isBlank()) {
      throw new IllegalStateException(
          "admin.stateFile is empty (an empty environment variable?); remove the key or name a file");
    }
    ModeStateFile state = new ModeStateFile(Path.of(admin.stateFile()));
    Optional<ExecutionMode> saved = state.read();
    state.checkWritable();
    ExecutionMode start = saved.orElse(configured);
    if (saved.isPresent() && saved.get() != configured) {
      LOG.warn(
          "execution mode {} restored from {} (config says {}); change it through the admin port",
          start,
          state.path(),
          configured);
    }
    ExecutionModeHolder modes = new ExecutionModeHolder(start);
    modes.onChange(state::write);
    return modes;
  }

  public static void register(
      Environment environment, RollupBoostConfiguration config, ExecutionModeHolder modes) {
    environment.admin().addTask(new ExecutionModeTask(modes));
    environment.admin().addServlet("debug", new DebugServlet(modes)).addMapping("/debug");
    if (config.getAdmin().tokenFile() != null) {
      AdminToken token = AdminToken.read(Path.of(config.getAdmin().tokenFile()));
      environment
          .admin()
          .addFilter("admin-token", new AdminAuthFilter(token))
          .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/tasks/*", "/debug");
    } else if (adminReachableFromElsewhere(config)) {
      LOG.warn(
          "the admin port listens beyond loopback without admin.tokenFile: anyone who reaches it can change the execution mode");
    }
    // After the token check: a caller without the token learns nothing about the parameters.
    TaskArgumentsFilter arguments = new TaskArgumentsFilter();
    environment
        .admin()
        .addFilter("task-arguments", arguments)
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, arguments.paths());
  }

  private static boolean adminReachableFromElsewhere(RollupBoostConfiguration config) {
    if (!(config.getServerFactory() instanceof DefaultServerFactory server)) {
      return false;
    }
    return server.getAdminConnectors().stream()
        .filter(HttpConnectorFactory.class::isInstance)
        .map(c -> ((HttpConnectorFactory) c).getBindHost())
        .anyMatch(
            host ->
                host == null
                    || !(host.equals("127.0.0.1")
                        || host.equals("localhost")
                        || host.equals("::1")));
  }
}
