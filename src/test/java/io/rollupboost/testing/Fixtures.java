package io.rollupboost.testing;

/** Engine API values shared by the service tests. */
public final class Fixtures {
  public static final String HEAD = "0x" + "ab".repeat(32);
  public static final String BEACON_ROOT = "0x" + "99".repeat(32);
  public static final String L2_HASH = "0x" + "01".repeat(32);
  public static final String BUILDER_HASH = "0x" + "b0".repeat(32);

  /** An OP deposit transaction (type 0x7e) that attributes force into the block. */
  public static final String DEPOSIT = "0x7ef8f8a0de3d";

  /**
   * Jovian extraData for the OP attributes of the service tests ({@code eip1559Params}
   * 0x000000fa00000006, {@code minBaseFee} 1000000): version 1, denominator 250, elasticity 6, and
   * the minimum base fee, big-endian.
   */
  public static final String EXTRA_DATA = "0x01" + "000000fa" + "00000006" + "00000000000f4240";

  /** A forkchoice state with every hash at {@link #HEAD}. */
  public static final String FCS =
      "{\"headBlockHash\":\""
          + HEAD
          + "\",\"safeBlockHash\":\""
          + HEAD
          + "\",\"finalizedBlockHash\":\""
          + HEAD
          + "\"}";

  /** L1-style (PayloadAttributesV3) attributes. */
  public static final String ATTRS_V3 =
      "{\"timestamp\":\"0x6650f0a1\",\"prevRandao\":\"0x"
          + "55".repeat(32)
          + "\",\"suggestedFeeRecipient\":\"0x4200000000000000000000000000000000000011\","
          + "\"withdrawals\":[],\"parentBeaconBlockRoot\":\""
          + BEACON_ROOT
          + "\"}";

  private Fixtures() {}
}
