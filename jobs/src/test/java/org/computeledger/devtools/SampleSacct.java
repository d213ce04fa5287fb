package org.computeledger.devtools;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.computeledger.devtools.SampleCluster.Alloc;
import org.computeledger.devtools.SampleCluster.Job;

/**
 * Writes the sample scheduler log the way {@code sacct --parsable2} prints it: a header, then each
 * job followed by its {@code .batch}, {@code .extern} and {@code .0} steps, which carry their own
 * AllocTRES. Times are UTC without an offset, as sacct prints local time on a UTC cluster.
 */
final class SampleSacct {
  static final String[] COLUMNS = {"JobID", "JobIDRaw", "Cluster", "Partition", "Account", "User",
      "WCKey", "Comment", "JobName", "State", "Submit", "Start", "End", "Elapsed", "NNodes",
      "NodeList", "AllocTRES"};

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private SampleSacct() {}

  /** {@code sacct -a -S 2026-02-01 -E 2026-06-01 --parsable2 --format=...} run at midnight. */
  static void write(SampleCluster cluster, Path file) throws IOException {
    SampleTelemetry.writePlain(file, w -> {
      w.append(String.join("|", COLUMNS)).append('\n');
      for (Job j : cluster.jobs) {
        if (j.pod) {
          continue;
        }
        writeJob(j, w);
      }
    });
  }

  private static void writeJob(Job j, Writer w) throws IOException {
    row(w, j.jobId, j.rawId, j.allocs.isEmpty() ? j.requestedPartition : j.allocs.get(0).node().partition(),
        j.account, j.user, j.wckey, j.comment, j.name, j.state, time(j.submit), time(j.start),
        time(j.end), elapsed(j.start, j.end), Integer.toString(Math.max(1, j.allocs.size())),
        nodeList(j.allocs), j.started() ? tres(j.allocs, true, j.typedGres) : "");
    if (!j.started()) {
      return;
    }
    boolean running = j.end == SampleCluster.UNKNOWN;
    String batchState = switch (j.state) {
      case "COMPLETED", "FAILED", "RUNNING" -> j.state;
      default -> "CANCELLED";
    };
    String srunState = j.state.equals("TIMEOUT") ? "CANCELLED" : j.state;
    List<Alloc> first = List.of(j.allocs.get(0));
    step(w, j, ".batch", "batch", batchState, j.start, j.end, first, tres(first, false, j.typedGres));
    step(w, j, ".extern", "extern", running ? "RUNNING" : "COMPLETED", j.start, j.end, j.allocs,
        tres(j.allocs, true, j.typedGres));
    // srun starts once the environment is up and is torn down just before the job ends
    long srunStart = j.start + 11 + Math.floorMod(j.rawId.hashCode(), 30);
    long srunEnd = running ? SampleCluster.UNKNOWN : j.end - 2;
    step(w, j, ".0", j.stepName, srunState, srunStart, srunEnd, j.allocs, tres(j.allocs, false, j.typedGres));
  }

  private static void step(Writer w, Job j, String suffix, String name, String state, long start,
      long end, List<Alloc> allocs, String tres) throws IOException {
    row(w, j.jobId + suffix, j.rawId + suffix, "", j.account, "", j.wckey, "", name, state,
        time(start), time(start), time(end), elapsed(start, end), Integer.toString(allocs.size()),
        nodeList(allocs), tres);
  }

  private static void row(Writer w, String jobId, String rawId, String partition, String account,
      String user, String wckey, String comment, String name, String state, String submit,
      String start, String end, String elapsed, String nnodes, String nodeList, String tres)
      throws IOException {
    w.append(String.join("|", jobId, rawId, SampleCluster.CLUSTER, partition, account, user, wckey,
        comment, name, state, submit, start, end, elapsed, nnodes, nodeList, tres)).append('\n');
  }

  private static String time(long t) {
    if (t == SampleCluster.NONE) {
      return "None";
    }
    if (t == SampleCluster.UNKNOWN) {
      return "Unknown";
    }
    return TIME.format(Instant.ofEpochSecond(t));
  }

  /** Elapsed of a running job counts up to the moment sacct ran. */
  static String elapsed(long start, long end) {
    if (start < 0) {
      return "00:00:00";
    }
    long s = (end == SampleCluster.UNKNOWN ? SampleCluster.LOG_END : end) - start;
    long days = s / 86_400;
    String hms = String.format(Locale.ROOT, "%02d:%02d:%02d", (s / 3600) % 24, (s / 60) % 60, s % 60);
    return days > 0 ? days + "-" + hms : hms;
  }

  /** AllocTRES with its keys in sacct's (alphabetical) order; jobs and extern steps add billing. */
  private static String tres(List<Alloc> allocs, boolean billing, boolean typedGres) {
    int cpus = 0;
    int gpus = 0;
    int memGb = 0;
    for (Alloc a : allocs) {
      cpus += a.gpus().length * a.node().cpusPerGpu();
      gpus += a.gpus().length;
      memGb += a.gpus().length * a.node().memGbPerGpu();
    }
    StringBuilder sb = new StringBuilder();
    if (billing) {
      sb.append("billing=").append(cpus).append(',');
    }
    sb.append("cpu=").append(cpus).append(',');
    if (typedGres) {
      String type = allocs.get(0).node().model().gresType;
      sb.append("gres/gpu:").append(type).append('=').append(gpus).append(',');
    }
    sb.append("gres/gpu=").append(gpus).append(',');
    sb.append("mem=").append(memGb).append("G,");
    sb.append("node=").append(allocs.size());
    return sb.toString();
  }

  /** Slurm's compressed host list: {@code gpu[001-003]}, a single name, or {@code None assigned}. */
  static String nodeList(List<Alloc> allocs) {
    if (allocs.isEmpty()) {
      return "None assigned";
    }
    if (allocs.size() == 1) {
      return allocs.get(0).node().name();
    }
    String prefix = allocs.get(0).node().name().replaceAll("\\d+$", "");
    int width = allocs.get(0).node().name().length() - prefix.length();
    List<String> ranges = new ArrayList<>();
    int i = 0;
    while (i < allocs.size()) {
      int from = number(allocs.get(i), prefix);
      int to = from;
      while (i + 1 < allocs.size() && number(allocs.get(i + 1), prefix) == to + 1) {
        to++;
        i++;
      }
      String f = String.format(Locale.ROOT, "%0" + width + "d", from);
      ranges.add(from == to ? f : f + "-" + String.format(Locale.ROOT, "%0" + width + "d", to));
      i++;
    }
    return prefix + "[" + String.join(",", ranges) + "]";
  }

  private static int number(Alloc a, String prefix) {
    return Integer.parseInt(a.node().name().substring(prefix.length()));
  }
}
