package io.rollupboost.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigInteger;

/**
 * A comparison of a valid builder block with the L2 client's block for the same slot. A policy
 * returns null when it has no objection to the builder block, else why the L2 block is better.
 */
public enum SelectionPolicy {
  /** The builder block used less than {@code minGasRatio} of the L2 block's gas. */
  GAS_USED("gasUsed"),
  /** The builder block has fewer non-deposit transactions than {@code minTxRatio} of L2's. */
  TX_COUNT("txCount"),
  /** Both report {@code blockValue} and the builder's is lower. */
  VALUE("value");

  private final String wire;

  SelectionPolicy(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  @JsonCreator
  public static SelectionPolicy parse(String text) {
    for (SelectionPolicy p : values()) {
      if (p.wire.equals(text)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown selection policy '" + text + "', expected gasUsed, txCount or value");
  }

  /** Deposit transactions (OP type 0x7e) are forced by op-node, so only the others count. */
  String objection(BlockSummary builder, BlockSummary l2, double minGasRatio, double minTxRatio) {
    switch (this) {
      case GAS_USED -> {
        BigInteger bg = SafetyChecks.quantity(builder.gasUsed());
        BigInteger lg = SafetyChecks.quantity(l2.gasUsed());
        if (bg != null && lg != null && bg.doubleValue() < minGasRatio * lg.doubleValue()) {
          return "builder used " + bg + " gas, L2 " + lg + " (min ratio " + minGasRatio + ")";
        }
        return null;
      }
      case TX_COUNT -> {
        int bt = builder.nonDepositTransactions();
        int lt = l2.nonDepositTransactions();
        if (bt < minTxRatio * lt) {
          return "builder has "
              + bt
              + " non-deposit txs, L2 "
              + lt
              + " (min ratio "
              + minTxRatio
              + ")";
        }
        return null;
      }
      case VALUE -> {
        BigInteger bv = SafetyChecks.quantity(builder.blockValue());
        BigInteger lv = SafetyChecks.quantity(l2.blockValue());
        if (bv != null && lv != null && bv.compareTo(lv) < 0) {
          return "builder block value " + bv + " below L2's " + lv;
        }
        return null;
      }
      default -> throw new IllegalStateException(name());
    }
  }

  /** Metric label. */
  public String label() {
    return switch (this) {
      case GAS_USED -> "gas_used";
      case TX_COUNT -> "tx_count";
      case VALUE -> "value";
    };
  }
}
