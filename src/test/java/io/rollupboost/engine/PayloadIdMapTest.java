package io.rollupboost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class PayloadIdMapTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(now.get());
        }
      };

  static PendingBuild build(String id) {
    return new PendingBuild(CompletableFuture.completedFuture(id), null, "0xroot", null, null);
  }

  @Test
  void remembersTheBuilderIdPerL2Id() throws Exception {
    PayloadIdMap map = new PayloadIdMap(4, Duration.ofMinutes(1), clock);
    map.put("0x01", build("0xb1"));
    map.put("0x02", build("0xb2"));

    assertThat(map.get("0x01").builderPayloadId().get()).isEqualTo("0xb1");
    assertThat(map.get("0x02").builderPayloadId().get()).isEqualTo("0xb2");
    assertThat(map.get("0x03")).isNull();
  }

  @Test
  void evictsTheOldestBeyondCapacity() {
    PayloadIdMap map = new PayloadIdMap(2, Duration.ofMinutes(1), clock);
    map.put("0x01", build("a"));
    map.put("0x02", build("b"));
    map.put("0x03", build("c"));

    assertThat(map.get("0x01")).isNull();
    assertThat(map.get("0x03")).isNotNull();
    assertThat(map.size()).isEqualTo(2);
  }

  @Test
  void expiresEntriesOlderThanTheTtl() {
    PayloadIdMap map = new PayloadIdMap(8, Duration.ofSeconds(10), clock);
    map.put("0x01", build("a"));
    now.addAndGet(5_000);
    map.put("0x02", build("b"));
    now.addAndGet(5_001);

    assertThat(map.get("0x01")).isNull();
    assertThat(map.get("0x02")).isNotNull();
  }

  @Test
  void reusingAnIdReplacesAndRefreshesIt() throws Exception {
    PayloadIdMap map = new PayloadIdMap(2, Duration.ofMinutes(1), clock);
    map.put("0x01", build("a"));
    map.put("0x02", build("b"));
    map.put("0x01", build("c"));
    map.put("0x03", build("d"));

    assertThat(map.get("0x02")).isNull();
    assertThat(map.get("0x01").builderPayloadId().get()).isEqualTo("c");
  }
}
