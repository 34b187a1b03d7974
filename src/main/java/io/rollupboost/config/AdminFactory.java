package io.rollupboost.config;

/**
 * Admin-port protection and persistence ({@code admin:}).
 *
 * @param tokenFile when set, every POST on the admin port (tasks, {@code /debug}) needs {@code
 *     Authorization: Bearer <file content>}
 * @param stateFile when set, the execution mode is written here on every change and restored from
 *     here on start, so an emergency {@code disabled} survives a restart
 */
public record AdminFactory(@SecretFile(token = true) String tokenFile, String stateFile) {

  public static AdminFactory defaults() {
    return new AdminFactory(null, null);
  }
}
