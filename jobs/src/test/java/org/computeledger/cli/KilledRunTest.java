package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger run} killed with SIGKILL at several moments, in a JVM of its own, over a folder that
 * holds a previous report: the report stays byte for byte what it was and verifies, and the next run
 * completes and leaves nothing beside the report. No timing is asserted: each moment is a state of
 * the disk (or a delay) waited for, and a run that ends before its moment is simply let finish.
 */
class KilledRunTest {
  /** Written at build time from the parent pom's one list of flags Spark needs on Java 17. */
  private static final Path JVM_FLAGS = Path.of(System.getProperty("ledger.jvmFlagsFile", "target/jvm-flags.txt"));
  private static final long PATIENCE_MS = TimeUnit.MINUTES.toMillis(10);

  @TempDir Path tmp;
  private Path reports;
  private Path out;

  @Test
  void aRunKilledAtAnyMomentLeavesThePreviousReportVerifiableAndTheNextRunCompletes() throws Exception {
    reports = Files.createDirectories(tmp.resolve("reports"));
    out = reports.resolve("out");
    // the previous report, made once from a small input so that it is quick to make
    Path small = smallInput();
    assertEquals(0, finish(start(small, "previous")), log("previous"));
    Map<String, String> previous = snapshot(out);
    assertEquals(0, Ledger.execute("verify", "--out", out.toString()));

    List<Moment> moments = List.of(
        new Moment("after-2s", LedgerRefusalsTest.SAMPLE_LOGS, afterMillis(2_000)),
        new Moment("after-8s", LedgerRefusalsTest.SAMPLE_LOGS, afterMillis(8_000)),
        new Moment("staging-created", LedgerRefusalsTest.SAMPLE_LOGS, newStaging(s -> true)),
        // the last moment before the commit's renames: the kill may land before, between or after them
        new Moment("staging-complete", small, newStaging(s -> Files.exists(s.resolve("manifest.json")))));
    for (Moment m : moments) {
      Set<String> stagingBefore = stagingFolders();
      Process p = start(m.input(), m.name());
      long started = System.currentTimeMillis();
      while (p.isAlive() && !m.reached().test(new State(started, stagingBefore))) {
        if (System.currentTimeMillis() - started > PATIENCE_MS) {
          fail(m.name() + ": not reached in " + PATIENCE_MS + " ms; " + log(m.name()));
        }
        Thread.sleep(5);
      }
      boolean killed = p.isAlive();
      Map<String, String> before = previous;
      p.destroyForcibly();
      p.waitFor();

      assertEquals(0, Ledger.execute("verify", "--out", out.toString()), m.name() + ": the report verifies");
      Map<String, String> now = snapshot(out);
      if (!killed) {
        // the run ended before its moment (a fast machine): its report is the previous one now
        assertEquals(0, p.exitValue(), log(m.name()));
        previous = now;
      } else if (!now.equals(previous)) {
        // only a kill after the commit's second rename may leave the new report, complete (it verified)
        assertEquals("staging-complete", m.name(), m.name() + ": the previous report changed");
        assertTrue(manifestNames(m.input()), m.name() + ": " + log(m.name()));
        previous = now;
      }
      assertEquals(previous, now, m.name() + ": the previous report is byte for byte as it was");
      System.out.printf("KilledRunTest %s: %s after %d ms, %s%n", m.name(), killed ? "killed" : "ended",
          System.currentTimeMillis() - started, now.equals(before) ? "previous report intact" : "its own report in place");
      for (String beside : listing(reports)) {
        assertTrue(beside.equals("out") || beside.equals(".out.lock") || beside.matches("\\.out\\.(tmp|old)-[0-9a-f-]{36}"),
            m.name() + ": nothing beside the report but the lock and hidden leftovers: " + beside);
      }
    }

    boolean staleLock = Files.exists(reports.resolve(".out.lock"));
    assertEquals(0, finish(start(LedgerRefusalsTest.SAMPLE_LOGS, "next")), log("next"));
    assertEquals(0, Ledger.execute("verify", "--out", out.toString()));
    assertTrue(manifestNames(LedgerRefusalsTest.SAMPLE_LOGS), "the next run's report is in place");
    assertEquals(List.of("out"), listing(reports), "leftovers of the killed runs are gone, the lock released");
    if (staleLock) {
      assertTrue(log("next").contains("taking over the lock .out.lock: the run that held it is gone"), log("next"));
    }
  }

  record State(long startedMillis, Set<String> stagingBefore) {}

  record Moment(String name, Path input, Predicate<State> reached) {}

  private static Predicate<State> afterMillis(long ms) {
    return s -> System.currentTimeMillis() - s.startedMillis() >= ms;
  }

  /** A staging folder that was not there before the run started, in the given state. */
  private Predicate<State> newStaging(Predicate<Path> ready) {
    return s -> {
      try {
        return stagingFolders().stream().filter(n -> !s.stagingBefore().contains(n))
            .anyMatch(n -> ready.test(reports.resolve(n)));
      } catch (IOException e) {
        return false; // a folder deleted while listed: look again
      }
    };
  }

  private Set<String> stagingFolders() throws IOException {
    return listing(reports).stream().filter(n -> n.startsWith(".out.tmp-")).collect(Collectors.toSet());
  }

  private boolean manifestNames(Path input) {
    try {
      return Files.readString(out.resolve("manifest.json")).contains("\"input\" : \"" + input + "\"");
    } catch (IOException e) {
      return false;
    }
  }

  private Path smallInput() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("small/scheduler"));
    Files.copy(LedgerRefusalsTest.SAMPLE_LOGS.resolve("scheduler/sacct-2026-02-to-05.txt"), in.resolve("sacct-2026-02-to-05.txt"));
    Files.copy(LedgerRefusalsTest.SAMPLE_LOGS.resolve("registry.yaml"), tmp.resolve("small/registry.yaml"));
    return tmp.resolve("small");
  }

  /** {@code ledger run} in a JVM of its own, on the test's classpath, output in a log named after it. */
  private Process start(Path input, String name) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(Files.readString(JVM_FLAGS).trim().split("\\s+")));
    cmd.addAll(List.of("-Xmx1536m", "-XX:+UseParallelGC", "-Djava.awt.headless=true",
        "-cp", System.getProperty("java.class.path"), Ledger.class.getName(),
        "run", "--input", input.toString(), "--out", out.toString(), "--master", "local[2]"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
  }

  private static int finish(Process p) throws InterruptedException {
    if (!p.waitFor(PATIENCE_MS, TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      fail("ledger run did not end in " + PATIENCE_MS + " ms");
    }
    return p.exitValue();
  }

  private String log(String name) {
    try {
      return name + " log:\n" + Files.readString(tmp.resolve(name + ".log"));
    } catch (IOException e) {
      return name + ": no log";
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** SHA-256 of every file under the folder, side files included, by relative path. */
  private static Map<String, String> snapshot(Path dir) throws Exception {
    Map<String, String> files = new TreeMap<>();
    List<Path> all;
    try (Stream<Path> s = Files.walk(dir)) {
      all = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    for (Path p : all) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(p)) {
        md.update(in.readAllBytes());
      }
      files.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(md.digest()));
    }
    assertTrue(files.containsKey("manifest.json"), dir + " holds a report");
    return files;
  }
}
