package org.computeledger.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output folder in each state a user or a killed run can leave it in. */
class OutputDirTest {
  private static final Configuration CONF = new Configuration();

  @TempDir Path tmp;
  private Path out;
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream savedErr;

  @BeforeEach
  void captureStderr() {
    out = tmp.resolve("report");
    savedErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(savedErr);
  }

  private String err() {
    return stderr.toString(StandardCharsets.UTF_8);
  }

  /** A folder as a previous run leaves it: a manifest naming the tool, and a table. */
  private static void previousOutput(Path dir, String content) throws IOException {
    Files.createDirectories(dir.resolve("line_items"));
    Files.writeString(dir.resolve("manifest.json"), "{\"tool\" : \"compute-ledger\", \"command\" : \"run\"}\n");
    Files.writeString(dir.resolve("line_items/part-0.parquet"), content);
  }

  private static OutputDir write(Path out, String content) throws IOException {
    OutputDir dir = OutputDir.begin(out.toString(), CONF);
    Files.createDirectories(Path.of(java.net.URI.create(dir.child("line_items"))));
    Files.writeString(Path.of(java.net.URI.create(dir.child("line_items/part-0.parquet"))), content);
    Files.writeString(Path.of(java.net.URI.create(dir.child("manifest.json"))), "{\"tool\" : \"compute-ledger\"}\n");
    return dir;
  }

  private List<String> besideOut() throws IOException {
    try (Stream<Path> s = Files.list(out.getParent())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static String lockText(long pid, String host) {
    return "pid=" + pid + "\nhost=" + host + "\nstarted=2026-01-01T00:00:00Z\nprocess_start=\ntoken="
        + UUID.randomUUID() + "\n";
  }

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long pid = p.pid();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      Thread.sleep(10);
    }
    return pid;
  }

  @Test
  void aNonEmptyFolderThatIsNotALedgerOutputIsRefusedAndKept() throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("thesis.tex"), "years of work");

    LedgerException e = assertThrows(LedgerException.class, () -> OutputDir.begin(out.toString(), CONF));
    assertEquals(out + ": is a folder that is not a ledger output (no manifest.json written by compute-ledger);"
        + " not replaced (choose another --out, or give --force to replace it)", e.getMessage());
    assertEquals("years of work", Files.readString(out.resolve("thesis.tex")));
    assertEquals(List.of("report"), besideOut(), "no lock or staging folder is left behind");
  }

  @Test
  void aFolderWhoseManifestNamesAnotherToolIsRefused() throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("manifest.json"), "{\"tool\" : \"something-else\"}");

    assertThrows(LedgerException.class, () -> OutputDir.begin(out.toString(), CONF));
    assertTrue(Files.exists(out.resolve("manifest.json")));
  }

  @Test
  void aFileIsRefusedAndKept() throws IOException {
    Files.writeString(out, "notes");

    LedgerException e = assertThrows(LedgerException.class, () -> OutputDir.begin(out.toString(), CONF));
    assertEquals(out + ": is a file, not an output folder; not replaced (give --force to replace it)", e.getMessage());
    assertEquals("notes", Files.readString(out));
    assertEquals(List.of("report"), besideOut());
  }

  @Test
  void forceReplacesAFolderThatIsNotALedgerOutput() throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("scratch.txt"), "x");

    OutputDir dir = OutputDir.begin(out.toString(), CONF, true, null);
    Files.writeString(Path.of(java.net.URI.create(dir.child("manifest.json"))), "{}");
    dir.commit();
    assertFalse(Files.exists(out.resolve("scratch.txt")));
    assertTrue(Files.exists(out.resolve("manifest.json")));
  }

  @Test
  void forceReplacesAFile() throws IOException {
    Files.writeString(out, "notes");

    OutputDir dir = OutputDir.begin(out.toString(), CONF, true, null);
    Files.writeString(Path.of(java.net.URI.create(dir.child("manifest.json"))), "{}");
    dir.commit();
    assertTrue(Files.isDirectory(out));
  }

  @Test
  void anEmptyFolderIsUsed() throws IOException {
    Files.createDirectories(out);

    write(out, "new").commit();
    assertEquals("new", Files.readString(out.resolve("line_items/part-0.parquet")));
  }

  @Test
  void aPreviousOutputIsReplacedOnCommitAndNothingIsLeftBesideIt() throws IOException {
    previousOutput(out, "old");

    OutputDir dir = write(out, "new");
    assertEquals("old", Files.readString(out.resolve("line_items/part-0.parquet")), "untouched until commit");
    dir.commit();
    assertEquals("new", Files.readString(out.resolve("line_items/part-0.parquet")));
    assertEquals(List.of("report"), besideOut());
  }

  @Test
  void anAbandonedRunLeavesThePreviousOutputAndNothingBesideIt() throws IOException {
    previousOutput(out, "old");

    write(out, "new").abandon();
    assertEquals("old", Files.readString(out.resolve("line_items/part-0.parquet")));
    assertEquals(List.of("report"), besideOut());
  }

  @Test
  void stagingAndOldFoldersOfDeadRunsAreRemovedByTheNextRun() throws IOException {
    previousOutput(out, "old");
    previousOutput(tmp.resolve(".report.tmp-" + UUID.randomUUID()), "half");
    previousOutput(tmp.resolve(".report.tmp-" + UUID.randomUUID()), "half");
    previousOutput(tmp.resolve(".report.old-" + UUID.randomUUID()), "older");
    Files.writeString(tmp.resolve(".report.tmp-mine"), "a user's file that only looks like one");

    OutputDir dir = OutputDir.begin(out.toString(), CONF);
    String staging = dir.path().substring(dir.path().lastIndexOf('/') + 1);
    assertEquals(Stream.of(".report.lock", ".report.tmp-mine", "report", staging).sorted().toList(), besideOut());
    dir.abandon();
    assertEquals(List.of(".report.tmp-mine", "report"), besideOut());
  }

  @Test
  void aCommitKilledBetweenItsRenamesIsRolledBackToThePreviousOutput() throws IOException {
    // the state a kill leaves between "report -> .report.old-U" and ".report.tmp-V -> report"
    previousOutput(tmp.resolve(".report.old-" + UUID.randomUUID()), "old");
    previousOutput(tmp.resolve(".report.tmp-" + UUID.randomUUID()), "complete but never committed");

    OutputDir dir = OutputDir.begin(out.toString(), CONF);
    assertEquals("old", Files.readString(out.resolve("line_items/part-0.parquet")));
    assertTrue(err().contains("restored the previous output from .report.old-"), err());
    dir.abandon();
    assertEquals(List.of("report"), besideOut());
  }

  @Test
  void recoverRestoresThePreviousOutputOfAKilledCommitForVerify() throws IOException {
    previousOutput(tmp.resolve(".report.old-" + UUID.randomUUID()), "old");

    OutputDir.recover(out.toString(), CONF);
    assertEquals("old", Files.readString(out.resolve("line_items/part-0.parquet")));
    assertEquals(List.of("report"), besideOut(), "the lock taken to restore is released");
  }

  @Test
  void recoverLeavesAnExistingOutputAndItsLockAlone() throws IOException {
    previousOutput(out, "current");
    OutputDir writer = OutputDir.begin(out.toString(), CONF);

    OutputDir.recover(out.toString(), CONF);
    assertEquals("current", Files.readString(out.resolve("line_items/part-0.parquet")));
    writer.abandon();
  }

  @Test
  void aSecondWriterIsRefusedByTheLockNamingItsHolder() throws IOException {
    OutputDir first = OutputDir.begin(out.toString(), CONF);

    LedgerException e = assertThrows(LedgerException.class, () -> OutputDir.begin(out.toString(), CONF));
    assertTrue(e.getMessage().startsWith(out + ": another ledger run is writing it (pid " + ProcessHandle.current().pid()
        + " on " + OutputLock.hostName() + ", started "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    first.commit();
    OutputDir.begin(out.toString(), CONF).abandon();
  }

  @Test
  void theLockHoldsPidHostAndStartTime() throws IOException {
    OutputDir dir = OutputDir.begin(out.toString(), CONF);
    String lock = Files.readString(tmp.resolve(".report.lock"));
    dir.abandon();

    assertTrue(lock.contains("pid=" + ProcessHandle.current().pid() + "\n"), lock);
    assertTrue(lock.contains("host=" + OutputLock.hostName() + "\n"), lock);
    assertTrue(lock.matches("(?s).*started=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n.*"), lock);
  }

  @Test
  void aStaleLockOfADeadProcessOnThisHostIsTakenOverSayingSoOnce() throws Exception {
    previousOutput(out, "old");
    Files.writeString(tmp.resolve(".report.lock"), lockText(deadPid(), OutputLock.hostName()));

    write(out, "new").commit();
    assertEquals("new", Files.readString(out.resolve("line_items/part-0.parquet")));
    assertEquals(1, err().split("taking over the lock .report.lock: the run that held it is gone", -1).length - 1, err());
    assertEquals(List.of("report"), besideOut());
  }

  @Test
  void aLockWhosePidWasReusedByAnotherProcessIsStale() throws Exception {
    String self = "pid=" + ProcessHandle.current().pid() + "\nhost=" + OutputLock.hostName()
        + "\nstarted=2026-01-01T00:00:00Z\nprocess_start=2001-01-01T00:00:00Z\ntoken=" + UUID.randomUUID() + "\n";
    Files.writeString(tmp.resolve(".report.lock"), self);

    OutputDir.begin(out.toString(), CONF).abandon();
    assertTrue(err().contains("taking over the lock"), err());
  }

  @Test
  void aLockFromAnotherHostIsNeverTakenOver() throws Exception {
    Files.writeString(tmp.resolve(".report.lock"), lockText(deadPid(), "elsewhere.example"));

    LedgerException e = assertThrows(LedgerException.class, () -> OutputDir.begin(out.toString(), CONF));
    assertTrue(e.getMessage().contains("on elsewhere.example") && e.getMessage().contains("delete "), e.getMessage());
    assertTrue(Files.exists(tmp.resolve(".report.lock")));
  }

  @Test
  void aCommitWhoseLockWasTakenOverMeanwhileIsNotWritten() throws IOException {
    previousOutput(out, "old");
    OutputDir dir = write(out, "new");
    Files.writeString(tmp.resolve(".report.lock"), lockText(ProcessHandle.current().pid(), OutputLock.hostName()));

    LedgerException e = assertThrows(LedgerException.class, dir::commit);
    assertTrue(e.getMessage().contains("another run took over the lock"), e.getMessage());
    assertEquals("old", Files.readString(out.resolve("line_items/part-0.parquet")));
    assertTrue(Files.exists(tmp.resolve(".report.lock")), "the other run's lock is not removed");
  }

  @Test
  void replacingAPreviousOutputNeverFollowsASymlinkOutOfIt() throws IOException {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("precious.txt"), "keep");
    previousOutput(out, "old");
    Files.createSymbolicLink(out.resolve("line_items/link-to-dir"), elsewhere);
    Files.createSymbolicLink(out.resolve("link-to-file"), elsewhere.resolve("precious.txt"));

    write(out, "new").commit();
    assertEquals("keep", Files.readString(elsewhere.resolve("precious.txt")));
    assertFalse(Files.exists(out.resolve("link-to-file"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void leftoversAreDeletedWithoutFollowingSymlinksOutOfThem() throws IOException {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("precious.txt"), "keep");
    Path stale = tmp.resolve(".report.tmp-" + UUID.randomUUID());
    previousOutput(stale, "half");
    Files.createSymbolicLink(stale.resolve("line_items/link"), elsewhere);

    OutputDir.begin(out.toString(), CONF).abandon();
    assertFalse(Files.exists(stale));
    assertEquals("keep", Files.readString(elsewhere.resolve("precious.txt")));
  }

  @Test
  void anOutputThatHoldsTheInputIsRefusedEvenWithForce() throws IOException {
    Files.createDirectories(out.resolve("logs"));

    for (String input : List.of(out.toString(), out.resolve("logs").toString())) {
      LedgerException e = assertThrows(LedgerException.class, () -> OutputDir.begin(out.toString(), CONF, true, input));
      assertEquals(out + ": holds the input " + input + "; replacing it would delete the input (choose another --out)",
          e.getMessage());
    }
    OutputDir.begin(out.toString(), CONF, true, tmp.resolve("report-logs").toString()).abandon();
  }

  @Test
  void pathsInsideTheOutputNeverClimbOutOfIt() throws IOException {
    OutputDir dir = OutputDir.begin(out.toString(), CONF);
    try {
      for (String bad : List.of("../escape", "a/../../escape", "/etc/passwd", "", "file:/tmp/x")) {
        assertThrows(IllegalArgumentException.class, () -> dir.child(bad), bad);
      }
      assertTrue(dir.child("gpu_usage/day=2026-03-01").startsWith(dir.path() + "/"));
    } finally {
      dir.abandon();
    }
  }
}
