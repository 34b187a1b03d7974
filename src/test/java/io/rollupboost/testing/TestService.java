package io.rollupboost.testing;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.rollupboost.RollupBoostApplication;
import io.rollupboost.RollupBoostConfiguration;

/**
 * One running service per test JVM (booting Dropwizard costs seconds on two cores), between two
 * fake engines on real sockets, probing every 200 ms. Test classes share it and reset the fakes.
 */
public final class TestService {
  public static final FakeEngine L2 = new FakeEngine("l2").start();
  public static final FakeEngine BUILDER = new FakeEngine("builder").start();
  public static final DropwizardTestSupport<RollupBoostConfiguration> APP = start();

  private TestService() {}

  private static DropwizardTestSupport<RollupBoostConfiguration> start() {
    DropwizardTestSupport<RollupBoostConfiguration> app;
    try {
      app = start("test-config.yml", L2, BUILDER);
    } catch (Exception e) {
      throw new IllegalStateException("test service did not start", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::after));
    return app;
  }

  /**
   * Starts another service from a test YAML between two fake engines, with extra overrides; the
   * caller stops it with {@code after()}.
   */
  public static DropwizardTestSupport<RollupBoostConfiguration> start(
      String configResource, FakeEngine l2, FakeEngine builder, ConfigOverride... extra)
      throws Exception {
    ConfigOverride[] overrides = new ConfigOverride[extra.length + 2];
    overrides[0] = ConfigOverride.config("l2.url", l2::url);
    overrides[1] = ConfigOverride.config("builder.url", builder::url);
    System.arraycopy(extra, 0, overrides, 2, extra.length);
    DropwizardTestSupport<RollupBoostConfiguration> app =
        new DropwizardTestSupport<>(
            RollupBoostApplication.class,
            ResourceHelpers.resourceFilePath(configResource),
            overrides);
    app.before();
    return app;
  }

  public static String app() {
    return "http://127.0.0.1:" + APP.getLocalPort() + "/";
  }

  public static String admin() {
    return "http://127.0.0.1:" + APP.getAdminPort();
  }

  /** Restarts a fake that a test stopped; harmless when it runs. */
  public static void restartStopped() {
    for (FakeEngine engine : new FakeEngine[] {L2, BUILDER}) {
      try {
        engine.start();
      } catch (IllegalStateException alreadyRunning) {
        // still running
      }
    }
  }
}
