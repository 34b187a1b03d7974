package io.rollupboost.config;

import io.dropwizard.util.DataSize;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import io.rollupboost.auth.EngineJwt;
import io.rollupboost.auth.JwtSecret;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The JSON-RPC front door ({@code rpc:}): optional inbound JWT for {@code engine_*} calls and the
 * limits on what a caller may send.
 */
public record RpcFactory(
    @SecretFile String jwtSecretFile,
    @NotNull
        @MinDataSize(1024)
        @MaxDataSize(value = 1, unit = io.dropwizard.util.DataSizeUnit.GIBIBYTES)
        DataSize maxRequestSize,
    @NotNull @Min(1) @Max(100_000) Integer maxBatchSize) {

  public RpcFactory {
    maxRequestSize = maxRequestSize == null ? DataSize.mebibytes(32) : maxRequestSize;
    maxBatchSize = maxBatchSize == null ? 1000 : maxBatchSize;
  }

  public static RpcFactory defaults() {
    return new RpcFactory(null, null, null);
  }

  /** The verifier for inbound engine calls, or null when inbound JWT is not configured. */
  public EngineJwt inboundJwt(Clock clock) {
    return jwtSecretFile == null
        ? null
        : new EngineJwt(JwtSecret.read(Path.of(jwtSecretFile)), clock);
  }
}
