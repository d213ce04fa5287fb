package org.computeledger.devtools;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.computeledger.devtools.SampleCluster.Job;
import org.computeledger.devtools.SampleCluster.Load;
import org.computeledger.devtools.SampleCluster.Node;

/**
 * The Slurm jobs of the sample's months around the two detailed March days: February (atlas's first
 * pre-training stage on three H100 nodes, the teacher's pre-training on the fourth, atlas's first
 * data-mix ablation, later discarded) and 2026-03-04 to the end of May (atlas pre-training resumed day
 * after day until it has moved to the rented cloud nodes early in May, leaving three of the lab's own
 * nodes idle; the teacher's post-training; weekly evaluations; another group's jobs). Long runs
 * resume after Slurm's one-day time limit, so each day is one sacct job. Job ids rise with submit
 * time, as Slurm's do. Atlas's monthly compute (here and on the EKS nodes) grows about 4x a year, as
 * a lab's would, so the trends fit has something plausible to fit.
 */
final class SampleMonths {
  /** Slurm's time limit on the GPU partitions, and the minutes a resumed job waits in the queue. */
  private static final long LIMIT_S = 86_400;
  private static final long REQUEUE_S = 300;
  private static final long DAY = 86_400;

  /** A job before its id is known: ids are handed out in submit order once all are made. */
  private record Spec(String account, String user, String name, Load load, String wckey, String comment,
      String step, boolean untyped, List<Node> nodes, long submit, long start, long end, String state) {}

  private SampleMonths() {}

  /** February's jobs, ids from 47001; all end before the first detailed day begins. */
  static void addBefore(SampleCluster c) {
    List<Spec> s = new ArrayList<>();
    Node g1 = c.node("gpu001");
    Node g2 = c.node("gpu002");
    Node g3 = c.node("gpu003");
    Node g4 = c.node("gpu004");
    Node g5 = c.node("gpu005");
    Node g6 = c.node("gpu006");
    Node l40 = c.node("l40s01");
    // The teacher pre-trains on gpu004 all month; 48101 on 2026-03-02, on all four H100 nodes once atlas
    // has paused, is its last job.
    chain(s, "teacher-70b", "mchen", "t70b-pretrain", Load.PRETRAIN, "pretrain", "torchrun", true,
        List.of(g4), t("2026-02-01T00:05:00"), t("2026-03-01T23:40:00"), "CANCELLED by 20418");
    // Atlas's first pre-training stage on the other three, paused the evening before the teacher's last job.
    chain(s, "atlas", "jdevries", "atlas-7b-pt", Load.PRETRAIN, "pretrain", "torchrun", false,
        List.of(g1, g2, g3), t("2026-02-01T08:00:00"), t("2026-03-01T22:00:00"), "CANCELLED by 20417");
    // Another group's protein folding on the A100 nodes early in the month.
    chain(s, "bio-ml", "pvisser", "protein-fold-xl", Load.SCIENCE, "", "python", false, List.of(g6),
        t("2026-02-02T07:00:00"), t("2026-02-12T18:00:00"), "COMPLETED");
    // Atlas begins on 2026-02-16 with a data-mix ablation on the A100s; the mix was dropped (discarded).
    chain(s, "atlas", "skim", "atlas-mix-ablation", Load.SWEEP, "ablation", "torchrun", false, List.of(g5, g6),
        t("2026-02-16T09:00:00"), t("2026-02-27T15:20:00"), "CANCELLED by 20452");
    weeklyEvals(s, l40, t("2026-02-20T09:00:00"), t("2026-03-01T00:00:00"));
    add(c, s, 47001);
  }

  /** Jobs from 2026-03-04 to the end of May, ids from 48150; the teacher's last post-training job is still running. */
  static void addAfter(SampleCluster c) {
    List<Spec> s = new ArrayList<>();
    Node g1 = c.node("gpu001");
    Node g2 = c.node("gpu002");
    Node g3 = c.node("gpu003");
    Node g4 = c.node("gpu004");
    Node g5 = c.node("gpu005");
    Node g6 = c.node("gpu006");
    Node l40 = c.node("l40s01");
    // 48135 hit its limit on 2026-03-04 08:10; pre-training goes on on three nodes to the end of March,
    // with a long-context stage on gpu004 once the teacher's post-training has left it ...
    chain(s, "atlas", "jdevries", "atlas-7b-pt", Load.PRETRAIN, "pretrain", "torchrun", false,
        List.of(g1, g2, g3), t("2026-03-04T08:15:00"), t("2026-03-31T22:00:00"), "CANCELLED by 20417");
    chain(s, "atlas", "jdevries", "atlas-7b-ctx-ext", Load.PRETRAIN, "pretrain", "torchrun", false,
        List.of(g4), t("2026-03-21T08:00:00"), t("2026-03-25T20:00:00"), "COMPLETED");
    // ... in April on three nodes, then on two as the distillation on the EKS nodes takes over; it ends
    // early in May, and the three nodes it leaves stand idle (paid for: the bill's idle cost grows).
    chain(s, "atlas", "jdevries", "atlas-7b-pt", Load.PRETRAIN, "pretrain", "torchrun", false,
        List.of(g1, g2, g3), t("2026-04-01T00:30:00"), t("2026-04-18T09:00:00"), "CANCELLED by 20417");
    chain(s, "atlas", "jdevries", "atlas-7b-pt", Load.PRETRAIN, "pretrain", "torchrun", false,
        List.of(g1, g2), t("2026-04-18T09:20:00"), t("2026-05-02T20:00:00"), "COMPLETED");
    // The teacher's second round of post-training takes gpu004 in April, still running at the end.
    chain(s, "teacher-70b", "mchen", "t70b-sft-v2", Load.FINE_TUNE, "sft", "torchrun", false, List.of(g4),
        t("2026-04-02T09:00:00"), SampleCluster.LOG_END, "RUNNING");
    chain(s, "teacher-70b", "mchen", "t70b-dpo", Load.FINE_TUNE, "sft", "torchrun", false, List.of(g4),
        t("2026-03-04T00:30:00"), t("2026-03-20T12:00:00"), "COMPLETED");
    chain(s, "bio-ml", "pvisser", "protein-fold-xl", Load.SCIENCE, "", "python", false, List.of(g5),
        t("2026-03-05T07:00:00"), t("2026-03-25T18:00:00"), "COMPLETED");
    chain(s, "bio-ml", "pvisser", "protein-fold-xl", Load.SCIENCE, "", "python", false, List.of(g6),
        t("2026-04-01T07:00:00"), t("2026-05-20T18:00:00"), "COMPLETED");
    weeklyEvals(s, l40, t("2026-03-06T09:00:00"), SampleCluster.LOG_END);
    add(c, s, 48150);
  }

  /**
   * A long run as Slurm sees it: one job per day, each ending at the time limit and resubmitted a few
   * minutes later, the last one ending at {@code stop} in {@code lastState} (or still running).
   */
  private static void chain(List<Spec> s, String account, String user, String name, Load load, String wckey,
      String step, boolean untyped, List<Node> nodes, long from, long stop, String lastState) {
    long start = from;
    while (start < stop) {
      long end = start + LIMIT_S;
      boolean last = end >= stop;
      if (last && lastState.equals("RUNNING")) {
        s.add(new Spec(account, user, name, load, wckey, "", step, untyped, nodes, start - 240, start,
            SampleCluster.UNKNOWN, "RUNNING"));
        return;
      }
      s.add(new Spec(account, user, name, load, wckey, "", step, untyped, nodes, start - 240, start,
          last ? stop : end, last ? lastState : "TIMEOUT"));
      start = end + REQUEUE_S;
    }
  }

  /** Atlas's evaluation suite every Friday morning on the L40S node. */
  private static void weeklyEvals(List<Spec> s, Node l40, long firstFriday, long until) {
    for (long t = firstFriday; t < until; t += 7 * DAY) {
      s.add(new Spec("atlas", "tnguyen", "atlas-eval-suite", Load.EVAL, "eval", "", "python", false,
          List.of(l40), t - 300, t, t + 3 * 3600 + 1260, "COMPLETED"));
    }
  }

  private static void add(SampleCluster c, List<Spec> specs, int firstId) {
    specs.sort(Comparator.comparingLong(Spec::submit).thenComparing(Spec::name));
    int id = firstId;
    for (Spec x : specs) {
      String jobId = Integer.toString(id++);
      Job j = new Job(jobId, jobId, x.account(), x.user(), x.name(), x.load()).wckey(x.wckey())
          .comment(x.comment()).step(x.step());
      if (x.untyped()) {
        j.untypedGres();
      }
      for (Node n : x.nodes()) {
        j.on(n);
      }
      if (x.state().equals("RUNNING")) {
        j.running(x.submit(), x.start());
      } else {
        j.ran(x.submit(), x.start(), x.end(), x.state());
      }
      c.jobs.add(j);
    }
  }

  private static long t(String utc) {
    return SampleCluster.epoch(utc);
  }
}
