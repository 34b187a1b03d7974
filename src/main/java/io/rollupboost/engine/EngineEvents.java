package io.rollupboost.engine;

/** What the multiplexer reads from and reports to the health board. */
public interface EngineEvents {

  /** False while the builder is unhealthy: block production then bypasses it. */
  boolean builderUsable();

  /** One getPayload finished; {@code builder} says what the builder path produced. */
  void payloadProduced(boolean l2Delivered, BuilderOutcome builder);

  /** The builder answered VALID to a newPayload it was sent for sync. */
  void builderSyncValid();

  /** The L2 client failed an engine call op-node made. */
  void l2CallFailed(String method, String detail);

  /** Events that go nowhere, with the builder always usable. */
  static EngineEvents none() {
    return new EngineEvents() {
      @Override
      public boolean builderUsable() {
        return true;
      }

      @Override
      public void payloadProduced(boolean l2Delivered, BuilderOutcome builder) {}

      @Override
      public void builderSyncValid() {}

      @Override
      public void l2CallFailed(String method, String detail) {}
    };
  }
}
