package io.rollupboost.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks sequencers for leadership the way the HA design prescribes: 200 first, 206 only when the
 * operator's policy allows it, 503 (or unreachable) never; ties go to the freshest L2 head.
 */
public final class CandidateRanking {

  /** What was observed of one node. {@code leader} is null when unknown. */
  public record Observation(
      String name,
      int healthz,
      String health,
      long l2Head,
      Double l2HeadAgeSeconds,
      String builderState,
      String executionMode,
      Boolean leader,
      String error) {}

  /** A ranked node. */
  public record Candidate(int rank, Observation node, boolean eligible, String reason) {}

  /** What the cluster looks like, with the exit code a script can act on. */
  public enum Verdict {
    HEALTHY_LEADER_WITH_STANDBY(0, "leader is healthy and at least one standby is eligible"),
    HEALTHY_LEADER_NO_STANDBY(1, "leader is healthy but no standby is eligible"),
    LEADER_UNHEALTHY(2, "leader is unhealthy or unknown and a better candidate is eligible"),
    NOBODY_ELIGIBLE(3, "no node is eligible for leadership");

    private final int exitCode;
    private final String meaning;

    Verdict(int exitCode, String meaning) {
      this.exitCode = exitCode;
      this.meaning = meaning;
    }

    public int exitCode() {
      return exitCode;
    }

    public String meaning() {
      return meaning;
    }
  }

  /** The ranking and its verdict. */
  public record Result(List<Candidate> candidates, Verdict verdict, String leader) {}

  private CandidateRanking() {}

  public static Result rank(List<Observation> nodes, boolean partialEligible) {
    List<Observation> sorted = new ArrayList<>(nodes);
    sorted.sort(
        Comparator.comparingInt((Observation o) -> tier(o.healthz()))
            .thenComparing(Comparator.comparingLong(Observation::l2Head).reversed())
            .thenComparingDouble(
                o -> o.l2HeadAgeSeconds() == null ? Double.MAX_VALUE : o.l2HeadAgeSeconds())
            .thenComparing(Observation::name));
    List<Candidate> ranked = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      Observation o = sorted.get(i);
      boolean eligible = eligible(o, partialEligible);
      ranked.add(new Candidate(i + 1, o, eligible, reason(o, partialEligible)));
    }
    Observation leader =
        nodes.stream().filter(o -> Boolean.TRUE.equals(o.leader())).findFirst().orElse(null);
    long eligibleCount = ranked.stream().filter(Candidate::eligible).count();
    Verdict verdict;
    if (eligibleCount == 0) {
      verdict = Verdict.NOBODY_ELIGIBLE;
    } else if (leader != null && eligible(leader, partialEligible)) {
      verdict =
          eligibleCount > 1
              ? Verdict.HEALTHY_LEADER_WITH_STANDBY
              : Verdict.HEALTHY_LEADER_NO_STANDBY;
    } else {
      verdict = Verdict.LEADER_UNHEALTHY;
    }
    return new Result(ranked, verdict, leader == null ? null : leader.name());
  }

  private static boolean eligible(Observation o, boolean partialEligible) {
    return o.healthz() == 200 || (o.healthz() == 206 && partialEligible);
  }

  private static int tier(int healthz) {
    return switch (healthz) {
      case 200 -> 0;
      case 206 -> 1;
      case 503 -> 2;
      default -> 3;
    };
  }

  private static String reason(Observation o, boolean partialEligible) {
    return switch (o.healthz()) {
      case 200 -> "healthy";
      case 206 ->
          partialEligible
              ? "partial (eligible by policy)"
              : "partial (not eligible: use --partial-eligible)";
      case 503 -> "unavailable" + (o.error() == null ? "" : ": " + o.error());
      default -> "unreachable" + (o.error() == null ? "" : ": " + o.error());
    };
  }
}
