package io.rollupboost.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class DeadlineWatchdogTest {
  private final DeadlineWatchdog watchdog = new DeadlineWatchdog("test-deadline");

  @AfterEach
  void stop() {
    watchdog.stop();
  }

  @Test
  void cancelsACallOnceItsDeadlinePasses() throws InterruptedException {
    CountDownLatch cancelled = new CountDownLatch(1);
    long start = System.nanoTime();
    DeadlineWatchdog.Guard guard =
        watchdog.watch(
            start + TimeUnit.MILLISECONDS.toNanos(50),
            () -> {
              cancelled.countDown();
              return true;
            });
    assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(50);
    assertThat(guard.expired()).isTrue();
    assertThat(watchdog.watched()).isZero();
  }

  @Test
  void aClosedGuardIsNeverCancelled() throws InterruptedException {
    AtomicInteger cancels = new AtomicInteger();
    DeadlineWatchdog.Guard closed =
        watchdog.watch(
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20),
            () -> {
              cancels.incrementAndGet();
              return true;
            });
    closed.close();
    // A later deadline on a second call proves the watchdog scanned past the first one's.
    CountDownLatch later = new CountDownLatch(1);
    watchdog.watch(
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(60),
        () -> {
          later.countDown();
          return true;
        });
    assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(cancels).hasValue(0);
    assertThat(closed.expired()).isFalse();
    assertThat(watchdog.watched()).isZero();
  }
}
