package io.rollupboost.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class AfterCompletionTest {
  final List<String> events = new ArrayList<>();

  Runnable job(String name) {
    return () -> events.add(name);
  }

  @Test
  void outsideACompletionNothingIsHeld() {
    assertThat(AfterCompletion.defer(job("job"))).isFalse();
    assertThat(events).isEmpty();
  }

  @Test
  void deferredJobsRunOnThisThreadAfterTheWholeCompletionInOrder() {
    Thread caller = Thread.currentThread();
    AfterCompletion.run(
        () -> {
          events.add("answer");
          assertThat(AfterCompletion.defer(job("first"))).isTrue();
          assertThat(
                  AfterCompletion.defer(() -> events.add("second on caller " + onCaller(caller))))
              .isTrue();
          events.add("builder copy queued");
        });

    assertThat(events)
        .containsExactly("answer", "builder copy queued", "first", "second on caller true");
  }

  @Test
  void aNestedCompletionLeavesItsJobsToTheOuterOne() {
    AfterCompletion.run(
        () -> {
          AfterCompletion.run(() -> AfterCompletion.defer(job("inner job")));
          events.add("outer continuation");
        });

    assertThat(events).containsExactly("outer continuation", "inner job");
  }

  @Test
  void aJobDeferredByAJobIsNotHeld() {
    List<Boolean> held = new ArrayList<>();
    AfterCompletion.run(
        () -> AfterCompletion.defer(() -> held.add(AfterCompletion.defer(job("x")))));

    assertThat(held).containsExactly(false);
    assertThat(events).isEmpty();
  }

  @Test
  void everyJobRunsWhenTheCompletionOrAJobFails() {
    assertThatThrownBy(
            () ->
                AfterCompletion.run(
                    () -> {
                      AfterCompletion.defer(
                          () -> {
                            throw new IllegalStateException("job fails");
                          });
                      AfterCompletion.defer(job("resumed"));
                      throw new IllegalStateException("continuation fails");
                    }))
        .hasMessage("continuation fails");

    assertThat(events).containsExactly("resumed");
    assertThat(AfterCompletion.defer(job("later"))).as("the scope is closed").isFalse();
  }

  @Test
  void aCompletionInsideAJobDrainsTheRest() {
    AfterCompletion.run(
        () -> {
          AfterCompletion.defer(
              () -> {
                // The resumed connection's next call fails at once: its own completion on this
                // thread runs the jobs still waiting, each once.
                AfterCompletion.run(() -> events.add("nested completion"));
              });
          AfterCompletion.defer(job("second"));
        });

    assertThat(events).containsExactly("nested completion", "second");
  }

  private static boolean onCaller(Thread caller) {
    return Thread.currentThread() == caller;
  }
}
