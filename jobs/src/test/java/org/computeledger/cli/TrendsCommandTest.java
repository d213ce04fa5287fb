package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ledger trends} refuses what is not a report of {@code ledger run}, in one line, before Spark starts. */
class TrendsCommandTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream savedErr;

  @BeforeEach
  void captureStderr() {
    savedErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(savedErr);
  }

  private String refused(String... args) {
    int code = Ledger.execute(args);
    String err = stderr.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, err);
    assertEquals(err.length() - 1, err.indexOf('\n'), "one line: " + err);
    return err.strip();
  }

  private Path report(Path dir, String command) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("manifest.json"), "{\"tool\":\"compute-ledger\",\"command\":\"" + command + "\"}");
    return dir;
  }

  @Test
  void folderWithoutManifestIsNotAReport() {
    String err = refused("trends", "--report", tmp.toString(), "--out", tmp.resolve("t").toString());
    assertTrue(err.endsWith(tmp + ": not a report of 'ledger run' (no manifest.json)"), err);
  }

  @Test
  void ingestOutputIsNotAReport() throws Exception {
    Path ingest = report(tmp.resolve("ingest"), "ingest");
    String err = refused("trends", "--report", ingest.toString(), "--out", tmp.resolve("t").toString());
    assertTrue(err.contains("its manifest.json says command ingest"), err);
  }

  @Test
  void outHoldingAnyOfTheReportsIsRefused() throws Exception {
    Path a = report(tmp.resolve("a"), "run");
    Path b = report(tmp.resolve("out/b"), "run");
    String err = refused("trends", "--report", a.toString(), "--report", b.toString(), "--out", tmp.resolve("out").toString());
    assertTrue(err.contains("holds the report " + b), err);
  }
}
