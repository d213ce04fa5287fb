package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ledger run} and {@code ledger ingest} refuse, as the user sees it: exit 1 and one line
 * on stderr, before Spark starts, with the folders left as they were.
 */
class LedgerRefusalsTest {
  /** The bundled sample logs; the tests run in jobs/. */
  static final Path SAMPLE_LOGS = Path.of(System.getProperty("ledger.sampleLogs", "../sample-logs")).toAbsolutePath();

  @TempDir Path tmp;
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream savedErr;
  private Object sparkBefore;

  @BeforeEach
  void captureStderr() {
    savedErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    sparkBefore = SparkSession.getDefaultSession();
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(savedErr);
    // a refusal comes before Spark: no session was started (or, in a suite, stopped)
    assertEquals(sparkBefore, SparkSession.getDefaultSession(), "Spark was started");
  }

  /** Runs the command line and returns its stderr, asserting exit 1 and a single line. */
  private String refused(String... args) {
    int code = Ledger.execute(args);
    String err = stderr.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, err);
    assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "one line: " + err);
    return err.substring(0, err.length() - 1);
  }

  /** A small valid input: the sample registry and sacct export. */
  private Path smallInput() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("in/scheduler"));
    Files.copy(SAMPLE_LOGS.resolve("scheduler/sacct-2026-02-to-05.txt"), in.resolve("sacct-2026-02-to-05.txt"));
    Files.copy(SAMPLE_LOGS.resolve("registry.yaml"), tmp.resolve("in/registry.yaml"));
    return tmp.resolve("in");
  }

  private List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void runRefusesAnInputThatIsAFile() {
    Path file = SAMPLE_LOGS.resolve("registry.yaml");
    assertEquals("ledger: error: " + file + ": is a file; --input takes a folder of logs (scheduler/, telemetry/,"
        + " billing/, registry.yaml) or a folder written by 'ledger ingest'",
        refused("run", "--input", file.toString(), "--out", tmp.resolve("out").toString()));
  }

  @Test
  void runRefusesAMissingInput() {
    Path missing = tmp.resolve("no-such-folder");
    assertEquals("ledger: error: " + missing + ": input folder does not exist",
        refused("run", "--input", missing.toString(), "--out", tmp.resolve("out").toString()));
  }

  @Test
  void runRefusesAnEmptyInputFolder() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty/telemetry"));
    Files.writeString(tmp.resolve("empty/.hidden"), "not a log");
    assertEquals("ledger: error: " + empty.getParent()
        + ": the input folder is empty (no files in it or under it, hidden ones aside)",
        refused("run", "--input", empty.getParent().toString(), "--out", tmp.resolve("out").toString()));
  }

  @Test
  void runRefusesAFolderWithoutAnyLogInAKnownFormat() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("docs"));
    Files.copy(SAMPLE_LOGS.resolve("README.md"), in.resolve("README.md"));
    Files.copy(SAMPLE_LOGS.resolve("registry.yaml"), in.resolve("registry.yaml"));
    assertEquals("ledger: error: " + in + ": no scheduler, telemetry or billing file in a known format"
        + " (found only README.md, registry.yaml)",
        refused("run", "--input", in.toString(), "--out", tmp.resolve("out").toString()));
  }

  @Test
  void runRefusesAFolderOfFilesInNoKnownFormat() throws IOException {
    Path in = Files.createDirectories(tmp.resolve("photos"));
    Files.writeString(in.resolve("holiday.txt"), "sun, sea\n");
    assertEquals("ledger: error: holiday.txt: no known input format (first line: 'sun, sea')",
        refused("run", "--input", in.toString(), "--out", tmp.resolve("out").toString()));
  }

  @Test
  void runRefusesAReportCurrencyWithoutAnFxFile() {
    assertEquals("ledger: error: --report-currency: the input folder has no fx.csv (date, from_currency,"
        + " to_currency, rate, source), and no rate is guessed",
        refused("run", "--input", SAMPLE_LOGS.toString(), "--out", tmp.resolve("out").toString(),
            "--report-currency", "USD"));
  }

  @Test
  void runRefusesAReportCurrencyThatIsNotAnIsoCode() {
    assertEquals("ledger: error: --report-currency: expected an ISO 4217 code of three capital letters, got 'usd'",
        refused("run", "--input", SAMPLE_LOGS.toString(), "--out", tmp.resolve("out").toString(),
            "--report-currency", "usd"));
  }

  @Test
  void ingestRefusesAnInputThatIsAFile() {
    Path file = SAMPLE_LOGS.resolve("registry.yaml");
    assertTrue(refused("ingest", "--input", file.toString(), "--out", tmp.resolve("out").toString())
        .startsWith("ledger: error: " + file + ": is a file;"));
  }

  @Test
  void ingestRefusesAnEmptyInputFolder() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertTrue(refused("ingest", "--input", empty.toString(), "--out", tmp.resolve("out").toString())
        .endsWith(": the input folder is empty (no files in it or under it, hidden ones aside)"));
  }

  @Test
  void runRefusesAnOutThatIsAFolderOfSomeoneElsesFilesAndKeepsThem() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    assertEquals("ledger: error: " + out + ": is a folder that is not a ledger output (no manifest.json written by"
        + " compute-ledger); not replaced (choose another --out, or give --force to replace it)",
        refused("run", "--input", smallInput().toString(), "--out", out.toString()));
    assertEquals(List.of("notes.txt"), listing(out));
    assertEquals(List.of("home", "in"), listing(tmp), "nothing written beside --out");
  }

  @Test
  void ingestRefusesAnOutThatIsAFileAndKeepsIt() throws IOException {
    Path out = tmp.resolve("report.pdf");
    Files.writeString(out, "%PDF");
    assertEquals("ledger: error: " + out + ": is a file, not an output folder; not replaced (give --force to replace it)",
        refused("ingest", "--input", smallInput().toString(), "--out", out.toString()));
    assertEquals("%PDF", Files.readString(out));
  }

  @Test
  void runRefusesAnOutThatHoldsTheInput() throws IOException {
    Path in = smallInput();
    assertEquals("ledger: error: " + tmp + ": holds the input " + in
        + "; replacing it would delete the input (choose another --out)",
        refused("run", "--input", in.toString(), "--out", tmp.toString(), "--force"));
    assertTrue(Files.exists(in.resolve("registry.yaml")));
  }

  @Test
  void aSecondRunOnTheSameOutIsRefusedNamingTheRunThatHoldsIt() throws IOException {
    Path out = tmp.resolve("out");
    String lock = "pid=" + ProcessHandle.current().pid() + "\nhost=" + java.net.InetAddress.getLocalHost().getHostName()
        + "\nstarted=2026-12-04T14:30:00Z\nprocess_start=\ntoken=" + UUID.randomUUID() + "\n";
    Files.writeString(tmp.resolve(".out.lock"), lock);
    assertEquals("ledger: error: " + out + ": another ledger run is writing it (pid " + ProcessHandle.current().pid()
        + " on " + java.net.InetAddress.getLocalHost().getHostName() + ", started 2026-12-04T14:30:00Z); wait for it to end",
        refused("run", "--input", smallInput().toString(), "--out", out.toString()));
    assertEquals(lock, Files.readString(tmp.resolve(".out.lock")), "the holder's lock is kept");
  }

  @Test
  void forceIsDocumentedForEveryCommandThatWrites() {
    for (String command : List.of("run", "ingest")) {
      java.io.StringWriter help = new java.io.StringWriter();
      new picocli.CommandLine(new Ledger()).getSubcommands().get(command).usage(new java.io.PrintWriter(help));
      assertTrue(help.toString().contains("--force") && help.toString().contains("not a ledger output"), help.toString());
    }
  }
}
