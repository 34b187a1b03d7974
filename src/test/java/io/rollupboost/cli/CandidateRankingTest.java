package io.rollupboost.cli;

import static io.rollupboost.cli.CandidateRanking.Verdict.HEALTHY_LEADER_NO_STANDBY;
import static io.rollupboost.cli.CandidateRanking.Verdict.HEALTHY_LEADER_WITH_STANDBY;
import static io.rollupboost.cli.CandidateRanking.Verdict.LEADER_UNHEALTHY;
import static io.rollupboost.cli.CandidateRanking.Verdict.NOBODY_ELIGIBLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class CandidateRankingTest {
  static CandidateRanking.Observation node(
      String name, int code, long head, double age, Boolean leader) {
    return new CandidateRanking.Observation(
        name, code, "", head, age, "healthy", "enabled", leader, null);
  }

  @Test
  void healthyFirstThenPartialNeverUnavailableTiesByFreshestHead() {
    var result =
        CandidateRanking.rank(
            List.of(
                node("a", 503, 100, 0.1, false),
                node("b", 206, 100, 0.1, false),
                node("c", 200, 98, 0.1, false),
                node("d", 200, 100, 0.4, true),
                node("e", 200, 100, 0.2, false),
                node("f", 0, -1, 0, null)),
            false);

    assertThat(result.candidates())
        .extracting(c -> c.node().name())
        .containsExactly("e", "d", "c", "b", "a", "f");
    assertThat(result.candidates())
        .extracting(CandidateRanking.Candidate::eligible)
        .containsExactly(true, true, true, false, false, false);
    assertThat(result.verdict()).isEqualTo(HEALTHY_LEADER_WITH_STANDBY);
    assertThat(result.leader()).isEqualTo("d");
  }

  @Test
  void partialNodesCountOnlyByPolicy() {
    List<CandidateRanking.Observation> nodes =
        List.of(node("a", 200, 5, 0, true), node("b", 206, 5, 0, false));

    assertThat(CandidateRanking.rank(nodes, false).verdict()).isEqualTo(HEALTHY_LEADER_NO_STANDBY);
    assertThat(CandidateRanking.rank(nodes, true).verdict()).isEqualTo(HEALTHY_LEADER_WITH_STANDBY);
  }

  @Test
  void unhealthyOrUnknownLeaderWithABetterCandidate() {
    assertThat(
            CandidateRanking.rank(
                    List.of(node("a", 503, 5, 0, true), node("b", 200, 5, 0, false)), false)
                .verdict())
        .isEqualTo(LEADER_UNHEALTHY);
    assertThat(
            CandidateRanking.rank(
                    List.of(node("a", 200, 5, 0, null), node("b", 200, 5, 0, null)), false)
                .verdict())
        .isEqualTo(LEADER_UNHEALTHY);
    assertThat(
            CandidateRanking.rank(
                    List.of(node("a", 206, 5, 0, true), node("b", 200, 5, 0, false)), false)
                .verdict())
        .isEqualTo(LEADER_UNHEALTHY);
  }

  @Test
  void nobodyEligible() {
    var result =
        CandidateRanking.rank(
            List.of(
                node("a", 503, 5, 0, true), node("b", 206, 5, 0, false), node("c", 0, -1, 0, null)),
            false);

    assertThat(result.verdict()).isEqualTo(NOBODY_ELIGIBLE);
    assertThat(result.verdict().exitCode()).isEqualTo(3);
  }
}
