package io.rollupboost.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.SimpleServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.util.DataSize;
import io.rollupboost.RollupBoostConfiguration;
import io.rollupboost.engine.ExecutionMode;
import io.rollupboost.rpc.FrontDoorServerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RollupBoostConfigurationTest {
  final YamlConfigurationFactory<RollupBoostConfiguration> factory =
      new YamlConfigurationFactory<>(
          RollupBoostConfiguration.class,
          Validators.newValidator(),
          Jackson.newObjectMapper(),
          "cfgtest"); // not "dw": the shared test service leaves its dw.* overrides behind

  RollupBoostConfiguration load(Path file) throws Exception {
    return factory.build(new FileConfigurationSourceProvider(), file.toString());
  }

  @Test
  void shippedConfigLoadsWithItsDocumentedDefaults() throws Exception {
    // The shipped file needs the two secret variables; everything else has a default.
    StringSubstitutor env =
        new StringSubstitutor(
            key ->
                key.endsWith("JWT_SECRET_FILE") && !key.startsWith("RPC")
                    ? "ops/devnet/jwt.hex"
                    : null);
    env.setEnableUndefinedVariableException(false);
    RollupBoostConfiguration config =
        factory.build(
            new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), substitutor(env)),
            "config.yml");

    assertThat(config.getExecutionMode()).isEqualTo(ExecutionMode.ENABLED);
    assertThat(config.getL2().url()).hasToString("http://127.0.0.1:8551");
    assertThat(config.getL2().timeout().toMilliseconds()).isEqualTo(2000);
    assertThat(config.getBuilder().timeout().toMilliseconds()).isEqualTo(1000);
    assertThat(config.getProbe().interval().toMilliseconds()).isEqualTo(1000);
    assertThat(config.getProbe().maxUnsafeInterval().toSeconds()).isEqualTo(10);
    assertThat(config.getRpc().jwtSecretFile()).isNull();
    assertThat(
            ((AbstractServerFactory) config.getServerFactory()).getGzipFilterFactory().isEnabled())
        .as("op-node asks for gzip; compressing blocks costs milliseconds per block")
        .isFalse();
    assertThat(config.getRpc().maxRequestSize().toBytes())
        .isGreaterThanOrEqualTo(DataSize.mebibytes(32).toBytes());
    assertThat(config.getServerFactory())
        .as("a server block without a type gets the front door's thread pool")
        .isInstanceOf(FrontDoorServerFactory.class);
  }

  @Test
  void anExplicitServerTypeIsStillDropwizards(@TempDir Path dir) throws Exception {
    Path yml = dir.resolve("c.yml");
    String upstreams =
        "l2: {url: http://127.0.0.1:1, jwtSecretFile: ops/devnet/jwt.hex}\n"
            + "builder: {url: http://127.0.0.1:2, jwtSecretFile: ops/devnet/jwt.hex}\n";
    Files.writeString(yml, upstreams + "server: {type: simple}\n");
    assertThat(load(yml).getServerFactory()).isExactlyInstanceOf(SimpleServerFactory.class);

    Files.writeString(yml, upstreams + "server: {type: default}\n");
    assertThat(load(yml).getServerFactory()).isExactlyInstanceOf(DefaultServerFactory.class);

    Files.writeString(yml, upstreams);
    assertThat(load(yml).getServerFactory()).isInstanceOf(FrontDoorServerFactory.class);
  }

  private static EnvironmentVariableSubstitutor substitutor(StringSubstitutor lookup) {
    return new EnvironmentVariableSubstitutor(false) {
      @Override
      public String replace(String source) {
        return lookup.replace(source);
      }
    };
  }

  @Test
  void minimalConfigGetsSafeDefaults(@TempDir Path dir) throws Exception {
    Path yml = dir.resolve("c.yml");
    Files.writeString(
        yml,
        "l2: {url: http://127.0.0.1:1, jwtSecretFile: ops/devnet/jwt.hex}\n"
            + "builder: {url: http://127.0.0.1:2, jwtSecretFile: ops/devnet/jwt.hex}\n");

    RollupBoostConfiguration config = load(yml);

    assertThat(config.getRpc().maxRequestSize()).isEqualTo(DataSize.mebibytes(32));
    assertThat(config.getBuilder().payloadDeadline().toMilliseconds()).isEqualTo(1000);
    assertThat(config.getBuilder().syncQueueSize()).isEqualTo(256);
  }

  @Test
  void everyBadKeyIsNamedOnItsOwnLine(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("short.hex"), "0xabc\n");
    Path yml = dir.resolve("bad.yml");
    Files.writeString(
        yml,
        "l2: {url: 'ftp://x', jwtSecretFile: "
            + dir.resolve("missing.hex")
            + "}\n"
            + "builder: {url: http://127.0.0.1:2, jwtSecretFile: "
            + dir.resolve("short.hex")
            + ", timeout: 0ms}\n");

    assertThatThrownBy(() -> load(yml))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("* l2.url must be an http:// or https:// URL")
        .hasMessageContaining("* l2.jwtSecretFile cannot read secret file")
        .hasMessageContaining("* builder.jwtSecretFile secret file")
        .hasMessageContaining("* builder.timeout must be greater than or equal to 1 MILLISECONDS")
        .hasMessageNotContaining("abc");
  }

  @Test
  void unknownExecutionModeNamesTheKeyAndTheChoices(@TempDir Path dir) throws Exception {
    Path yml = dir.resolve("bad.yml");
    Files.writeString(
        yml,
        "l2: {url: http://127.0.0.1:1, jwtSecretFile: ops/devnet/jwt.hex}\n"
            + "builder: {url: http://127.0.0.1:2, jwtSecretFile: ops/devnet/jwt.hex}\nexecutionMode: turbo\n");

    assertThatThrownBy(() -> load(yml))
        .hasMessageContaining("executionMode")
        .hasMessageContaining("expected one of enabled, dry_run, disabled");
  }

  /** An env file with {@code ADMIN_TOKEN_FILE=} must not turn the admin token off unnoticed. */
  @Test
  void anEmptySecretFilePathIsAnErrorNotAnAbsentKey(@TempDir Path dir) throws Exception {
    Path yml = dir.resolve("empty.yml");
    Files.writeString(
        yml,
        "l2: {url: http://127.0.0.1:1, jwtSecretFile: ops/devnet/jwt.hex}\n"
            + "builder: {url: http://127.0.0.1:2, jwtSecretFile: ops/devnet/jwt.hex}\n"
            + "rpc: {jwtSecretFile: \"\"}\nadmin: {tokenFile: \" \"}\n");

    assertThatThrownBy(() -> load(yml))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("* rpc.jwtSecretFile is empty")
        .hasMessageContaining("* admin.tokenFile is empty");
  }
}
