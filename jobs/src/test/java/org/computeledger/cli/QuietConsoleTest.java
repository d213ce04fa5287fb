package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees on the console: the ledger's own lines only, no Spark WARN/ERROR line and no
 * stack trace, errors on one line, the trace with LEDGER_DEBUG=1. Each case runs the command line in
 * a child JVM, as the launcher does, because log4j binds its console when the JVM starts.
 */
class QuietConsoleTest {
  static final Pattern NOISE = Pattern.compile(" WARN | ERROR |Exception|\tat ");
  static final Path SAMPLE_LOGS = Path.of("../sample-logs");

  @TempDir Path tmp;

  record Result(int exit, String stdout, List<String> stderr) {}

  static Result ledger(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(Files.readString(Path.of("target/jvm-flags.txt")).trim().split("\\s+")));
    cmd.addAll(List.of("-Xmx2g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
        Ledger.class.getName()));
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("LEDGER_PSEUDONYM_KEY");
    pb.environment().remove("LEDGER_DEBUG");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("ledger-stdout", ".txt");
    Path err = Files.createTempFile("ledger-stderr", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    try {
      Process p = pb.start();
      if (!p.waitFor(15, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        Assertions.fail("ledger " + String.join(" ", args) + " did not finish");
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readAllLines(err));
    } finally {
      // static, so callers in other classes need no temp folder of their own; the files go when read
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static List<String> noise(List<String> lines) {
    return lines.stream().filter(l -> NOISE.matcher(l).find()).toList();
  }

  /** The user names of the sample sacct file, from its User column. */
  static Set<String> sampleUsers() throws IOException {
    Set<String> users = new LinkedHashSet<>();
    try (Stream<Path> files = Files.walk(SAMPLE_LOGS.resolve("scheduler"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        List<String> lines = Files.readAllLines(f);
        int at = Arrays.asList(lines.get(0).split("\\|")).indexOf("User");
        for (String line : lines.subList(1, lines.size())) {
          String[] fields = line.split("\\|", -1);
          if (at >= 0 && fields.length > at && !fields[at].isEmpty()) {
            users.add(fields[at]);
          }
        }
      }
    }
    return users;
  }

  @Test
  void aRunOnTheSampleLogsPrintsNoSparkLineNoTraceNoUserAndSaysOnceThatPseudonymsAreUnkeyed() throws Exception {
    Path out = tmp.resolve("report");
    Result r = ledger(Map.of(), "run", "--input", SAMPLE_LOGS.toString(), "--out", out.toString(),
        "--master", "local[2]");
    assertEquals(0, r.exit(), "exit code; stderr: " + r.stderr());
    assertEquals(List.of(), noise(r.stderr()));
    assertEquals(1, r.stderr().stream().filter(l -> l.contains("pseudonyms are unkeyed")).count(), r.stderr().toString());
    Set<String> users = sampleUsers();
    Assertions.assertTrue(users.size() >= 3, "sample users: " + users);
    List<String> found = new ArrayList<>();
    String console = r.stdout() + String.join("\n", r.stderr());
    for (String text : new String[] {console, Files.readString(out.resolve("methodology.md")),
        Files.readString(out.resolve("manifest.json"))}) {
      for (String u : users) {
        if (Pattern.compile("\\b" + Pattern.quote(u) + "\\b").matcher(text).find()) {
          found.add(u);
        }
      }
    }
    assertEquals(List.of(), found, "user names on the console or in the report's text files");
  }

  @Test
  void anErrorIsOneLineNamingTheFileAndTheTraceComesWithLedgerDebug() throws Exception {
    Path standard = tmp.resolve("mine.yaml");
    Files.writeString(standard, "id: mine\nversion: !!javax.script.ScriptEngineManager [x]\n", StandardCharsets.UTF_8);
    String[] args = {"run", "--input", SAMPLE_LOGS.toString(), "--out", tmp.resolve("never").toString(),
        "--standard-file", standard.toString()};

    Result r = ledger(Map.of("LEDGER_PSEUDONYM_KEY", "test-secret"), args);
    assertEquals(1, r.exit());
    assertEquals(List.of("ledger: error: " + standard + ":2: not accepted: a tag (!!javax.script.ScriptEngineManager);"
        + " write plain values (tags, anchors and aliases are refused in this file)"), r.stderr());

    Result debug = ledger(Map.of("LEDGER_PSEUDONYM_KEY", "test-secret", "LEDGER_DEBUG", "1"), args);
    assertEquals(1, debug.exit());
    assertEquals(r.stderr().get(0), debug.stderr().get(0));
    Assertions.assertTrue(debug.stderr().stream().anyMatch(l -> l.startsWith("\tat ")), "a stack trace");
  }
}
